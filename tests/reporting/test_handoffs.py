"""Every step of monthly reporting tells the next person, once, with a link that opens the page to
act on: figures sent -> their reviewer (one message per reviewer and batch), returned -> the unit
with the comment, approved, reopened, a month closed or reopened -> the units that report in it."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import Event, Message, Submission
from projects.services import excel, reporting
from projects.services.notifications import deliveries_send_due
from projects.services.reporting import FigureInput
from tests.factories import OfficeUserFactory, unit_user

from .conftest import JUNE, REPORTING_JUNE, indicator
from .test_excel import fill

pytestmark = pytest.mark.django_db


def send(user, code: str, value: int, *, month: dt.date = JUNE, explanation: str = "") -> Submission:
    current = Submission.objects.filter(indicator__code=code, unit=user.unit, month=month).first()
    return reporting.submission_save(
        user=user, indicator_id=indicator(code).pk, month=month,
        figure=FigureInput(value=Decimal(value), explanation=explanation),
        version=current.version if current else 0, submit=True,
    )  # fmt: skip


def inbox(user, kind: str) -> list[Message]:
    return list(Message.objects.filter(recipient=user, kind=kind).order_by("created", "pk"))


def mails(mailoutbox, user) -> list:
    deliveries_send_due()
    return [m for m in mailoutbox if m.to == [user.email]]


def opens(client, user, message: Message) -> str:
    """The message's link, followed by its reader through the inbox: the page it opens."""
    client.force_login(user)
    response = client.get(reverse("message_open", args=[message.pk]), follow=True)
    assert response.status_code == 200, message.link
    assert response.redirect_chain[-1][0] == message.link
    return response.content.decode()


def test_figures_sent_in_a_day_are_one_message_and_one_e_mail_for_their_reviewer(
    clock, hubin, renshe, client, mailoutbox
):
    send(hubin, "1.1.1", 12000)
    (message,) = inbox(renshe, Event.SUBMITTED)
    assert message.subject == "【月报待审核】湖滨区政府 7月3日报送 1 项数据"
    (first_mail,) = mails(mailoutbox, renshe)
    assert first_mail.subject == message.subject
    # Two more figures that day join the batch: the same message, rewritten and unread again.
    Message.objects.filter(pk=message.pk).update(read_at=REPORTING_JUNE)
    send(hubin, "1.1.2", 3000)
    send(hubin, "1.1.3", 800)
    (message,) = inbox(renshe, Event.SUBMITTED)
    assert message.subject == "【月报待审核】湖滨区政府 7月3日报送 3 项数据"
    assert message.read_at is None and message.updated is not None
    assert message.body.splitlines()[1:] == [
        "湖滨区政府于7月3日报送了以下 3 项数据，请审核：",
        "· 2022年6月 1.1.1 技能培训：12,000 人次",
        "· 2022年6月 1.1.2 新增技能人才：3,000 人",
        "· 2022年6月 1.1.3 新增高技能人才：800 人",
    ]
    # The e-mail of the batch went once; nobody else was told.
    assert len(mails(mailoutbox, renshe)) == 1
    assert Message.objects.filter(kind=Event.SUBMITTED).count() == 1
    # Its link opens the reviewer's queue of that unit's June figures, all three there.
    page = opens(client, renshe, message)
    assert message.link == f"{reverse('review_queue')}?unit={hubin.unit_id}&month=2022-06"
    assert page.count('name="pick"') == 3
    # The next day is a new batch.
    with time_machine.travel(REPORTING_JUNE + dt.timedelta(days=1), tick=False):
        send(hubin, "1.1.1", 12500, explanation="补录")
    assert [m.subject for m in inbox(renshe, Event.SUBMITTED)] == [
        "【月报待审核】湖滨区政府 7月3日报送 3 项数据",
        "【月报待审核】湖滨区政府 7月4日报送 1 项数据",
    ]


def test_a_figure_with_two_reviewers_tells_each_of_them(clock, hubin, zhujian, client):
    chengguan = unit_user("市城管局", username="chengguan")
    send(hubin, "2.2.1", 40)
    for reviewer in (zhujian, chengguan):
        (message,) = inbox(reviewer, Event.SUBMITTED)
        assert "2.2.1 整治窨井设施：40 个" in message.body
        assert "湖滨区政府" in opens(client, reviewer, message)
    assert not inbox(hubin, Event.SUBMITTED)


def test_a_lead_departments_own_figure_goes_to_the_office(clock, zhujian, client):
    office = OfficeUserFactory(username="duchashi")
    sent = send(zhujian, "2.3.2", 3)  # 市区新建改造换热站: only 市住房城乡建设局 reports and leads it
    (message,) = inbox(office, Event.SUBMITTED)
    assert message.subject == "【月报待审核】市住房城乡建设局 7月3日报送 1 项数据"
    assert f'value="{sent.pk}:{sent.version}"' in opens(client, office, message)
    assert not inbox(zhujian, Event.SUBMITTED)


