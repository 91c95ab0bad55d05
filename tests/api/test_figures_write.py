"""A department's system sends a month's figures: the form's checks and messages, all or nothing,
the optimistic lock, and an idempotency key that makes a retry store once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.api.models import ApiScope, IdempotencyKey
from projects.audit.models import AuditRecord
from projects.models import Submission, SubmissionStatus
from tests.reporting.conftest import JUNE, MAY, indicator, unit

from .helpers import make_client, post

pytestmark = pytest.mark.django_db

URL = "/api/v1/figures/"


@pytest.fixture
def writer(plan_2022, clock):
    """湖滨区政府's statistics system: writes for 湖滨区政府 only."""
    return make_client("湖滨区统计系统", scope=ApiScope.WRITE, units=("湖滨区政府",))


def body(*figures: dict, unit_name: str = "湖滨区政府", month: str = "2022-06", submit: bool = True) -> dict:
    return {"unit": unit(unit_name).pk, "month": month, "submit": submit, "figures": list(figures)}


def figure(code: str, version: int = 0, **fields) -> dict:
    return {"indicator": indicator(code).pk, "version": version, **fields}


def snapshot() -> list:
    return list(Submission.objects.order_by("pk").values("pk", "indicator", "unit", "month", "value", "version"))


def test_a_month_of_figures_is_stored_and_submitted(writer):
    _client, token = writer
    response = post(
        token,
        URL,
        body(
            figure("1.1.1", value=12000, progress_text="培训\x0012000人次\x07"), figure("3.1.3", numerator=40, denominator=50)
        ),
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["unit"] == "湖滨区政府" and answer["month"] == "2022-06"
    training = Submission.objects.get(indicator=indicator("1.1.1"), unit=unit("湖滨区政府"), month=JUNE)
    assert (training.value, training.status, training.version, training.late) == (
        12000,
        SubmissionStatus.SUBMITTED,
        1,
        False,
    )
    assert training.progress_text == "培训12000人次"
    # The answer is export_figures' row with the ids and the version the next write sends.
    rows = {r["indicator_id"]: r for r in answer["figures"]}
    assert rows[indicator("1.1.1").pk] == {
        "project": 1, "task": 1, "indicator": "技能培训", "unit": "湖滨区政府", "month": "2022-06",
        "value": 12000, "numerator": None, "denominator": None, "stage": None, "status": "submitted",
        "submitted_at": "2022-07-03T10:00:00+08:00", "late": False,
        "id": training.pk, "indicator_id": indicator("1.1.1").pk, "unit_id": unit("湖滨区政府").pk, "version": 1,
    }  # fmt: skip
    # The figure's history says which system sent it; the audit trail records the act and the call.
    assert training.history.first().history_change_reason == "通过接口报送（湖滨区统计系统）"
    act = AuditRecord.objects.get(action="submission.api")
    assert (act.actor_username, act.via, act.result, act.address) == (
        "api:湖滨区统计系统",
        "api",
        "success",
        "127.0.0.1",
    )
    call = AuditRecord.objects.filter(action="api.call").latest("seq")
    assert call.detail["status"] == 200 and call.detail["method"] == "POST" and call.via == "api"


def test_a_retry_with_the_same_key_stores_once(writer):
    client, token = writer
    sent = body(figure("1.1.1", value=12000))
    first = post(token, URL, sent, key="2022-06-湖滨-1")
    stored = snapshot()
    history = Submission.history.count()
    again = post(token, URL, sent, key="2022-06-湖滨-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert snapshot() == stored and Submission.history.count() == history
    assert IdempotencyKey.objects.filter(client=client).count() == 1
    # Without the key the same figures are a new write, based on an old version: refused.
    stale = post(token, URL, sent, key="2022-06-湖滨-2")
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["message"].startswith("保存失败：该月报已在您打开页面后被修改")
    assert snapshot() == stored


def test_a_key_used_for_another_request_is_refused(writer):
    _client, token = writer
    post(token, URL, body(figure("1.1.1", value=12000)), key="k")
    stored = snapshot()
    response = post(token, URL, body(figure("1.1.1", version=1, value=13000)), key="k")
    assert response.status_code == 422
    assert "幂等键" in response.json()["detail"]
    assert snapshot() == stored


def test_a_request_without_a_key_is_refused(writer):
    _client, token = writer
    response = post(token, URL, body(figure("1.1.1", value=12000)), key=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert snapshot() == []


def form_page(client, user, code: str, data: dict, month=JUNE) -> str:
    client.force_login(user)
    url = reverse("report_edit", args=[month, indicator(code).pk])
    return client.post(url, {"version": 0, "action": "submit", **data}).content.decode()


def test_a_bad_figure_is_refused_with_the_forms_message_and_nothing_is_half_written(writer, client, hubin):
    _api, token = writer
    response = post(
        token,
        URL,
        body(
            figure("1.1.1", value=12000), figure("3.1.3", numerator=120, denominator=100), figure("2.2.1", value="十二")
        ),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["indicator"], e["field"]) for e in errors] == [
        (indicator("3.1.3").pk, "numerator"),
        (indicator("2.2.1").pk, "value"),
    ]
    assert errors[0]["message"] == "分子不能大于分母（比率不能超过 100%）"
    assert errors[1]["message"] == "“十二”不是有效的数字，请只填写数字（如 1234 或 1,234.5），不要带文字或单位"
    # The good first figure was rolled back with the rest.
    assert snapshot() == []
    # The figure form says exactly the same.
    assert errors[0]["message"] in form_page(client, hubin, "3.1.3", {"numerator": "120", "denominator": "100"})
    assert errors[1]["message"] in form_page(client, hubin, "2.2.1", {"value": "十二"})
    assert AuditRecord.objects.get(action="submission.api").result == "failure"


def test_a_figure_below_last_month_needs_the_same_explanation_as_on_the_form(writer, client, hubin):
    _api, token = writer
    assert post(token, URL, body(figure("1.1.1", value=5000), month="2022-05"), key="may").status_code == 200
    response = post(token, URL, body(figure("1.1.1", value=4000)), key="june")
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "本月累计 4,000 低于上月累计 5,000" in message
    assert message in form_page(client, hubin, "1.1.1", {"value": "4000"})
    fixed = post(token, URL, body(figure("1.1.1", value=4000, explanation="5月误将外市学员计入")), key="june-2")
    assert fixed.status_code == 200
    assert Submission.objects.get(indicator=indicator("1.1.1"), unit=unit("湖滨区政府"), month=JUNE).value == Decimal(
        4000
    )
    assert Submission.objects.get(indicator=indicator("1.1.1"), unit=unit("湖滨区政府"), month=MAY).value == 5000


def test_a_draft_keeps_its_status_and_the_version_moves_on(writer):
    _api, token = writer
    draft = post(token, URL, body(figure("3.1.3", numerator=40), submit=False), key="d1").json()["figures"][0]
    assert (draft["status"], draft["version"]) == ("draft", 1)
    sent = post(token, URL, body(figure("3.1.3", version=1, numerator=40, denominator=50)), key="d2").json()
    assert (sent["figures"][0]["status"], sent["figures"][0]["version"]) == ("submitted", 2)


def test_another_units_figures_do_not_exist_for_the_client(writer):
    _api, token = writer
    response = post(token, URL, body(figure("1.1.1", value=12000), unit_name="陕州区政府"))
    assert response.status_code == 404
    assert snapshot() == []


def test_an_indicator_the_unit_does_not_report_is_named(writer):
    _api, token = writer
    # 10.4.1 is 三门峡供电公司's own figure.
    response = post(token, URL, body(figure("1.1.1", value=1), figure("10.4.1", value=1)))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"indicator": indicator("10.4.1").pk, "field": "indicator", "message": "不是本单位2022年6月应报的指标"}
    ]
    assert snapshot() == []


def test_a_read_client_writes_nothing(plan_2022, clock):
    _api, token = make_client("市数据共享平台")
    response = post(token, URL, body(figure("1.1.1", value=12000)))
    assert response.status_code == 403
    assert snapshot() == []
