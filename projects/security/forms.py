"""django-two-factor-auth's forms with the tracker's words (Chinese first, English in the catalogue)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_otp.forms import OTPAuthenticationFormMixin
from two_factor import forms as two_factor_forms

OTP_ERRORS = dict(
    OTPAuthenticationFormMixin.otp_error_messages,
    token_required=_("请输入动态口令。"),
    invalid_token=_("动态口令不正确，请核对手机上当前显示的 6 位数字后重试。"),
    n_failed_attempts=ngettext_lazy(
        "动态口令已连续错误 %(failure_count)d 次，验证暂时停用，请稍候再试。",
        "动态口令已连续错误 %(failure_count)d 次，验证暂时停用，请稍候再试。",
        "failure_count",
    ),
    verification_not_allowed=_("动态口令验证暂时停用，请稍候再试。"),
)


class TokenForm(two_factor_forms.AuthenticationTokenForm):
    otp_error_messages = OTP_ERRORS


class RecoveryCodeForm(two_factor_forms.BackupTokenForm):
    otp_error_messages = dict(OTP_ERRORS, invalid_token=_("备用验证码不正确或已使用过。"))


class EnrolmentForm(two_factor_forms.TOTPDeviceForm):
    error_messages = {"invalid_token": _("动态口令不正确：请确认手机时间准确，并输入身份验证器当前显示的 6 位数字。")}
