from django.urls import path

from projects.views import home

urlpatterns = [
    path("", home.home, name="home"),
]
