"""The audit administrator's page: search, pages of 50, export of exactly the rows found."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import AuditTarget, audit_record
from tests.account_factories import OfficeAdminFactory, UserFactory
from tests.factories import OfficeUserFactory

from .helpers import empty_audit_trail, records

pytestmark = pytest.mark.django_db

JUNE_6 = dt.datetime(2022, 6, 6, 1, 0, tzinfo=dt.UTC)


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


def trail():
    """Nine acts over three days, by two people from two addresses."""
    hubin, zhujian = UserFactory(username="hubin"), UserFactory(username="zhujian")
    for day in range(3):
        with time_machine.travel(JUNE_6 + dt.timedelta(days=day), tick=False):
            audit_record(action=AuditAction.LOGIN, actor=hubin, detail={"day": day})
            audit_record(
                action=AuditAction.LOGIN_FAILED, result=AuditResult.FAILURE,
                obj=AuditTarget(type="projects.user", id=str(zhujian.pk), text="zhujian"),
            )  # fmt: skip
            audit_record(action=AuditAction.MONTH_CLOSE, actor=zhujian, obj=AuditTarget(type="projects.plan", id="1", text="2022 方案"))


def log_in(client, user) -> None:
    """The auditor logs in first: the login's own record is not part of the trail under test."""
    client.force_login(user)
    empty_audit_trail()


def rows(client, **params):
    response = client.get(reverse("audit_list"), params)
    assert response.status_code == 200
    return response, list(response.context["table"].page.object_list)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 10),  # the nine, and this search itself
        ({"since": "2022-06-07"}, 7),
        ({"since": "2022-06-07", "until": "2022-06-07"}, 3),
        ({"actor": "hubin"}, 3),
        ({"action": AuditAction.MONTH_CLOSE}, 3),
        ({"result": AuditResult.FAILURE}, 3),
        ({"target": "zhujian"}, 3),
        ({"target": "projects.plan:1"}, 3),
        ({"target": "projects.plan"}, 3),
        ({"actor": "zhujian", "since": "2022-06-08"}, 1),
    ],
)
def test_the_auditor_searches_by_time_actor_act_object_and_result(client, params, expected):
    log_in(client, auditor())
    trail()
    _response, found = rows(client, **params)
    assert len(found) == expected


def test_search_by_address_and_pages_of_fifty(client):
    from django.test import RequestFactory

    log_in(client, auditor())
    request = RequestFactory().get("/", REMOTE_ADDR="10.41.7.7")
    request.user = UserFactory(username="lushi")
    for _ in range(55):
        audit_record(action=AuditAction.EXPORT, request=request)
    response, found = rows(client, address="10.41.7")
    assert len(found) == 50 and response.context["table"].page.paginator.count == 55
    _response, second = rows(client, address="10.41.7", page=2)
    assert len(second) == 5
    assert found[0].record.seq > found[-1].record.seq > second[0].record.seq  # newest first


def test_the_export_is_exactly_the_rows_found_and_is_recorded(client):
    log_in(client, auditor("export_auditrecord"))
    trail()
    response = client.get(reverse("audit_list"), {"action": AuditAction.LOGIN, "_export": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    assert "哈希" in header and "操作" in header
    assert len(body) == 3
    assert {row[header.index("操作")] for row in body} == {"登录 (auth.login)"}
    assert {row[header.index("时间")] for row in body} == {"2022-06-06 09:00:00", "2022-06-07 09:00:00", "2022-06-08 09:00:00"}
    (export,) = records(AuditAction.AUDIT_EXPORT)
    assert export.detail["rows"] == 3 and export.detail["query"] == {"action": "auth.login", "_export": "csv"}


def test_viewing_the_trail_is_itself_recorded_and_listed(client):
    log_in(client, auditor())
    response, found = rows(client, actor="shenji")
    (view,) = records(AuditAction.AUDIT_VIEW)
    assert view.actor_username == "shenji" and view.detail["query"] == {"actor": "shenji"}
    assert [row.record for row in found] == [view]
    assert response.context["table"].page.paginator.count == 1
    assert 'badge text-bg-success">成功' in response.content.decode()


def test_without_the_export_permission_there_is_no_export(client):
    log_in(client, auditor())
    trail()
    response, _found = rows(client)
    assert "_export=" not in response.content.decode()
    assert client.get(reverse("audit_list"), {"_export": "csv"}).status_code == 404


@pytest.mark.parametrize("who", ["office", "unit", "staff"])
def test_nobody_else_reads_the_trail(client, who):
    """Finding: there was no audit administrator; only the superuser could read the login records."""
    user = {
        "office": lambda: OfficeUserFactory(is_staff=True),
        "unit": lambda: UserFactory(),
        "staff": lambda: OfficeAdminFactory(is_superuser=False),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("audit_list")).status_code == 404
    assert client.get(reverse("admin:projects_auditrecord_changelist")).status_code in (302, 403)


def test_the_auditor_purges_through_the_page(client):
    log_in(client, auditor("purge_auditrecord"))
    with time_machine.travel(dt.datetime(2022, 1, 3, tzinfo=dt.UTC), tick=False):
        audit_record(action=AuditAction.LOGIN)
    with time_machine.travel(dt.datetime(2023, 1, 3, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("audit_list")).content.decode()
        assert "清理过期记录" in page
        response = client.post(reverse("audit_purge"), {"before": "2022-07-01"}, follow=True)
        assert "已清理 1 条" in response.content.decode()
        response = client.post(reverse("audit_purge"), {"before": "2022-12-01"}, follow=True)
        assert "至少保存 180 天" in response.content.decode()
    # The January login is gone; the page views, the purge and the refused purge are kept.
    assert [r.action for r in records()] == [
        AuditAction.AUDIT_VIEW, AuditAction.AUDIT_PURGE, AuditAction.AUDIT_VIEW, AuditAction.AUDIT_PURGE,
        AuditAction.AUDIT_VIEW,
    ]  # fmt: skip
    assert [r.result for r in records(AuditAction.AUDIT_PURGE)] == [AuditResult.SUCCESS, AuditResult.FAILURE]


def test_the_page_speaks_english_too(client):
    log_in(client, auditor())
    trail()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("audit_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Audit trail" in page and "Log in" in page


def test_the_menu_offers_the_audit_page_to_its_readers_only(client, plan_2022):
    client.force_login(auditor())
    assert 'href="/audit/"' in client.get(reverse("inbox")).content.decode()
    client.force_login(OfficeUserFactory(is_staff=True))
    assert 'href="/audit/"' not in client.get(reverse("inbox")).content.decode()
