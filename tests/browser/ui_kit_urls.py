from django.urls import path

from tests.browser.ui_kit import ui_kit
from tracker.urls import urlpatterns as tracker_urlpatterns

urlpatterns = [path("ui-kit/", ui_kit, name="ui-kit"), *tracker_urlpatterns]
