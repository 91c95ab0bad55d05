"""Worklists: a unit's "still to do" (every open month oldest first, what is missing and what was
returned, its drafts sent in one go) and a reviewer's queue (oldest first, the unit's completion and
light beside each figure, several approved at once, "next")."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import Assignment, Event, Message, Submission, SubmissionStatus
from projects.selectors.worklists import unit_worklist
from projects.services import reporting
from projects.services.reporting import FigureInput
from tests.factories import unit_user

from .conftest import JUNE, MAY, REPORTING_JUNE, indicator

pytestmark = pytest.mark.django_db


def save(user, code: str, value: int, *, month: dt.date = JUNE, submit: bool = False) -> Submission:
    current = Submission.objects.filter(indicator__code=code, unit=user.unit, month=month).first()
    return reporting.submission_save(
        user=user, indicator_id=indicator(code).pk, month=month, figure=FigureInput(value=Decimal(value)),
        version=current.version if current else 0, submit=submit,
    )  # fmt: skip


def months_shown(html: str) -> list[str]:
    return re.findall(r'id="todo-(\d{4}-\d{2})"', html)


def section(html: str, month: str) -> str:
    start = html.index(f'id="todo-{month}"')
    end = html.find('id="todo-', start + 10)
    return html[start : end if end > 0 else len(html)]


@pytest.fixture
def spring_closed(plan_2022, office):
    """The office has closed January to April: May and June are the open months on 3 July."""
    for month in range(1, 5):
        reporting.month_close(user=office, plan_id=plan_2022.pk, month=dt.date(2022, month, 1))


def test_still_to_do_lists_every_open_month_oldest_first_with_what_is_missing_and_returned(
    clock, hubin, renshe, spring_closed, client
):
    save(hubin, "1.1.1", 5000, month=MAY)  # a draft
    sent = save(hubin, "1.1.2", 900, month=MAY, submit=True)
    reporting.submission_review(
        user=renshe, submission_id=sent.pk, version=sent.version, approve=False, comment="请附花名册"
    )
    save(hubin, "1.1.1", 12000, submit=True)  # June: sent, so done
    save(hubin, "1.1.2", 3000)  # June: a draft

    client.force_login(hubin)
    html = client.get(reverse("todo")).content.decode()
    # Hubin reports 33 figures in May and in June (1.1.1 … 10.3.2, less the two yearly 6.1.x).
    assert months_shown(html) == ["2022-05", "2022-06"]
    may, june = section(html, "2022-05"), section(html, "2022-06")
    assert "6月5日已截止" in may and "7月5日前报送" in june
    assert "已报送 0 / 共 33 项" in may and "已报送 1 / 共 33 项" in june
    assert may.count('class="tracker-todo-missing"') == 31 and june.count('class="tracker-todo-missing"') == 31
    assert may.count('class="tracker-todo-returned"') == 1 and "退回意见：请附花名册" in may
    assert may.count('class="tracker-todo-draft"') == 1 and june.count('class="tracker-todo-draft"') == 1
    # Totals above the list: 62 missing, 1 returned, 2 drafts (ticked, ready to send).
    assert "未填报 62 项" in html and "被退回 1 项" in html and "草稿 2 项" in html
    assert html.count('name="pick"') == 2
    # The June figure already sent is not a thing to do.
    assert "12,000" not in june


def test_a_month_with_nothing_left_to_do_is_not_listed_and_an_empty_list_says_so(clock, hubin, plan_2022, office):
    for month in range(1, 7):
        reporting.month_close(user=office, plan_id=plan_2022.pk, month=dt.date(2022, month, 1))
    assert unit_worklist(unit=hubin.unit, today=dt.date(2022, 7, 3)) == []


def test_drafts_are_sent_in_one_go_each_checked_like_the_single_form(clock, hubin, renshe, spring_closed, client):
    may = save(hubin, "1.1.1", 5000, month=MAY)
    june = save(hubin, "1.1.2", 3000)
    client.force_login(hubin)
    # June's draft as a page opened before it was changed again: refused, kept as a draft.
    save(hubin, "1.1.2", 3100)
    response = client.post(
        reverse("todo_submit"), {"pick": [f"{may.pk}:{may.version}", f"{june.pk}:{june.version}"]}, follow=True
    )
    page = response.content.decode()
    assert "已提交 1 项，等待审核" in page
    assert "2022年6月 1.1.2 新增技能人才：" in page  # the refused one is named, with why
    assert Submission.objects.get(pk=may.pk).status == SubmissionStatus.SUBMITTED
    assert Submission.objects.get(pk=june.pk).status == SubmissionStatus.DRAFT
    # The reviewer is told once, of the one figure sent.
    (batch,) = Message.objects.filter(recipient=renshe, kind=Event.SUBMITTED)
    assert batch.subject == "【月报待审核】湖滨区政府 7月3日报送 1 项数据"
    # Sent again from the list as it is now: the same message now counts two.
    june = Submission.objects.get(pk=june.pk)
    client.post(reverse("todo_submit"), {"pick": [f"{june.pk}:{june.version}"]})
    (batch,) = Message.objects.filter(recipient=renshe, kind=Event.SUBMITTED)
    assert batch.subject == "【月报待审核】湖滨区政府 7月3日报送 2 项数据"


def test_a_unit_cannot_send_another_units_draft(clock, hubin, shanzhou, spring_closed, client):
    theirs = save(shanzhou, "1.1.1", 5000)
    client.force_login(hubin)
    page = client.post(reverse("todo_submit"), {"pick": [f"{theirs.pk}:{theirs.version}"]}, follow=True)
    assert f"#{theirs.pk}：只能批量提交草稿" in page.content.decode()  # by its number only: not theirs to read
    assert Submission.objects.get(pk=theirs.pk).status == SubmissionStatus.DRAFT


def test_the_office_reads_a_units_list_but_cannot_send_from_it(clock, hubin, office, spring_closed, client):
    save(hubin, "1.1.1", 5000)
    client.force_login(office)
    html = client.get(reverse("todo"), {"unit": hubin.unit_id}).content.decode()
    assert "您正在查看该单位的待办（只读）" in html and 'name="pick"' not in html
    assert client.post(reverse("todo_submit"), {"pick": ["1:1"]}).status_code == 404


# --- the review queue ---------------------------------------------------------------------------


@pytest.fixture
def shares(hubin, shanzhou):
    """Each county's share of 1.1.1 (技能培训), so the queue can show completion and light."""
    Assignment.objects.filter(indicator__code="1.1.1", unit=hubin.unit).update(target=20000)
    Assignment.objects.filter(indicator__code="1.1.1", unit=shanzhou.unit).update(target=10000)


