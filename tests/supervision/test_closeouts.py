"""Close-out (销号): the lead department applies when its target is met; the office closes it out
or refuses with a reason; a closed-out target is marked on every page and its figures are locked,
every unit's and every month's, until the office reopens it with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import CloseOut, Indicator, SubmissionStatus
from projects.services import reporting
from projects.services.reporting import FigureInput, Locked
from projects.supervision import closeouts
from projects.supervision.steps import Refused
from tests.alerts.conftest import report
from tests.alerts.factories import UserFactory

from .conftest import mails_to, on, png, send, told

pytestmark = pytest.mark.django_db

HEAT = "2.3.2"  # 市区新建改造换热站 10 座, a figure 市住房城乡建设局 holds and reports itself
SEP = date(2022, 9, 1)
DEMO_DAY = date(2022, 10, 6)  # September is the reporting month


@pytest.fixture
def zhujian(plan_2022):
    return UserFactory(username="zhujian", unit_name="市住房城乡建设局")


@pytest.fixture
def heat(plan_2022) -> Indicator:
    return Indicator.objects.select_related("task__project").get(code=HEAT)


def apply(user, indicator, note="10 座换热站已全部建成投用，经竣工验收合格。", files=()):
    return closeouts.closeout_apply(user=user, indicator_id=indicator.pk, note=note, files=list(files))


def test_applied_for_closed_out_locked_and_reopened(client, zhujian, heat, people, private_media):
    office = people.office
    report(HEAT, "市住房城乡建设局", SEP, value=6)
    with on(DEMO_DAY), pytest.raises(Refused, match="尚未完成目标"):
        apply(zhujian, heat)
    sent = report(HEAT, "市住房城乡建设局", SEP, value=10)  # 10 of 10 by the end of September

    with on(DEMO_DAY):
        closeout = apply(zhujian, heat, files=[png("竣工验收.png")])
        send()
    assert (closeout.state, closeout.unit.name, closeout.figures["completion"]) == (
        "applied",
        "市住房城乡建设局",
        "100.00",
    )
    assert closeout.figures["figure"] == "10 座" and closeout.figures["month"] == "2022-09"
    (to_office,) = told(office)
    assert to_office.link == reverse("supervision:closeout", args=[closeout.pk]) and HEAT in to_office.subject
    assert len(mails_to("duchashi@example.org")) == 1
    with on(DEMO_DAY), pytest.raises(Refused, match="不能重复申请"):
        apply(zhujian, heat)

    with on(DEMO_DAY):
        with pytest.raises(CloseOut.DoesNotExist):  # only the office decides
            closeouts.closeout_decide(user=zhujian, closeout_id=closeout.pk, version=closeout.version, approve=True)
        closeouts.closeout_decide(user=office, closeout_id=closeout.pk, version=closeout.version, approve=True)
        send()
    heat.refresh_from_db()
    assert heat.closed_out_at is not None
    (verdict,) = told(zhujian)
    assert "【已销号】" in verdict.subject and verdict.link == reverse("supervision:closeout", args=[closeout.pk])

    # Its figures are locked: a new month, a review, a file.
    with on(date(2022, 11, 2)):
        with pytest.raises(Locked, match="已销号"):
            reporting.submission_save(user=zhujian, indicator_id=heat.pk, month=date(2022, 10, 1),
                                      figure=FigureInput(value=Decimal(10)), version=0, submit=True)  # fmt: skip
        assert sent.status == SubmissionStatus.SUBMITTED
        with pytest.raises(Locked, match="已销号"):
            reporting.submission_review(user=office, submission_id=sent.pk, version=sent.version, approve=True)
        with pytest.raises(Locked, match="已销号"):
            reporting.evidence_add(user=zhujian, submission_id=sent.pk, upload=png("补充.png"))
        # The unit's month page says so instead of offering the form.
        client.force_login(zhujian)
        month_page = client.get(reverse("report_month", args=["2022-10"])).content.decode()
        assert "已销号" in month_page

    closeout.refresh_from_db()
    with on(date(2022, 11, 2)):
        with pytest.raises(ValidationError):
            closeouts.closeout_reopen(user=office, closeout_id=closeout.pk, version=closeout.version, reason=" ")
        closeouts.closeout_reopen(user=office, closeout_id=closeout.pk, version=closeout.version,
                                  reason="省级抽查发现 2 座未通过验收")  # fmt: skip
        send()
        heat.refresh_from_db()
        assert heat.closed_out_at is None
        assert "【销号重新打开】" in told(zhujian)[-1].subject
        figure = FigureInput(value=Decimal(8), explanation="2 座未通过验收，调减")
        reporting.submission_save(user=zhujian, indicator_id=heat.pk, month=date(2022, 10, 1), figure=figure,
                                  version=0, submit=True)  # fmt: skip
    steps = [(e.action, e.to_state, e.actor, e.reason[:6]) for e in closeout.events.order_by("at", "id")]
    assert steps == [
        ("apply", "applied", zhujian, "10 座换热"),
        ("approve", "closed_out", office, ""),
        ("reopen", "reopened", office, "省级抽查发现"),
    ]


def test_only_the_lead_department_applies_and_a_refusal_says_why(zhujian, heat, people, private_media):
    report(HEAT, "市住房城乡建设局", SEP, value=10)
    county = UserFactory(username="hubin", unit_name="湖滨区政府")
    with on(DEMO_DAY):
        for user in (county, people.office, people.leader, people.jiaotong):
            with pytest.raises(Indicator.DoesNotExist):
                apply(user, heat)
        closeout = apply(zhujian, heat)
        with pytest.raises(ValidationError):
            closeouts.closeout_decide(user=people.office, closeout_id=closeout.pk, version=closeout.version,
                                      approve=False, reason="")  # fmt: skip
        closeouts.closeout_decide(user=people.office, closeout_id=closeout.pk, version=closeout.version,
                                  approve=False, reason="缺少竣工验收报告")  # fmt: skip
        send()
        assert "缺少竣工验收报告" in told(zhujian)[-1].body
        heat.refresh_from_db()
        assert heat.closed_out_at is None
        again = apply(zhujian, heat, note="已补充竣工验收报告。")  # a refused application can be made again
    assert again.state == "applied" and CloseOut.objects.filter(indicator=heat).count() == 2


def test_a_closed_out_target_is_marked_on_every_page(client, zhujian, heat, people, private_media):
    report(HEAT, "市住房城乡建设局", SEP, value=10)
    with on(DEMO_DAY):
        closeout = apply(zhujian, heat)
        closeouts.closeout_decide(user=people.office, closeout_id=closeout.pk, version=closeout.version, approve=True)
        client.force_login(people.office)
        for url in (
            reverse("indicator_detail", args=[heat.pk]),
            reverse("task_detail", args=[heat.task_id]),
            reverse("project_detail", args=[heat.task.project_id]),
            reverse("unit_detail", args=[zhujian.unit_id]),
            reverse("supervision:closeouts"),
        ):
            page = client.get(url).content.decode()
            assert "已销号" in page, url
        client.force_login(zhujian)
        assert "已销号" in client.get(reverse("report_month", args=["2022-09"])).content.decode()
