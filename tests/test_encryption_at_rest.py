"""Phone numbers and robot addresses and secrets are encrypted at rest (issue 12 item 8).

Finding: robot webhook secrets and people's phone numbers were stored in plain text."""

import importlib

import pytest
from cryptography.fernet import MultiFernet
from django.apps import apps
from django.db import connection

from projects.models import Unit, User, WebhookEndpoint, WebhookFlavour, WebhookScope
from tests.account_factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("projects.migrations.0009_audit_append_only_and_encryption")
ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=7c1f0d8e9a2b3c4d5e6f"
SECRET = "SEC8d2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"


def raw(model, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s", [pk])
        return cursor.fetchone()[0]


def write_raw(model, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = %s WHERE {model._meta.pk.column} = %s", [value, pk])


def robot() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="督查室群", flavour=WebhookFlavour.DINGTALK, url=ROBOT, secret=SECRET, scope=WebhookScope.OFFICE
    )


def is_token(value: str) -> bool:
    return value.startswith("gAAAAA") and len(value) > 80


def test_phone_numbers_are_tokens_in_the_database_and_numbers_in_the_application(plan_2022):
    unit = Unit.objects.get(name="湖滨区政府")
    unit.phone = "0398-2812345"
    unit.save()
    user = UserFactory(phone="13803981234")
    assert is_token(raw(Unit, "phone", unit.pk)) and "2812345" not in raw(Unit, "phone", unit.pk)
    assert is_token(raw(User, "phone", user.pk))
    assert Unit.objects.get(pk=unit.pk).phone == "0398-2812345"
    assert User.objects.get(pk=user.pk).phone == "13803981234"
    # The account's history keeps the number encrypted too.
    history = user.history.latest()
    assert is_token(raw(type(history), "phone", history.pk)) and history.phone == "13803981234"


def test_the_robots_address_and_secret_are_tokens_in_the_database():
    hook = robot()
    assert is_token(raw(WebhookEndpoint, "url", hook.pk)) and "access_token" not in raw(WebhookEndpoint, "url", hook.pk)
    assert is_token(raw(WebhookEndpoint, "secret", hook.pk))
    stored = WebhookEndpoint.objects.get(pk=hook.pk)
    assert (stored.url, stored.secret) == (ROBOT, SECRET)


def test_an_empty_number_stays_empty():
    user = UserFactory(phone="")
    assert raw(User, "phone", user.pk) == ""
    assert User.objects.get(pk=user.pk).phone == ""


def test_the_migration_encrypts_the_values_already_stored_and_can_undo_it(plan_2022):
    unit = Unit.objects.get(name="湖滨区政府")
    hook = robot()
    write_raw(Unit, "phone", unit.pk, "0398-2812345")  # as main kept it
    write_raw(WebhookEndpoint, "secret", hook.pk, SECRET)
    migration.encrypt_existing(apps, None)
    assert is_token(raw(Unit, "phone", unit.pk)) and is_token(raw(WebhookEndpoint, "secret", hook.pk))
    migration.encrypt_existing(apps, None)  # twice: still one layer of encryption over the same number
    assert Unit.objects.get(pk=unit.pk).phone == "0398-2812345"

    class Editor:
        connection = connection

    migration.decrypt_existing(apps, Editor)
    assert raw(Unit, "phone", unit.pk) == "0398-2812345" and raw(WebhookEndpoint, "secret", hook.pk) == SECRET


def test_a_rotated_key_still_reads_what_the_old_one_wrote(settings):
    from projects.encryption import EncryptedCharField

    old = EncryptedCharField(max_length=30)
    token = old.get_prep_value("13803981234")
    settings.SALT_KEY = ["a-new-field-key-for-2023-rotation", *settings.SALT_KEY]
    rotated = EncryptedCharField(max_length=30)
    assert isinstance(rotated.f, MultiFernet)
    assert rotated.to_python(token) == "13803981234"
    # New values are written with the new key, which the old list alone cannot read.
    assert old.to_python(rotated.get_prep_value("13900000000")) != "13900000000"
