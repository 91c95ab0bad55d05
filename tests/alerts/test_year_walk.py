"""The 2022 plan walked through its year with the clock pinned, on each due day and the day after:
the landing month of every page, the months owed, the alerts' months and the inbox agree.

The clock is pinned the way `make run` pins it (the TRACKER_TODAY setting); figures go in through
the reporting service, the jobs run as beat runs them (no date: the clock's), pages are read as
their users read them. The figures of 10.1.1 (新增农村客运班线公交化运行行政村, split 10/10/15):

- 渑池县 reports each month on its due day, lagging from May: 1 1 2 3 3 4 5 5 6 7 8 10 of 10.
  Against 序时进度 (the month's share of the year: 8.33 % in January … 100 % in December) that is
  yellow in May and June (10 and 11.67 points behind), green in July, yellow August to November,
  done in December.
- 陕州区 keeps pace (1 2 3 4 5 5 6 7 8 9 10 10 of 10): green all year.
- 灵宝市 reports January to June, then stops: July is missing from 6 August (yellow), July and
  August from 6 September (red).
- 市医保局 reports 8.1.1 (a coverage rate, its only figure) each month but April, which it sends
  late on 10 June: its home opens on April from 6 May until then.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import calendar, tasks
from projects.models import Alert, AlertKind, Indicator, Message, Submission, Unit
from projects.services.progress import progress_refresh
from projects.services.reporting import FigureInput, submission_save
from tests.factories import UserFactory, pin_clock

from .conftest import ROADS

pytestmark = pytest.mark.django_db

MIANCHI = [1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 10]
SHANZHOU = [1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 10]
LINGBAO = [1, 2, 4, 5, 6, 7]  # then nothing
# 渑池县's light on 10.1.1 for each month's figures, worked out by hand (see the module's docstring).
MIANCHI_LIGHT = {1: "", 2: "", 3: "", 4: "", 5: "yellow", 6: "yellow", 7: "", 8: "yellow", 9: "yellow",
                 10: "yellow", 11: "yellow", 12: ""}  # fmt: skip
EXPECTED = {m: (Decimal(100) * m / 12).quantize(Decimal("0.01")) for m in range(1, 13)}


def month(m: int) -> date:
    return date(2022, m, 1)


def send(user, code: str, m: int, value: int | str) -> None:
    indicator = Indicator.objects.get(code=code)
    current = Submission.objects.filter(indicator=indicator, unit=user.unit, month=month(m)).first()
    submission_save(
        user=user,
        indicator_id=indicator.pk,
        month=month(m),
        figure=FigureInput(value=Decimal(value)),
        version=current.version if current else 0,
        submit=True,
    )


def landing(client, name: str, **kwargs) -> date:
    return client.get(reverse(name, kwargs=kwargs or None)).context["month"]


def run_the_daily_jobs() -> None:
    """What beat runs each morning; no date given: the jobs ask the clock."""
    tasks.scan_progress.delay()
    tasks.scan_missing.delay()


def open_alert(unit: str, kind: str) -> Alert | None:
    return Alert.objects.filter(indicator__code=ROADS, unit__name=unit, kind=kind, resolved_at__isnull=True).first()


def test_a_year_of_reporting_days_pages_alerts_and_inbox_agree(client, roads, people):
    lingbao = UserFactory(username="lingbao", unit=Unit.objects.get(name="灵宝市政府"))
    yibao = UserFactory(username="yibao", unit=Unit.objects.get(name="市医保局"))
    for m in range(1, 13):
        due = calendar.due_date(month(m))
        for today in (due, date.fromordinal(due.toordinal() + 1)):
            with pin_clock(today):
                if today == due:
                    # Figures for month m arrive on its due day, on time.
                    send(people.mianchi, ROADS, m, MIANCHI[m - 1])
                    send(people.shanzhou, ROADS, m, SHANZHOU[m - 1])
                    if m <= len(LINGBAO):
                        send(lingbao, ROADS, m, LINGBAO[m - 1])
                    if m != 4:
                        send(yibao, "8.1.1", m, 8 * m)
                    # That day the pages still show the month before: month m's figures are on
                    # time all day long, they are not due yet.
                    judged = month(max(1, m - 1))
                else:
                    run_the_daily_jobs()
                    judged = month(m)
                check_the_day(client, people, lingbao, yibao, m, today, judged)
        if m == 5:
            # 市医保局 sends April late, on 10 June: its home moves on to the month being reported.
            with pin_clock(date(2022, 6, 10)):
                send(yibao, "8.1.1", 4, 32)
                assert Submission.objects.get(unit=yibao.unit, month=month(4)).late
                client.force_login(yibao)
                assert client.get(reverse("report_index"))["Location"] == reverse("report_month", args=[month(5)])
    # 渑池县's lagging alerts over the year: opened on 6 June (May's figures) and 6 September
    # (August's), each resolved when it turned green (6 August, 6 January).
    lagging = Alert.objects.filter(indicator__code=ROADS, unit__name="渑池县政府", kind=AlertKind.LAGGING)
    assert sorted((timezone.localdate(a.opened_at), timezone.localdate(a.resolved_at)) for a in lagging) == [
        (date(2022, 6, 6), date(2022, 8, 6)),
        (date(2022, 9, 6), date(2023, 1, 6)),
    ]
    # One message each, not one a month: each scan that found the condition changed rewrote it, so
    # it names the last month judged before it cleared (June's figures, then November's).
    subjects = Message.objects.filter(recipient=people.mianchi, alert__in=lagging).values_list("subject", flat=True)
    assert sorted(s.split("】")[1].split(" ")[0] for s in subjects) == ["2022年11月", "2022年6月"]


def check_the_day(client, people, lingbao, yibao, m, today, judged):
    where = f"on {today}"
    mianchi = people.mianchi.unit
    # The office: the overview, the county view, the lists, a unit's page and the review list all
    # open on the month judged.
    client.force_login(people.office)
    for name in ("overview", "county_view", "lagging_list", "missing_list"):
        assert landing(client, name) == judged, f"{name} {where}"
    assert landing(client, "unit_detail", pk=mianchi.pk) == judged, where
    assert f"month={calendar.month_key(judged)}" in client.get(reverse("review_list"))["Location"], where

    # 渑池县's own page and its alert say the same month, light and figures.
    client.force_login(people.mianchi)
    page = client.get(reverse("unit_detail", args=[mianchi.pk]))
    assert page.context["month"] == judged, where
    row = next(o.progress for o in page.context["owes"] if o.progress.indicator.code == ROADS)
    assert row.expected == EXPECTED[judged.month], where
    light = MIANCHI_LIGHT[judged.month] if today.day == 6 or m > 1 else ""
    assert row.light == (light or "green"), where
    alert = open_alert("渑池县政府", AlertKind.LAGGING)
    if today.day == 6:
        # The morning's scan has judged the month: an alert exactly while the light is not green.
        assert (alert is not None) == bool(light), where
    if alert is not None:
        assert (alert.month, alert.severity) == (judged, row.light), where
        assert (alert.actual, alert.expected) == (row.completion, row.expected), where
    # A message whose alert has been resolved says 已解除 with the day and is no longer open.
    inbox = client.get(reverse("inbox"))
    for message in Message.objects.filter(recipient=people.mianchi, alert__resolved_at__isnull=False):
        assert message.resolved_at is not None, where
        assert f"已解除 {timezone.localdate(message.resolved_at):%Y-%m-%d}" in inbox.content.decode(), where
    open_items = Message.objects.filter(recipient=people.mianchi, read_at__isnull=True, resolved_at__isnull=True)
    assert inbox.context["unread"] == open_items.count(), where

    # 灵宝市: the months it owes on its page, and its missing-report alert, agree.
    client.force_login(lingbao)
    page = client.get(reverse("unit_detail", args=[lingbao.unit.pk]))
    owed = next(o for o in page.context["owes"] if o.progress.indicator.code == ROADS)
    by_hand = [month(k) for k in range(len(LINGBAO) + 1, judged.month + 1)] if today.day == 6 or m > 1 else []
    assert owed.missing_months == by_hand, where
    missing = open_alert("灵宝市政府", AlertKind.MISSING)
    if today.day == 6:
        assert (missing is not None) == bool(by_hand), where
    if missing is not None and by_hand:
        assert (missing.month, missing.severity) == (by_hand[-1], "red" if len(by_hand) >= 2 else "yellow"), where

    # 市医保局's home: its oldest month owed, April, from 6 May (until it is sent on 10 June); else
    # the month being reported now.
    client.force_login(yibao)
    home = client.get(reverse("report_index"))["Location"]
    expected_home = month(4) if date(2022, 5, 6) <= today < date(2022, 6, 10) else month(m)
    assert home == reverse("report_month", args=[expected_home]), where


def test_a_figure_for_a_later_month_does_not_move_the_landing_month(client, roads, people):
    with pin_clock(date(2022, 10, 3)):
        client.force_login(people.office)
        assert landing(client, "overview") == month(8)
        # September's figures come in early (due on the 5th) …
        send(people.mianchi, ROADS, 9, 7)
        # … and an import of November's (a month not over: the pages refuse it; an import from
        # another system might not).
        indicator = Indicator.objects.get(code=ROADS)
        Submission.objects.create(indicator=indicator, unit=people.mianchi.unit, month=month(11), value=9,
                                  status="submitted")  # fmt: skip
        progress_refresh(indicator_id=indicator.pk, unit_id=people.mianchi.unit_id)
        for name in ("overview", "county_view", "lagging_list", "missing_list"):
            assert landing(client, name) == month(8), name
        assert "month=2022-08" in client.get(reverse("review_list"))["Location"]
    with pin_clock(date(2022, 10, 6)):
        assert landing(client, "overview") == month(9)


def test_the_three_year_items_are_looked_at_in_2023_and_2024(client, people, plan_2022):
    zhujian = UserFactory(username="zhujian", unit=Unit.objects.get(name="市住房城乡建设局"))
    indicator = Indicator.objects.get(code="6.1.5")  # 房屋征收安置全部安置到位, 三年内: to 2024-12-31
    with pin_clock(date(2023, 7, 6)):
        submission_save(user=zhujian, indicator_id=indicator.pk, month=date(2023, 6, 1),
                        figure=FigureInput(stage=3), version=0, submit=True)  # fmt: skip
        tasks.scan_progress.delay()
        client.force_login(people.office)
        overview = client.get(reverse("overview"))
        # The plan's year is over: it opens on its last month, December 2022 …
        assert overview.context["month"] == date(2022, 12, 1)
        # … and every month to the end of 2024 can be chosen.
        months = overview.context["months"]
        assert months[0] == date(2022, 1, 1) and months[-1] == date(2024, 12, 1) and len(months) == 36
        june = client.get(reverse("overview"), {"month": "2023-06"})
        assert june.context["month"] == date(2023, 6, 1)
        project_6 = next(r for r in june.context["data"].projects if r.project.number == 6)
        # Project 6 in June 2023: its two 三年内 milestones, 18 of their 36 months gone (50 %). 6.1.5
        # at 主体过半 (60 %), 6.2.2 never reported (0): 30 % on average, 20 points behind, yellow.
        standing = project_6.standing
        assert (standing.completion, standing.expected, standing.light) == (Decimal(30), Decimal(50), "yellow")
        # The other projects' items ended with 2022: nothing of theirs in 2023.
        assert all(r.standing.completion is None for r in june.context["data"].projects if r.project.number != 6)
        page = client.get(reverse("indicator_detail", args=[indicator.pk]), {"month": "2024-12"})
        assert page.status_code == 200 and page.context["month"] == date(2024, 12, 1)
        assert page.context["city"].expected == 100
        # The scan of 6 July 2023 judged June 2023 for it, and nothing of 2022's is touched.
        assert not Alert.objects.filter(indicator=indicator, resolved_at__isnull=True).exclude(
            month=date(2023, 6, 1)
        ).exists()
