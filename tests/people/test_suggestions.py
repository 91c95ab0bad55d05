"""Inspections and suggestions: a deputy's suggestion reaches the lead unit as a message that
needs a reply; the unit answers; the deputy closes it or sends it back; nobody else reads it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import AuditRecord, Message, Project
from projects.people.models import Inspection, Suggestion, SuggestionStatus
from projects.people.services.deputies import (
    inspection_record,
    suggestion_conclude,
    suggestion_create,
    suggestion_reply,
)
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


def test_suggestion_reply_and_close_with_messages_and_audit(deputies, plan_2022, zhujian, clock):
    project = Project.objects.get(plan=plan_2022, number=2)
    deputy = deputies[0]
    suggestion = suggestion_create(
        user=deputy.user, project_id=project.pk, lead_unit_id=zhujian.unit_id, text="保留居民出行通道"
    )
    # The lead unit is told, with a link, and must reply within 15 days (10 Oct -> 25 Oct).
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
    # The unit replies through the page; a stale form is refused and keeps nothing.
    unit_client = Client()
    unit_client.force_login(zhujian)
    page = unit_client.get(f"/people/suggestions/{suggestion.pk}/").content.decode()
    assert 'id="reply"' in page
    unit_client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 1, "text": "已调整围挡，开辟临时通道"})
    stale = unit_client.post(f"/people/suggestions/{suggestion.pk}/", {"version": 1, "text": "旧页面"}, follow=True)
    assert "请刷新页面后再提交" in stale.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ANSWERED and suggestion.entries.count() == 1
    assert "已调整围挡" in Message.objects.get(recipient=deputy.user, kind="suggestion_reply").body
    # The deputy sends it back; the unit is told again; then it is answered and closed.
    suggestion_conclude(user=deputy.user, suggestion_id=suggestion.pk, version=2, accept=False, text="请公示进度")
    assert Message.objects.filter(recipient=zhujian, kind="suggestion").count() == 2
    suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=3, text="已在小区公示")
    suggestion_conclude(user=deputy.user, suggestion_id=suggestion.pk, version=4, accept=True)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CLOSED
    assert [e.kind for e in suggestion.entries.all()] == ["reply", "reopen", "reply", "accept"]
    actions = list(
        AuditRecord.objects.filter(object_type="projects.suggestion").order_by("seq").values_list("action", "result")
    )
    assert actions == [
        ("suggestion.create", "success"), ("suggestion.reply", "success"), ("suggestion.reply", "failure"),
        ("suggestion.reopen", "success"), ("suggestion.reply", "success"), ("suggestion.accept", "success"),
    ]  # fmt: skip
    with pytest.raises(Exception, match="已经办结"):
        suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=5, text="再答复")


def test_a_suggestion_goes_only_to_a_lead_unit_of_its_project(deputies, plan_2022, clock):
    project = Project.objects.get(plan=plan_2022, number=2)
    power = unit_user("三门峡供电公司", username="gongdian")  # cooperates on task 2.1, leads none of project 2
    with pytest.raises(Exception, match="请选择该项目的责任单位"):
        suggestion_create(user=deputies[0].user, project_id=project.pk, lead_unit_id=power.unit_id, text="建议")
    assert Suggestion.objects.count() == 0
