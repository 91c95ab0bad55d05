"""The site's URLs and one more page: the permission matrix's meta-test must notice it."""

from django.http import HttpResponse
from django.urls import path

from tracker.urls import urlpatterns as site

urlpatterns = [*site, path("new-page/", lambda request: HttpResponse("new"), name="new_page")]
