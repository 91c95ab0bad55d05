"""A county through one month, through the pages: draft, submit, return, fix, approve, locked."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import CityProgress, Submission, SubmissionStatus

from .conftest import JUNE, indicator, unit

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_a_county_reports_june_and_the_lead_department_reviews_it(client, clock, hubin, renshe):
    training = indicator("1.1.1")
    edit_url = reverse("report_edit", args=[JUNE, training.pk])
    month_url = reverse("report_month", args=[JUNE])

    # 湖滨区 logs in on 3 July, having reported nothing yet: /report/ opens its oldest month still
    # owed, January (due on 5 February); June, being reported now, is chosen in the month selector.
    client.force_login(hubin)
    response = client.get(reverse("report_index"))
    assert response.status_code == 302 and response["Location"] == reverse("report_month", args=[date(2022, 1, 1)])
    page = text(client.get(month_url))
    assert "湖滨区政府 · 2022年6月月报" in page
    assert "技能培训" in page and "未填报" in page

    # A draft, typed the way people type: thousands separator and full-width digits.
    form = text(client.get(edit_url))
    assert 'name="version" value="0"' in form
    response = client.post(
        edit_url,
        {"version": 0, "value": "１２,０００", "progress_text": "开展电工、育婴员培训", "action": "save"},
        follow=True,
    )
    page = text(response)
    assert "已保存草稿" in page and "12,000 人次" in page and "草稿" in page
    draft = Submission.objects.get(indicator=training, unit=unit("湖滨区政府"), month=JUNE)
    assert (draft.value, draft.status, draft.version) == (Decimal(12000), SubmissionStatus.DRAFT, 1)
    # A draft is the unit's own business: it does not count yet, and the reviewer does not see it.
    assert CityProgress.objects.get(indicator=training, month=JUNE).value is None

    # Submitted before the 5th: on time.
    response = client.post(edit_url, {"version": 1, "value": "12000", "action": "submit"}, follow=True)
    assert "已提交" in text(response)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED and not draft.late
    assert CityProgress.objects.get(indicator=training, month=JUNE).value == 12000

    # 市人力资源社会保障局 reviews task 1.1: it sees the figure waiting and returns it.
    client.force_login(renshe)
    # The list opens on what waits for review in the reporting month (May, on 3 July) and says that
    # June has a figure waiting; its link lists every month's.
    landing = client.get(reverse("review_list"), follow=True)
    assert landing.redirect_chain[-1][0].endswith("?month=2022-05&status=submitted")
    assert "其他月份另有 1 条月报待审核" in text(landing)
    review = text(client.get(reverse("review_list"), {"status": "submitted", "month": ""}))
    assert "湖滨区政府" in review and "12,000 人次" in review
    detail_url = reverse("submission_detail", args=[draft.pk])
    assert "审核通过" in text(client.get(detail_url))
    review_url = reverse("submission_review", args=[draft.pk])
    # A return without a comment is refused: the county would not know what to fix.
    response = client.post(review_url, {"version": 2, "action": "return", "comment": ""}, follow=True)
    assert "退回时请填写退回意见" in text(response)
    response = client.post(
        review_url, {"version": 2, "action": "return", "comment": "培训人次与花名册不符，请核实"}, follow=True
    )
    assert "已退回" in text(response)
    # Returned figures no longer count.
    assert CityProgress.objects.get(indicator=training, month=JUNE).value is None

    # The county sees why, fixes and resubmits.
    client.force_login(hubin)
    page = text(client.get(month_url))
    assert "已退回" in page and "培训人次与花名册不符，请核实" in page
    assert "培训人次与花名册不符，请核实" in text(client.get(edit_url))
    response = client.post(
        edit_url, {"version": 3, "value": "11800", "explanation": "", "action": "submit"}, follow=True
    )
    assert "已提交" in text(response)

    # The lead department approves: the figure locks.
    client.force_login(renshe)
    response = client.post(review_url, {"version": 4, "action": "approve", "comment": ""}, follow=True)
    assert "已审核通过" in text(response)
    assert CityProgress.objects.get(indicator=training, month=JUNE).value == 11800

    client.force_login(hubin)
    page = text(client.get(month_url))
    assert "已审核" in page and "已审核，已锁定" in page
    assert edit_url not in page  # no edit button any more
    assert "已审核，已锁定" in text(client.get(edit_url))
    response = client.post(edit_url, {"version": 5, "value": "99999", "action": "submit"})
    assert "已审核，已锁定" in text(response)
    draft.refresh_from_db()
    assert (draft.value, draft.status, draft.version) == (Decimal(11800), SubmissionStatus.APPROVED, 5)

    # The whole story is on the submission's page: who, when, what changed, why.
    history = text(client.get(detail_url))
    for reason in ("保存草稿", "提交", "退回：培训人次与花名册不符，请核实", "审核通过"):
        assert reason in history
    assert "12,000 → 11,800" in history
