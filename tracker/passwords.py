"""Password rules beyond Django's own validators, with messages in the user's language."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message that has a Chinese translation.

    Django 5.2.19 reworded its "too short" message and its zh_Hans catalogue still has only the
    old wording, so Chinese users would read the English sentence."""

    def get_error_message(self) -> str:
        return ngettext(
            "密码长度太短：至少需要 %(min_length)d 个字符。",
            "密码长度太短：至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols.

    Government systems are assessed under 等保 2.0, which asks for complex passwords; length
    alone (MinimumLengthValidator) would let "sanmenxiashi" through."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() and not c.isspace() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码过于简单：须包含大写字母、小写字母、数字、符号中的至少 %(min_classes)d 类。"),
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(min_classes)d 类。") % {
            "min_classes": self.min_classes
        }
