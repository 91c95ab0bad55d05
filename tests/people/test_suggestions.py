"""Inspections and suggestions: a deputy's suggestion reaches the lead unit as a message that
needs a reply; the unit answers; the deputy closes it or sends it back; nobody else reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import AuditRecord, Message, Project, Role
from projects.people.models import Inspection, Suggestion
from projects.people.services.deputies import (
    inspection_record,
    suggestion_conclude,
    suggestion_create,
    suggestion_reminders_send,
    suggestion_reply,
)
from projects.supervision.states import LoopState
from projects.supervision.tasks import remind_answers
from tests.account_factories import account
from tests.factories import unit_user
from tests.reporting.test_permissions import PNG

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhujian(plan_2022):
    return unit_user("市住房城乡建设局", username="zhujian", email="zhujian@tracker.example")


def test_a_deputy_records_an_inspection_with_photos_refusing_what_is_not_a_photo(
    deputies, plan_2022, clock, private_media
):
    project = Project.objects.get(plan=plan_2022, number=2)
    inspection = inspection_record(
        user=deputies[0].user, project_id=project.pk, visited_on=NOW.date(), place="湖滨区某小区",
        notes="已开工", photos=[SimpleUploadedFile("现场.png", PNG + b"1", content_type="image/png")],
    )  # fmt: skip
    assert inspection.photos.count() == 1
    with pytest.raises(Exception, match="不是 JPEG 或 PNG 照片"):
        inspection_record(
            user=deputies[0].user, project_id=project.pk, visited_on=NOW.date(), place="某地",
            notes="备注", photos=[SimpleUploadedFile("x.png", b"%PDF-1.4 not a photo", content_type="image/png")],
        )  # fmt: skip
    assert Inspection.objects.count() == 1
    # The photo is the deputy's (and the office's), not another deputy's.
    own, other = Client(), Client()
    own.force_login(deputies[0].user)
    other.force_login(deputies[1].user)
    photo = inspection.photos.get()
    assert own.get(f"/people/inspections/photos/{photo.pk}/").status_code == 200
    assert other.get(f"/people/inspections/photos/{photo.pk}/").status_code == 404


def test_suggestion_goes_through_the_loop_with_messages_history_and_audit(deputies, plan_2022, zhujian, clock):
    project = Project.objects.get(plan=plan_2022, number=2)
    deputy = deputies[0]
    suggestion = suggestion_create(
        user=deputy.user, project_id=project.pk, lead_unit_id=zhujian.unit_id, text="保留居民出行通道"
    )
    # 交办: issued to the lead unit, told with a link, a reply due within 15 days (10 Oct -> 25 Oct).
    assert (suggestion.state, suggestion.deadline) == (LoopState.ISSUED, dt.date(2022, 10, 25))
    message = Message.objects.get(recipient=zhujian, kind="suggestion")
    assert message.link == f"/people/suggestions/{suggestion.pk}/"
    assert "请于 2022年10月25日 前答复" in message.body
    # Another unit, another deputy: not found.
    hubin = unit_user("湖滨区政府", username="hubin")
    for user in (hubin, deputies[1].user):
        client = Client()
        client.force_login(user)
        assert client.get(f"/people/suggestions/{suggestion.pk}/").status_code == 404
        assert client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 1, "text": "x"}).status_code == 404
    # 签收 on the page, then 办理反馈; a stale form is refused and keeps nothing.
    unit_client = Client()
    unit_client.force_login(zhujian)
    page = unit_client.get(f"/people/suggestions/{suggestion.pk}/").content.decode()
    assert 'id="acknowledge"' in page and 'id="reply"' in page and "待签收" in page
    unit_client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 1, "action": "acknowledge"})
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.version, suggestion.acknowledged_by) == (LoopState.ACKNOWLEDGED, 2, zhujian)
    stale = unit_client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 1, "text": "旧页面"}, follow=True)
    assert "请刷新页面" in stale.content.decode()
    unit_client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 2, "text": "已调整围挡，开辟临时通道"})
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.version) == (LoopState.ANSWERED, 3)
    assert "已调整围挡" in Message.objects.get(recipient=deputy.user, kind="suggestion_reply").body
    # 核查 by the deputy: sent back (a reason is needed), with a fresh deadline; the unit is told again.
    with pytest.raises(Exception, match="请说明还需要办理的内容"):
        suggestion_conclude(user=deputy.user, suggestion_id=suggestion.pk, version=3, accept=False, text=" ")
    clock.move_to(NOW + dt.timedelta(days=3))
    suggestion_conclude(user=deputy.user, suggestion_id=suggestion.pk, version=3, accept=False, text="请公示进度")
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.deadline) == (LoopState.RETURNED, dt.date(2022, 10, 28))
    again = Message.objects.filter(recipient=zhujian, kind="suggestion").order_by("pk").last()
    assert "继续办理" in again.subject and "2022年10月28日" in again.body and "请公示进度" in again.body
    suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=4, text="已在小区公示")
    suggestion_conclude(user=deputy.user, suggestion_id=suggestion.pk, version=5, accept=True)
    suggestion.refresh_from_db()
    assert suggestion.state == LoopState.CLOSED and suggestion.closed_by == deputy.user
    # The loop's history, as a notice keeps it: who, what, from which state to which, the texts.
    steps = [(e.action, e.from_state, e.to_state, e.reason) for e in suggestion.events.order_by("at", "pk")]
    assert steps == [
        ("issue", "", "issued", "交办市住房城乡建设局，答复期限 2022年10月25日"),
        ("acknowledge", "issued", "acknowledged", ""),
        ("answer", "acknowledged", "answered", "已调整围挡，开辟临时通道"),
        ("send_back", "answered", "returned", "请公示进度"),
        ("answer", "returned", "answered", "已在小区公示"),
        ("accept", "answered", "closed", ""),
    ]
    detail = Client()
    detail.force_login(deputy.user)
    html = detail.get(f"/people/suggestions/{suggestion.pk}/").content.decode()
    assert 'id="history"' in html and "退回重新办理" in html and "已办结" in html
    actions = list(
        AuditRecord.objects.filter(object_type="projects.suggestion").order_by("seq").values_list("action", "result")
    )
    assert actions == [
        ("suggestion.create", "success"), ("suggestion.acknowledge", "success"), ("suggestion.reply", "failure"),
        ("suggestion.reply", "success"), ("suggestion.reopen", "failure"), ("suggestion.reopen", "success"),
        ("suggestion.reply", "success"), ("suggestion.accept", "success"),
    ]  # fmt: skip
    with pytest.raises(Exception, match="已经办结"):
        suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=6, text="再答复")


def test_reminder_before_the_deadline_and_urge_after_it_once_each(deputies, plan_2022, zhujian, clock):
    """Due 25 October: the reminder from 23 October (the loop's two days before), the 催办 from
    26 October, to the unit, the day's list to the office and to the deputy; a rerun sends nothing."""
    project = Project.objects.get(plan=plan_2022, number=2)
    office = account(Role.OFFICE, username="duchashi")
    suggestion = suggestion_create(user=deputies[0].user, project_id=project.pk, lead_unit_id=zhujian.unit_id, text="建议")
    assert suggestion_reminders_send(as_of=dt.date(2022, 10, 22)) == []
    clock.move_to(dt.datetime(2022, 10, 23, 8, 30, tzinfo=NOW.tzinfo))
    assert suggestion_reminders_send(as_of=dt.date(2022, 10, 23))
    reminder = Message.objects.get(recipient=zhujian, kind="loop_reminder")
    assert "请于 2022年10月25日 前答复" in reminder.subject and reminder.link == f"/people/suggestions/{suggestion.pk}/"
    assert suggestion_reminders_send(as_of=dt.date(2022, 10, 24)) == []
    # The deadline day itself is on time; the day after, the 催办.
    assert suggestion_reminders_send(as_of=dt.date(2022, 10, 25)) == []
    clock.move_to(dt.datetime(2022, 10, 26, 8, 30, tzinfo=NOW.tzinfo))
    # The loop's daily job (督办和批示反馈提醒、逾期催办) sends the suggestions' 催办 too.
    assert remind_answers("2022-10-26") > 0
    urge = Message.objects.get(recipient=zhujian, kind="loop_urge")
    assert "已过答复期限" in urge.subject and "2022年10月25日 已过" in urge.body
    office_list = Message.objects.get(recipient=office, kind="loop_urge_summary")
    assert "1 条代表建议逾期未答复" in office_list.subject and "市住房城乡建设局" in office_list.body
    assert Message.objects.filter(recipient=deputies[0].user, kind="loop_urge_summary").count() == 1
    assert suggestion_reminders_send(as_of=dt.date(2022, 10, 27)) == []
    assert Message.objects.filter(kind__in=["loop_reminder", "loop_urge"]).count() == 2
    assert [e.action for e in suggestion.events.order_by("at", "pk")] == ["issue", "remind", "urge"]
    # Answered late: marked so in the history and the deputy's message.
    suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=1, text="已办理")
    assert suggestion.events.get(action="answer").reason == "已办理（逾期反馈）"


def test_a_suggestion_goes_only_to_a_lead_unit_of_its_project(deputies, plan_2022, clock):
    project = Project.objects.get(plan=plan_2022, number=2)
    power = unit_user("三门峡供电公司", username="gongdian")  # cooperates on task 2.1, leads none of project 2
    with pytest.raises(Exception, match="请选择该项目的责任单位"):
        suggestion_create(user=deputies[0].user, project_id=project.pk, lead_unit_id=power.unit_id, text="建议")
    assert Suggestion.objects.count() == 0
