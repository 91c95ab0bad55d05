"""The second factor's pages, under the names django-two-factor-auth reverses (two_factor:…)."""

from django.urls import path

from projects.security import views

app_name = "two_factor"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("two_factor/", views.ProfileView.as_view(), name="profile"),
    path("two_factor/setup/", views.SetupView.as_view(), name="setup"),
    path("two_factor/qrcode/", views.QRGeneratorView.as_view(), name="qr"),
    path("two_factor/setup/complete/", views.SetupCompleteView.as_view(), name="setup_complete"),
    path("two_factor/backup/tokens/", views.BackupTokensView.as_view(), name="backup_tokens"),
    path("two_factor/disable/", views.DisableView.as_view(), name="disable"),
]
