from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from projects.security.views import LoginView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The login asks for the second factor (django-two-factor-auth) before Django's own views.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/", include("projects.security.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("projects.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