def sent_at(user, code: str, value: int, hour: int) -> Submission:
    with time_machine.travel(REPORTING_JUNE.replace(hour=hour), tick=False):
        return save(user, code, value, submit=True)


def test_the_queue_is_oldest_first_with_the_units_completion_and_light(clock, hubin, shanzhou, renshe, shares, client):
    sent_at(hubin, "1.1.2", 3000, 12)
    sent_at(shanzhou, "1.1.1", 1000, 11)
    sent_at(hubin, "1.1.1", 12000, 9)
    client.force_login(renshe)
    response = client.get(reverse("review_queue"))
    rows = [(s.unit.name, s.indicator.code) for s in response.context["page_obj"]]
    assert rows == [("湖滨区政府", "1.1.1"), ("陕州区政府", "1.1.1"), ("湖滨区政府", "1.1.2")]
    # At the end of June 1.1.1 should be at 50 %: 湖滨区 has 12,000 of 20,000 (60 %, green),
    # 陕州区 1,000 of 10,000 (10 %: 40 points behind, red); 1.1.2 has no share, so no rate.
    figures = [(s.queue_completion, s.queue_light) for s in response.context["page_obj"]]
    assert figures == [(Decimal("60.00"), "green"), (Decimal("10.00"), "red"), (None, "")]
    html = response.content.decode()
    assert "共 3 条月报等待审核" in html and ">60.00%<" in html and ">10.00%<" in html
    # The filter by unit, with how many each.
    assert [(u.name, n) for u, n in response.context["units"]] == [("湖滨区政府", 2), ("陕州区政府", 1)]
    only = client.get(reverse("review_queue"), {"unit": shanzhou.unit_id})
    assert [s.unit.name for s in only.context["page_obj"]] == ["陕州区政府"]


