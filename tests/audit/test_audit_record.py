"""The one recording function: what each record holds, and the chain it extends."""

import datetime as dt
import itertools
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test import RequestFactory

from projects.audit.actions import AuditAction, action_label
from projects.audit.chain import record_hash, signing_key
from projects.audit.models import AuditRecord, AuditResult, AuditVia
from projects.audit.services import AuditTarget, audit_context, audit_record, audit_refusals
from projects.models import Plan
from tests.account_factories import UserFactory

from .helpers import records, verify_all

pytestmark = pytest.mark.django_db

MONDAY_9AM = dt.datetime(2022, 6, 6, 1, 0, tzinfo=dt.UTC)  # 09:00 in Sanmenxia


def test_a_record_keeps_who_when_where_what_on_what_and_the_result(plan_2022):
    user = UserFactory(username="hubin", role="unit")
    request = RequestFactory().post("/report/2022-06/", REMOTE_ADDR="10.41.2.17")
    request.user = user
    with time_machine.travel(MONDAY_9AM, tick=False):
        record = audit_record(action=AuditAction.PLAN_LOAD, request=request, obj=plan_2022, detail={"created": 3})
    stored = AuditRecord.objects.get(pk=record.pk)
    assert stored.at == MONDAY_9AM
    assert (stored.actor, stored.actor_username, stored.actor_role) == (user, "hubin", "unit")
    assert stored.address == "10.41.2.17"
    assert (stored.via, stored.source) == (AuditVia.WEB, "POST /report/2022-06/")
    assert stored.action == "plan.load" and action_label(stored.action) == "导入方案"
    assert (stored.object_type, stored.object_id) == ("projects.plan", str(plan_2022.pk))
    assert stored.object_repr == str(plan_2022)
    assert stored.result == AuditResult.SUCCESS
    assert stored.detail == {"created": 3}


def test_the_record_keeps_the_username_and_role_the_actor_had_then():
    user = UserFactory(username="zhangsan", role="unit")
    record = audit_record(action=AuditAction.LOGIN, actor=user)
    user.username, user.role = "lisi", "leader"
    user.save()
    record.refresh_from_db()
    assert (record.actor_username, record.actor_role) == ("zhangsan", "unit")
    # Deleting the account neither touches nor blocks the record of what it did.
    user.delete()
    record.refresh_from_db()
    assert record.actor_id is not None and record.actor_username == "zhangsan"


def test_without_a_request_the_record_says_which_command_or_job_it_came_from():
    plain = audit_record(action=AuditAction.ALERT_SCAN)
    assert (plain.via, plain.actor_id, plain.address) == (AuditVia.SYSTEM, None, "")
    with audit_context(via=AuditVia.COMMAND, source="manage.py scan (root@web1)"):
        command = audit_record(action=AuditAction.ALERT_SCAN)
    assert (command.via, command.source) == (AuditVia.COMMAND, "manage.py scan (root@web1)")


def test_a_page_request_carries_its_user_and_address_to_records_made_deeper_down():
    user = UserFactory()
    request = RequestFactory().get("/dashboards/", HTTP_X_REAL_IP="10.0.0.9", REMOTE_ADDR="10.41.7.7")
    request.user = user
    with audit_context(request=request, via=AuditVia.WEB):
        record = audit_record(action=AuditAction.EXPORT)  # a service called by the view passes nothing
    assert (record.actor, record.address, record.source) == (user, "10.41.7.7", "GET /dashboards/")


def test_an_address_that_is_not_an_ip_is_not_stored():
    request = RequestFactory().get("/", REMOTE_ADDR="<script>")
    request.user = UserFactory()
    assert audit_record(action=AuditAction.EXPORT, request=request).address == ""


def test_each_record_links_to_the_one_before_and_the_chain_verifies():
    first = audit_record(action=AuditAction.LOGIN)
    second = audit_record(action=AuditAction.LOGOUT)
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert verify_all().ok


def test_the_hash_is_over_what_the_database_gives_back_on_either_database():
    # Floats, decimals, dates, Chinese, NUL and a lone surrogate: stored and read back, the hash holds.
    detail = {
        "value": Decimal("12.3400"),
        "ratio": 0.1 + 0.2,
        "big": 1e16,
        "month": dt.date(2022, 6, 1),
        "text": "湖滨区\x00政府\ud800",
        "nested": {"b": [1, 2.5, None, True], "a": "ok"},
        "units": {"卢氏县政府", "湖滨区政府"},
    }
    record = audit_record(action=AuditAction.FIGURE_SUBMIT, detail=detail, obj=AuditTarget(type="x", id="1", text="\x00t"))
    stored = AuditRecord.objects.get(pk=record.pk)
    assert stored.detail["value"] == "12.3400"
    assert stored.detail["text"] == "湖滨区政府?"
    assert stored.detail["units"] == ["卢氏县政府", "湖滨区政府"]
    assert record_hash(stored, signing_key()[1]) == stored.hash


def test_a_changed_record_no_longer_matches_its_hash():
    record = audit_record(action=AuditAction.LOGIN, detail={"a": 1})
    record.detail = {"a": 2}
    assert record_hash(record, signing_key()[1]) != record.hash


def test_a_refused_act_is_recorded_as_a_failure_with_the_reason_and_the_refusal_goes_on():
    user = UserFactory()
    with pytest.raises(Plan.DoesNotExist), audit_refusals(action=AuditAction.MONTH_CLOSE, actor=user):
        raise Plan.DoesNotExist("only the office closes months")
    (record,) = records(AuditAction.MONTH_CLOSE)
    assert record.result == AuditResult.FAILURE
    assert record.actor == user
    assert record.detail == {"reason": "not found, or not permitted"}


def test_a_flushed_database_starts_a_new_head():
    from projects.audit.models import AuditChainHead

    AuditChainHead.objects.all().delete()
    record = audit_record(action=AuditAction.LOGIN)
    assert AuditChainHead.objects.get().last_hash == record.hash
    assert verify_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_moment_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED LOUDLY: needs PostgreSQL's row locks; runs in the PostgreSQL pass of `make test`")
    threads_count, each = 4, 25
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            start.wait()
            for n in range(each):
                audit_record(action=AuditAction.LOGIN, detail={"writer": i, "n": n})
        except BaseException as exc:  # the test inspects it
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    written = list(AuditRecord.objects.order_by("seq"))
    assert len(written) == threads_count * each
    seqs = [r.seq for r in written]
    assert seqs == list(range(seqs[0], seqs[0] + len(written)))
    # No two records chain to the same predecessor, and each links to the one before it.
    assert len({r.prev_hash for r in written}) == len(written)
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(written))
    assert verify_all().ok
