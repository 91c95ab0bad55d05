"""Acts in the admin, and data leaving the tracker (exports, templates, bulletins, evidence files,
export commands), in the audit trail. Finding: reads, exports and downloads were not recorded."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from projects.audit.actions import AuditAction
from projects.audit.models import AuditVia
from projects.models import Channel, Delivery, DeliveryStatus, Event, NotificationRule, Unit
from projects.services import reporting
from projects.services.reporting import FigureInput
from tests.account_factories import OfficeAdminFactory
from tests.reporting.conftest import JUNE, indicator
from tests.reporting.test_permissions import PNG

from .helpers import records

pytestmark = pytest.mark.django_db


# --- the admin ------------------------------------------------------------------------------


def test_a_change_in_the_admin_is_recorded_with_who_made_it_and_what_changed(client, plan_2022):
    superuser = OfficeAdminFactory()
    unit = Unit.objects.get(name="湖滨区政府")
    client.force_login(superuser)
    url = reverse("admin:projects_unit_change", args=[unit.pk])
    response = client.post(
        url, {"name": unit.name, "kind": unit.kind, "position": unit.position, "responsible_person": "张三",
              "phone": "0398-2812345", "email": "hubin@example.gov.cn"},
        REMOTE_ADDR="10.41.0.5",
    )  # fmt: skip
    assert response.status_code == 302
    (change,) = records(AuditAction.ADMIN_CHANGE)
    assert (change.actor, change.address, change.object_type, change.object_id) == (
        superuser, "10.41.0.5", "projects.unit", str(unit.pk),
    )  # fmt: skip
    assert change.source == f"POST {url}"
    changed = change.detail["changes"][0]["changed"]["fields"]
    assert "责任人" in changed and "联系电话" in changed


def test_a_deletion_and_an_action_in_the_admin_are_recorded(client, plan_2022):
    superuser = OfficeAdminFactory()
    client.force_login(superuser)
    rule = NotificationRule.objects.create(event=Event.DIGEST, audience="leader")
    response = client.post(reverse("admin:projects_notificationrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 302
    now = timezone.now()
    failed = Delivery.objects.create(
        channel=Channel.EMAIL, recipient="x@example.org", dedupe_key="d", event=Event.DIGEST, subject="s", body="b",
        next_attempt_at=now, created=now, status=DeliveryStatus.FAILED,
    )  # fmt: skip
    client.post(
        reverse("admin:projects_delivery_changelist"), {"action": "requeue", "_selected_action": [failed.pk]}
    )
    (deletion,) = records(AuditAction.ADMIN_DELETE)
    assert (deletion.object_type, deletion.object_id) == ("projects.notificationrule", str(rule.pk))
    (action,) = records(AuditAction.ADMIN_ACTION)
    assert action.detail == {"action": "requeue", "ids": [str(failed.pk)]}
    assert records(AuditAction.DELIVERY_REQUEUE).get().object_id == str(failed.pk)


def test_every_registered_admin_records_its_acts():
    from django.contrib import admin

    from projects.audit.admin import AuditedAdminMixin

    assert [m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedAdminMixin)] == []


# --- downloads and exports ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "args", "params", "action", "what"),
    [
        ("lagging_list", [], {"month": "2022-06", "_export": "csv"}, AuditAction.EXPORT, "lagging"),
        ("overdue_list", [], {"month": "2022-06", "_export": "xlsx"}, AuditAction.EXPORT, "overdue"),
        ("missing_list", [], {"month": "2022-06", "_export": "csv"}, AuditAction.EXPORT, "missing"),
        ("alert_list", [], {"month": "2022-06", "_export": "xlsx"}, AuditAction.EXPORT, "alerts"),
        ("bulletin_download", ["xlsx"], {"month": "2022-06"}, AuditAction.DOWNLOAD, "bulletin"),
        ("review_export", [], {"status": "submitted"}, AuditAction.EXPORT, "submissions"),
    ],
)
def test_each_export_of_the_office_is_recorded_with_its_query(
    client, clock, office, url_name, args, params, action, what
):
    client.force_login(office)
    response = client.get(reverse(url_name, args=args), params, REMOTE_ADDR="10.41.0.8")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    (record,) = records(action)
    assert (record.actor, record.address, record.detail["what"]) == (office, "10.41.0.8", what)
    assert {k: v for k, v in record.detail["query"].items()} == params


def test_the_units_template_and_evidence_downloads_are_recorded(client, clock, hubin, office, private_media):
    client.force_login(hubin)
    assert client.get(reverse("report_template", args=[JUNE])).status_code == 200
    draft = reporting.submission_save(
        user=hubin, indicator_id=indicator("1.1.1").pk, month=JUNE, figure=FigureInput(), version=0, submit=False
    )
    evidence = reporting.evidence_add(
        user=hubin, submission_id=draft.pk, upload=SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    )
    client.force_login(office)
    response = client.get(reverse("evidence_file", args=[evidence.pk]))
    b"".join(response.streaming_content)
    template, photo = records(AuditAction.DOWNLOAD)
    assert (template.actor, template.detail["what"], template.object_repr) == (hubin, "report_template", "湖滨区政府")
    assert (photo.actor, photo.detail["what"], photo.object_id) == (office, "evidence", str(evidence.pk))


@pytest.mark.parametrize(
    ("command", "args", "what"),
    [
        ("export_plan", ["2022"], "plan"),
        ("export_figures", ["2022", "--month", "2022-06"], "figures"),
    ],
)
def test_export_commands_are_recorded_with_who_ran_them(plan_2022, command, args, what):
    call_command(command, *args, stdout=StringIO())
    (record,) = records(AuditAction.EXPORT)
    assert (record.via, record.detail["what"], record.object_id) == (AuditVia.COMMAND, what, str(plan_2022.pk))
    assert record.source.startswith(f"manage.py {command} (")


def test_the_bulletin_command_is_recorded(plan_2022, tmp_path):
    call_command("bulletin", "2022-06", "--xlsx", str(tmp_path / "b.xlsx"), stdout=StringIO())
    (record,) = records(AuditAction.EXPORT)
    assert (record.detail["what"], record.detail["xlsx"]) == ("bulletin", str(tmp_path / "b.xlsx"))


def test_every_command_says_it_is_a_command_in_its_records():
    import importlib
    import pkgutil

    import projects.management.commands as commands
    from projects.audit.commands import AuditedCommand

    plain = [
        name
        for _f, name, _p in pkgutil.iter_modules(commands.__path__)
        if not issubclass(importlib.import_module(f"{commands.__name__}.{name}").Command, AuditedCommand)
    ]
    assert plain == []