def test_several_figures_approved_at_once_one_message_per_unit(clock, hubin, shanzhou, renshe, shares, client):
    first = sent_at(hubin, "1.1.1", 12000, 9)
    second = sent_at(hubin, "1.1.2", 3000, 10)
    third = sent_at(shanzhou, "1.1.1", 1000, 11)
    client.force_login(renshe)
    stale = f"{third.pk}:{third.version - 1}"
    page = client.post(
        reverse("review_queue_approve"),
        {"pick": [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}", stale], "query": ""},
        follow=True,
    ).content.decode()
    assert "已审核通过 2 项，数据已锁定" in page and "2022年6月 1.1.1 技能培训：" in page
    statuses = {s.pk: s.status for s in Submission.objects.filter(pk__in=[first.pk, second.pk, third.pk])}
    assert statuses == {first.pk: "approved", second.pk: "approved", third.pk: "submitted"}
    (approved,) = Message.objects.filter(kind=Event.APPROVED)
    assert approved.recipient == hubin and "2 项数据已审核通过" in approved.subject
    # What is left in the queue is the one refused.
    assert [s.pk for s in client.get(reverse("review_queue")).context["page_obj"]] == [third.pk]


def test_next_opens_the_following_figure_after_a_review_and_the_queue_at_the_end(
    clock, hubin, shanzhou, renshe, shares, client
):
    first = sent_at(hubin, "1.1.1", 12000, 9)
    second = sent_at(shanzhou, "1.1.1", 1000, 11)
    client.force_login(renshe)
    page = client.get(reverse("submission_detail", args=[first.pk])).content.decode()
    assert reverse("submission_detail", args=[second.pk]) in page  # the "next" link
    response = client.post(
        reverse("submission_review", args=[first.pk]),
        {"version": first.version, "action": "approve", "then": "next"},
    )
    assert response.status_code == 302 and response.url == reverse("submission_detail", args=[second.pk])
    response = client.post(
        reverse("submission_review", args=[second.pk]),
        {"version": second.version, "action": "return", "comment": "与台账不符", "then": "next"},
    )
    assert response.url == reverse("review_queue")
    assert Submission.objects.get(pk=second.pk).status == SubmissionStatus.RETURNED


def test_only_reviewers_have_a_queue_and_it_holds_only_their_figures(clock, hubin, renshe, zhujian, shares, client):
    mine = sent_at(hubin, "1.1.1", 12000, 9)
    sent_at(hubin, "2.2.1", 40, 10)  # reviewed by 市住房城乡建设局 and 市城管局, not 市人力资源社会保障局
    unit_user("市城管局", username="chengguan")
    client.force_login(renshe)
    assert [s.pk for s in client.get(reverse("review_queue")).context["page_obj"]] == [mine.pk]
    # Approving a figure that is not one's own to review: refused, and named only by its number.
    client.force_login(zhujian)
    page = client.post(
        reverse("review_queue_approve"), {"pick": [f"{mine.pk}:{mine.version}"], "query": ""}, follow=True
    ).content.decode()
    assert f"#{mine.pk}：该月报不存在或您无权操作" in page
    assert Submission.objects.get(pk=mine.pk).status == SubmissionStatus.SUBMITTED
    client.force_login(unit_user("卢氏县政府", username="lushi"))
    assert client.get(reverse("review_queue")).status_code == 404
