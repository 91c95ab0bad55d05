"""Nobody changes or deletes an audit record through the application; on PostgreSQL the database
refuses too; a record changed outside (triggers disabled, as someone with rights on the database
could) is found by `manage.py verify_audit`."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.audit.models import AuditChainHead, AuditRecord, AuditResult
from projects.audit.services import audit_purge, audit_record
from projects.models import Role
from projects.security.roles import roles_ensure
from tests.account_factories import OfficeAdminFactory

from .helpers import records, verify_all

pytestmark = pytest.mark.django_db

TABLE = AuditRecord._meta.db_table
TRIGGER = "projects_auditrecord_append_only"
JAN_2022 = dt.datetime(2022, 1, 10, 2, 0, tzinfo=dt.UTC)
NOV_2022 = dt.datetime(2022, 11, 1, 2, 0, tzinfo=dt.UTC)


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED LOUDLY: PostgreSQL's triggers; runs in the PostgreSQL pass of `make test`")


def auditor(*extra: str):
    """The audit administrator, holding of the audit trail's permissions only view and ``extra``
    (its role group trimmed for the test: permissions come from roles, projects/security/roles.py)."""
    from django.contrib.auth.models import Group

    from projects.models import Role
    from tests.account_factories import account

    user = account(Role.AUDIT_ADMIN, username="shenji", first_name="审计管理员")
    keep = {"view_auditrecord", *extra}
    group = Group.objects.get(name="审计管理员")
    group.permissions.remove(*group.permissions.filter(codename__endswith="_auditrecord").exclude(codename__in=keep))
    return type(user).objects.get(pk=user.pk)  # permissions are cached per instance


def three_records():
    return [audit_record(action=AuditAction.LOGIN, detail={"n": n}) for n in range(3)]


def tamper(sql: str, params=()) -> None:
    """Change the table by hand as someone who owns it would: triggers off, SQL, triggers on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def verify_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


# --- the application ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "auditor"])
def test_the_admin_shows_records_and_offers_no_way_to_change_or_delete_them(client, who):
    record = three_records()[0]
    client.force_login(OfficeAdminFactory() if who == "superuser" else auditor())
    change = reverse("admin:projects_auditrecord_change", args=[record.pk])
    assert client.get(change).status_code == 200
    page = client.get(reverse("admin:projects_auditrecord_changelist"))
    assert page.status_code == 200
    assert b'name="action"' not in page.content  # no bulk actions, not even "delete selected"
    assert client.post(change, {"action": "auth.logout", "detail": "{}"}).status_code == 403
    assert client.post(reverse("admin:projects_auditrecord_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:projects_auditrecord_add")).status_code == 403
    response = client.post(
        reverse("admin:projects_auditrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    stored = AuditRecord.objects.get(pk=record.pk)
    assert (stored.action, stored.detail) == ("auth.login", {"n": 0})
    assert verify_all().ok


def test_no_permission_to_change_or_delete_records_exists_to_be_granted():
    codenames = set(Permission.objects.filter(content_type__model="auditrecord").values_list("codename", flat=True))
    assert codenames == {"view_auditrecord", "export_auditrecord", "purge_auditrecord"}


def test_the_office_is_audited_but_does_not_audit():
    office_codenames = set(roles_ensure()[Role.OFFICE].permissions.values_list("codename", flat=True))
    assert "change_assignment" in office_codenames
    assert not office_codenames & {"view_auditrecord", "export_auditrecord", "purge_auditrecord"}


# --- the database -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET detail = '{{}}'",
        f"UPDATE {TABLE} SET actor_username = 'nobody' WHERE seq = %(seq)s",
        f"DELETE FROM {TABLE} WHERE seq = %(seq)s",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE}",
    ],
)
def test_postgresql_refuses_to_update_delete_or_truncate_audit_records(statement):
    postgres_only()
    first, *_ = three_records()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # Not the test runner's session setting that lets it empty its own database.
        cursor.execute("SET LOCAL tracker.audit_allow_truncate = ''")
        cursor.execute(statement, {"seq": first.seq})
    assert records().count() == 3
    assert verify_all().ok


@pytest.mark.postgres
def test_postgresql_refuses_the_orm_too():
    postgres_only()
    three_records()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.update(result=AuditResult.FAILURE)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.all().delete()
    assert records(result=AuditResult.SUCCESS).count() == 3


@pytest.mark.postgres
def test_postgresql_lets_a_purge_delete_only_records_older_than_180_days():
    postgres_only()
    recent = audit_record(action=AuditAction.LOGIN)  # now, by the database's own clock too
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('tracker.audit_purge_before', '2999-01-01', true)")
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [recent.seq])
    assert records().filter(pk=recent.pk).exists()


# --- verify_audit -------------------------------------------------------------------------


def test_verify_audit_passes_an_untouched_chain():
    three_records()
    assert "校验通过：3 条记录" in verify_output()


