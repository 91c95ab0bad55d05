"""Stale forms, locks and the calendar: nothing is overwritten, every lock says why."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import Submission, SubmissionStatus
from projects.services import reporting as svc
from projects.services.reporting import FigureInput, submission_save

from .conftest import JUNE, MAY, indicator, unit

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def save(user, code="1.1.1", month=JUNE, version=0, submit=False, **figure):
    return submission_save(
        user=user,
        indicator_id=indicator(code).pk,
        month=month,
        figure=FigureInput(**figure),
        version=version,
        submit=submit,
    )


def test_a_stale_form_is_refused_and_shows_the_newer_figure(client, clock, hubin):
    from tests.factories import unit_user

    colleague = unit_user("湖滨区政府", username="hubin2", first_name="王五")
    save(hubin, value=Decimal(1000))  # version 1: both open the form now
    url = reverse("report_edit", args=[JUNE, indicator("1.1.1").pk])
    client.force_login(colleague)
    assert client.post(url, {"version": 1, "value": "1500", "action": "save"}).status_code == 302  # now version 2

    client.force_login(hubin)
    response = client.post(url, {"version": 1, "value": "1200", "progress_text": "我的说明", "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "该月报已在您打开页面后被修改" in page
    assert "1,500 人次" in page and "王五" in page  # the newer figure, and who saved it
    assert "我的说明" in page  # what the user typed is still in the form, not lost
    stored = Submission.objects.get(indicator__code="1.1.1", unit__name="湖滨区政府", month=JUNE)
    assert (stored.value, stored.version, stored.progress_text) == (Decimal(1500), 2, "")


def test_a_reviewer_acting_on_an_old_version_is_refused(clock, hubin, renshe):
    sent = save(hubin, value=Decimal(1000), submit=True)
    changed = save(hubin, version=sent.version, value=Decimal(1100), submit=True)
    with pytest.raises(svc.Conflict) as caught:
        svc.submission_review(user=renshe, submission_id=sent.pk, version=sent.version, approve=True)
    assert "1,100 人次" in caught.value.message
    changed.refresh_from_db()
    assert changed.status == SubmissionStatus.SUBMITTED and changed.reviewed_by is None


def test_future_months_are_closed(client, clock, hubin):
    client.force_login(hubin)
    july = dt.date(2022, 7, 1)
    page = client.get(reverse("report_edit", args=[july, indicator("1.1.1").pk])).content.decode()
    assert "尚未到填报时间" in page
    with pytest.raises(svc.Locked, match="尚未到填报时间"):
        save(hubin, month=july, value=Decimal(1))
    assert not Submission.objects.filter(month=july).exists()
    # The month selector offers only months that are over.
    months = client.get(reverse("report_month", args=[JUNE])).content.decode()
    assert 'value="2022-06"' in months and 'value="2022-07"' not in months


def test_june_opens_on_its_last_day():
    from projects import calendar, clock

    # The one clock's today is the city's date, whatever the server's zone (UTC here is 16:01 on the 29th).
    with time_machine.travel(dt.datetime(2022, 6, 30, 0, 1, tzinfo=CST), tick=False):
        assert clock.today() == dt.date(2022, 6, 30)
        assert calendar.is_over(JUNE, today=clock.today())
    with time_machine.travel(dt.datetime(2022, 6, 29, 23, 59, tzinfo=CST), tick=False):
        assert not calendar.is_over(JUNE, today=clock.today())


def test_a_figure_sent_after_the_due_day_is_accepted_and_marked_late(hubin, renshe):
    with time_machine.travel(dt.datetime(2022, 7, 5, 23, 59, tzinfo=CST), tick=False):
        on_time = save(hubin, "1.1.1", value=Decimal(100), submit=True)
    with time_machine.travel(dt.datetime(2022, 7, 6, 0, 0, tzinfo=CST), tick=False):
        late = save(hubin, "1.1.2", value=Decimal(100), submit=True)
        assert (on_time.late, late.late) == (False, True)
        # Fixing a figure that was on time after a return does not make it late.
        returned = svc.submission_review(
            user=renshe, submission_id=on_time.pk, version=on_time.version, approve=False, comment="请核实"
        )
        fixed = save(hubin, "1.1.1", version=returned.version, value=Decimal(90), submit=True)
        assert not fixed.late


def test_a_closed_month_locks_until_the_office_opens_it(client, clock, hubin, office):
    sub = save(hubin, value=Decimal(100))
    client.force_login(office)
    plan_id = indicator("1.1.1").task.project.plan_id
    client.post(reverse("month_closure", args=[JUNE]), {"plan": plan_id, "action": "close", "reason": "6月通报已印发"})
    client.force_login(hubin)
    page = client.get(reverse("report_month", args=[JUNE])).content.decode()
    assert "报送窗口已关闭" in page and "6月通报已印发" in page
    response = client.post(
        reverse("report_edit", args=[JUNE, indicator("1.1.1").pk]), {"version": 1, "value": "200", "action": "save"}
    )
    assert "报送窗口已关闭" in response.content.decode()
    sub.refresh_from_db()
    assert sub.value == 100 and sub.version == 1
    client.force_login(office)
    client.post(reverse("month_closure", args=[JUNE]), {"plan": plan_id, "action": "open"})
    assert save(hubin, version=1, value=Decimal(200)).value == 200


def test_the_office_reopens_an_approved_figure_with_a_reason(client, clock, hubin, renshe, office):
    sent = save(hubin, value=Decimal(100), submit=True)
    approved = svc.submission_review(user=renshe, submission_id=sent.pk, version=sent.version, approve=True)
    url = reverse("submission_reopen", args=[sent.pk])
    client.force_login(office)
    page = client.post(url, {"version": approved.version, "reason": ""}, follow=True).content.decode()
    assert "请填写重新打开的原因" in page
    client.post(url, {"version": approved.version, "reason": "统计局反馈口径有误，请按新口径重报"})
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.RETURNED
    client.force_login(hubin)
    page = client.get(reverse("submission_detail", args=[sent.pk])).content.decode()
    assert "重新打开：统计局反馈口径有误，请按新口径重报" in page  # in the history
    assert "退回意见" in page
    resent = save(hubin, version=sent.version, value=Decimal(120), submit=True)
    assert resent.status == SubmissionStatus.SUBMITTED


def test_only_sent_figures_are_reviewed(clock, hubin, renshe):
    draft = save(hubin, value=Decimal(100))
    with pytest.raises(Submission.DoesNotExist):  # a draft does not exist for the reviewer
        svc.submission_review(user=renshe, submission_id=draft.pk, version=1, approve=True)
    sent = save(hubin, version=1, value=Decimal(100), submit=True)
    approved = svc.submission_review(user=renshe, submission_id=sent.pk, version=sent.version, approve=True)
    with pytest.raises(svc.ReportingError, match="只有已报送待审核"):
        svc.submission_review(user=renshe, submission_id=sent.pk, version=approved.version, approve=False, comment="x")


def test_a_month_outside_the_indicators_window_does_not_exist(client, clock, hubin):
    client.force_login(hubin)
    assert client.get(reverse("report_edit", args=[dt.date(2021, 12, 1), indicator("1.1.1").pk])).status_code == 404
    assert client.get("/report/2022-13/").status_code == 404
    assert unit("湖滨区政府")  # the unit is there; only the month is wrong
    assert MAY < JUNE
