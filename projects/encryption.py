"""Fields encrypted at rest (phone numbers, robot secrets), with django-fernet-encrypted-fields:
Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under keys derived from
``SECRET_KEY`` and ``SALT_KEY`` (TRACKER_FIELD_ENCRYPTION_KEYS), several of each for rotation
(MultiFernet: the first encrypts, all decrypt). The database and its backups hold only tokens.

Encrypted columns are text; ``max_length`` still checks the value as typed. An empty value is
stored empty (the library would store NULL, which these NOT NULL columns refuse): that a unit has
no phone number is no secret. Encrypted columns cannot be searched or sorted in SQL."""

from __future__ import annotations

from typing import Any

from django.db import models
from encrypted_fields.fields import EncryptedCharField as _LibraryCharField
from encrypted_fields.fields import EncryptedFieldMixin

__all__ = ["EncryptedCharField", "EncryptedURLField"]


class _EmptyStaysEmpty:
    def get_prep_value(self, value: Any) -> Any:
        if value == "":
            return ""
        return super().get_prep_value(value)


class EncryptedCharField(_EmptyStaysEmpty, _LibraryCharField):
    pass


class EncryptedURLField(_EmptyStaysEmpty, EncryptedFieldMixin, models.URLField):
    pass