def test_a_return_tells_the_unit_with_the_comment_and_its_form(clock, hubin, renshe, client, mailoutbox):
    sent = send(hubin, "1.1.1", 12000)
    reporting.submission_review(
        user=renshe, submission_id=sent.pk, version=sent.version, approve=False, comment="培训人次与花名册不符，请核实"
    )
    (message,) = inbox(hubin, Event.RETURNED)
    assert message.subject == "【月报退回】2022年6月 1.1.1 技能培训"
    assert "被市人力资源社会保障局退回" in message.body and "退回意见：培训人次与花名册不符，请核实" in message.body
    (mailed,) = mails(mailoutbox, hubin)
    assert "退回意见：培训人次与花名册不符，请核实" in mailed.body
    assert f"http://127.0.0.1:8000/report/2022-06/indicator/{indicator('1.1.1').pk}/" in mailed.body
    page = opens(client, hubin, message)
    assert "培训人次与花名册不符，请核实" in page and 'name="value"' in page  # the form, with the comment
    # The county fixes it: the reviewer hears of it in that day's batch.
    send(hubin, "1.1.1", 11800)
    (batch,) = inbox(renshe, Event.SUBMITTED)
    assert "1.1.1 技能培训：11,800 人次" in batch.body


def test_approvals_of_a_day_are_one_message_to_the_unit(clock, hubin, renshe, client):
    first, second = send(hubin, "1.1.1", 12000), send(hubin, "1.1.2", 3000)
    reporting.submission_review(user=renshe, submission_id=first.pk, version=first.version, approve=True)
    reporting.submission_review(user=renshe, submission_id=second.pk, version=second.version, approve=True)
    (message,) = inbox(hubin, Event.APPROVED)
    assert message.subject == "【月报审核通过】湖滨区政府 2 项数据已审核通过（7月3日）"
    assert "湖滨区政府 · 2022年6月月报" in opens(client, hubin, message)


def test_a_reopening_tells_the_unit_with_the_reason(clock, hubin, renshe, client):
    office = OfficeUserFactory(username="duchashi")
    sent = send(hubin, "1.1.1", 12000)
    approved = reporting.submission_review(user=renshe, submission_id=sent.pk, version=sent.version, approve=True)
    reporting.submission_reopen(
        user=office, submission_id=approved.pk, version=approved.version, reason="与统计局数据不一致"
    )
    (message,) = inbox(hubin, Event.REOPENED)
    assert "已由市政府督查室重新打开" in message.body and "原因：与统计局数据不一致" in message.body
    assert "与统计局数据不一致" in opens(client, hubin, message)


def test_a_month_closed_and_reopened_tells_each_unit_that_reports_in_it_once(clock, hubin, plan_2022, client):
    office = OfficeUserFactory(username="duchashi")
    send(hubin, "1.1.1", 12000)
    reporting.month_close(user=office, plan_id=plan_2022.pk, month=JUNE, reason="6月通报已印发")
    reporting.month_close(user=office, plan_id=plan_2022.pk, month=JUNE)  # already closed: nothing more
    (closed,) = inbox(hubin, Event.MONTH_CLOSED)
    assert closed.subject == "【报送窗口关闭】2022年6月数据已锁定"
    assert "（6月通报已印发）" in closed.body and "你单位该月尚有" in closed.body
    # Each unit that reports in June, once; nobody else (the office has no June figures to send).
    reporting_units = set(plan_2022.projects.values_list("tasks__indicators__assignments__unit", flat=True).distinct())
    told = Message.objects.filter(kind=Event.MONTH_CLOSED).values_list("unit", flat=True)
    assert sorted(told) == sorted(set(told)) and set(told) <= reporting_units and hubin.unit_id in told
    assert not Message.objects.filter(kind=Event.MONTH_CLOSED, recipient=office).exists()
    assert "报送窗口已关闭" in opens(client, hubin, closed)
    reporting.month_open(user=office, plan_id=plan_2022.pk, month=JUNE)
    reporting.month_open(user=office, plan_id=plan_2022.pk, month=JUNE)  # already open: nothing more
    (opened,) = inbox(hubin, Event.MONTH_OPENED)
    assert opened.subject == "【报送窗口重新开放】2022年6月可继续填报"
    # Closed a second time: news again.
    reporting.month_close(user=office, plan_id=plan_2022.pk, month=JUNE)
    assert len(inbox(hubin, Event.MONTH_CLOSED)) == 2


def test_an_excel_import_that_sends_figures_is_one_batch(clock, hubin, renshe, private_media):
    data = fill(
        excel.template_build(unit=hubin.unit, month=JUNE),
        {"1.1.1": {"value": 12000}, "1.1.2": {"value": 3000}, "1.1.3": {"value": 800}},
    )
    excel.figures_import(actor=hubin, unit=hubin.unit, month=JUNE, data=data, submit=True)
    (message,) = inbox(renshe, Event.SUBMITTED)
    assert message.subject == "【月报待审核】湖滨区政府 7月3日报送 3 项数据"
