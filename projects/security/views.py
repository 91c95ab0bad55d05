"""Login with a second factor (django-two-factor-auth on django-otp), enrolment, recovery codes.

The views are django-two-factor-auth's, with our templates (Chinese first), our issuer name in
the authenticator app, and a security event at each step that the library does not signal.
"""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor import views as two_factor_views
from two_factor.utils import get_otpauth_url

from projects.security.events import AuditAction, security_event
from projects.security.forms import EnrolmentForm, RecoveryCodeForm, TokenForm
from projects.security.roles import two_factor_required

ISSUER = "重点民生实事跟踪系统"


class LoginView(two_factor_views.LoginView):
    """Password first (django-axes counts the failures), then the authenticator's code or a
    recovery code for accounts that have enrolled."""

    template_name = "two_factor/core/login.html"
    form_list = (
        (two_factor_views.LoginView.AUTH_STEP, two_factor_views.LoginView.form_list[0][1]),
        (two_factor_views.LoginView.TOKEN_STEP, TokenForm),
        (two_factor_views.LoginView.BACKUP_STEP, RecoveryCodeForm),
    )

    def get_form(self, step=None, **kwargs):
        # The library picks the token form by the device's method and words its own time-out; every
        # device here is TOTP, and the words are ours: the wizard's own get_form, past the library's.
        timed_out = self.show_timeout_error
        form = super(two_factor_views.LoginView, self).get_form(step=step, **kwargs)
        if timed_out:
            form.cleaned_data = getattr(form, "cleaned_data", {})
            form.add_error(None, _("输入动态口令超时，请重新登录。"))
        return form

    def get_context_data(self, form, **kwargs):
        # The page after login, carried through each step's form (they post to the bare URL).
        return super().get_context_data(form, **kwargs) | {"next": self.get_redirect_url()}


class SetupView(two_factor_views.SetupView):
    """Enrolment: scan the QR code (or type the key) into an authenticator app, enter its code."""

    def get_form_list(self):
        form_list = super().get_form_list()
        if "generator" in form_list:
            form_list["generator"] = EnrolmentForm
        return form_list

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if self.steps.current == "generator":
            b32key = b32encode(unhexlify(self.get_key("generator").encode("ascii"))).decode("utf-8")
            context["otpauth_url"] = get_otpauth_url(self.request.user.get_username(), b32key, ISSUER)
            context["issuer"] = ISSUER
            # Grouped in fours: easier to type into a phone by hand.
            context["secret_key_grouped"] = " ".join(b32key[i : i + 4] for i in range(0, len(b32key), 4))
        context["required"] = two_factor_required(self.request.user)
        return context

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=True).order_by("-pk").first()
        security_event(
            AuditAction.OTP_ENROLLED,
            request=self.request,
            obj=device,
        )
        return response


class QRGeneratorView(two_factor_views.QRGeneratorView):
    def get_issuer(self):
        return ISSUER


class SetupCompleteView(two_factor_views.SetupCompleteView):
    pass


class BackupTokensView(two_factor_views.BackupTokensView):
    """Ten one-time recovery codes; making new ones voids the old."""

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event(
            AuditAction.OTP_RECOVERY_CREATED,
            request=self.request,
            obj=self.get_device(),
            detail={"count": self.number_of_tokens},
        )
        return response


class ProfileView(two_factor_views.ProfileView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"required": two_factor_required(self.request.user)}


class DisableView(two_factor_views.DisableView):
    """Only where the second factor is optional (unit users, leaders)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor_required(request.user, enforced=False):
            messages.error(request, _("您的角色必须使用双因素认证，不能停用。"))
            return redirect("two_factor:profile")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event(AuditAction.OTP_REMOVED, request=self.request, detail={"by": "owner"})
        return response