def test_verify_audit_names_the_record_changed_by_hand_in_sql():
    _first, second, _third = three_records()
    tamper(f"UPDATE {TABLE} SET actor_username = 'someone_else' WHERE seq = %s", [second.seq])
    with pytest.raises(CommandError) as failed:
        verify_output()
    assert f"第 {second.seq} 号记录（id {second.pk}）：its content was changed" in str(failed.value)
    assert "此前 1 条记录完好" in str(failed.value)
    # The failed check is itself recorded.
    assert records(AuditAction.AUDIT_VERIFY).get().result == AuditResult.FAILURE


def test_verify_audit_finds_a_record_removed_from_the_middle():
    _first, second, third = three_records()
    tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [second.seq])
    with pytest.raises(CommandError, match=f"第 {third.seq} 号记录.*records {second.seq}–{second.seq} are missing"):
        verify_output()


def test_verify_audit_finds_records_removed_from_the_end():
    _first, _second, third = three_records()
    tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [third.seq])
    with pytest.raises(CommandError, match="at the end of the chain are missing"):
        verify_output()


def test_verify_audit_finds_records_removed_from_the_start():
    first, _second, _third = three_records()
    tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [first.seq])
    with pytest.raises(CommandError, match="records before this one are missing"):
        verify_output()


def test_a_chain_rewritten_without_the_key_is_found():
    import hashlib

    _first, second, _third = three_records()
    # Someone who can write the table but has not the key recomputes the hashes from the changed
    # record on, with any key of their own.
    from projects.audit.chain import record_hash

    forged = AuditRecord.objects.get(pk=second.pk)
    forged.actor_username = "someone_else"
    forged.hash = record_hash(forged, hashlib.sha256(b"guess").digest())
    tamper(f"UPDATE {TABLE} SET actor_username = %s, hash = %s WHERE seq = %s", ["someone_else", forged.hash, second.seq])
    with pytest.raises(CommandError, match=f"第 {second.seq} 号记录.*its content was changed"):
        verify_output()


def test_records_signed_with_a_rotated_key_stay_checkable(settings):
    three_records()
    settings.AUDIT_HMAC_KEYS = ["a-new-audit-key-for-2023", *settings.AUDIT_HMAC_KEYS]
    audit_record(action=AuditAction.LOGOUT)
    assert len(set(records().values_list("key_id", flat=True))) == 2
    assert "校验通过：4 条记录" in verify_output()
    settings.AUDIT_HMAC_KEYS = ["a-new-audit-key-for-2023"]  # the old key dropped: old records unverifiable
    with pytest.raises(CommandError, match="which is not configured"):
        verify_output()


# --- retention ----------------------------------------------------------------------------


def test_only_the_holder_of_purge_auditrecord_may_purge_and_the_refusal_is_recorded():
    with time_machine.travel(JAN_2022, tick=False):
        three_records()
    office = OfficeAdminFactory(is_superuser=False)
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False), pytest.raises(PermissionDenied):
        audit_purge(actor=office)
    assert records().count() == 4
    assert records(AuditAction.AUDIT_PURGE).get().result == AuditResult.FAILURE


def test_records_younger_than_180_days_are_never_purged():
    with time_machine.travel(NOV_2022, tick=False):
        three_records()
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False):
        purger = auditor("purge_auditrecord")
        assert audit_purge(actor=purger).deleted == 0
        with pytest.raises(ValidationError, match="至少保存 180 天"):
            audit_purge(actor=purger, before=dt.datetime(2022, 12, 1, tzinfo=dt.UTC))
    assert records(AuditAction.LOGIN).count() == 3


def test_a_purge_removes_older_records_is_recorded_and_the_chain_still_verifies():
    with time_machine.travel(JAN_2022, tick=False):
        three_records()  # 10 January 2022
    with time_machine.travel(NOV_2022, tick=False):
        kept = audit_record(action=AuditAction.LOGOUT)  # 1 November 2022
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False):
        result = audit_purge(actor=auditor("purge_auditrecord"))
    # 180 days before 1 January 2023 is 5 July 2022: January's three go, November's stays.
    assert result.deleted == 3
    assert list(records().values_list("action", flat=True)) == ["auth.logout", "audit.purge"]
    purge = records(AuditAction.AUDIT_PURGE).get()
    assert purge.actor_username == "shenji"
    assert purge.detail["deleted"] == 3 and purge.detail["first_kept_seq"] == kept.seq
    assert purge.detail["boundary_hash"] == kept.prev_hash
    assert "校验通过：2 条记录" in verify_output()
    # A record changed after the purge is still found.
    tamper(f"UPDATE {TABLE} SET object_repr = 'x' WHERE seq = %s", [kept.seq])
    with pytest.raises(CommandError, match=f"第 {kept.seq} 号记录.*its content was changed"):
        verify_output()


def test_a_purge_of_everything_leaves_a_chain_that_starts_at_the_purge():
    with time_machine.travel(JAN_2022, tick=False):
        three_records()
    with time_machine.travel(dt.datetime(2023, 1, 1, tzinfo=dt.UTC), tick=False):
        call_command("purge_audit", "--user", auditor("purge_auditrecord").username, stdout=__import__("io").StringIO())
    assert actions() == ["audit.purge"]
    assert AuditChainHead.objects.get().last_hash == records().get().hash
    assert "校验通过：1 条记录" in verify_output()


def actions():
    return list(records().values_list("action", flat=True))
