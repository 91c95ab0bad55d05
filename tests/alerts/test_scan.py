"""The scan: which alerts open, how they follow the light, and how they resolve by themselves."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Alert, AlertKind, AlertScope, Delivery, Indicator, Message, UnitProgress
from projects.services.alerts import ALL_KINDS, PROGRESS_KINDS, alerts_scan, scan_month
from projects.services.notifications import deliveries_send_due

from .conftest import ROADS, report

pytestmark = pytest.mark.django_db

# September is the month judged: its figures were due on 5 October.
OCT6 = date(2022, 10, 6)


def open_alert(code: str, unit: str, kind: str = AlertKind.LAGGING) -> Alert | None:
    return Alert.objects.filter(indicator__code=code, unit__name=unit, kind=kind, resolved_at__isnull=True).first()


def roads_reports(jul: dict[str, float], aug: dict[str, float], sep: dict[str, float]) -> None:
    for month, figures in ((7, jul), (8, aug), (9, sep)):
        for unit, value in figures.items():
            report(ROADS, unit, date(2022, month, 1), value=value)


@pytest.mark.parametrize(
    ("as_of", "month"),
    [
        # The reporting month: the latest whose due day (the 5th of the next month) has passed, the
        # month the pages open on. On the due day itself the month's figures are still on time.
        (date(2022, 9, 5), date(2022, 7, 1)),
        (date(2022, 9, 6), date(2022, 8, 1)),
        (date(2022, 9, 30), date(2022, 8, 1)),
        (date(2022, 10, 3), date(2022, 8, 1)),
        (date(2022, 10, 5), date(2022, 8, 1)),
        (date(2022, 10, 6), date(2022, 9, 1)),
        (date(2022, 5, 6), date(2022, 4, 1)),
        (date(2023, 1, 6), date(2022, 12, 1)),
    ],
)
def test_the_scan_judges_the_reporting_month(plan_2022, as_of, month):
    assert scan_month(plan=plan_2022, as_of=as_of) == month


def test_each_unit_is_judged_on_its_own_target(roads, people):
    roads_reports(
        jul={"渑池县政府": 2, "陕州区政府": 5, "灵宝市政府": 9},
        aug={"渑池县政府": 2, "陕州区政府": 6, "灵宝市政府": 11},
        sep={"渑池县政府": 2, "陕州区政府": 6, "灵宝市政府": 12},
    )
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    # 2 of 10 is 20 % against 75 % expected: 55 points behind, red.
    mianchi = open_alert(ROADS, "渑池县政府")
    assert (mianchi.severity, mianchi.scope, mianchi.expected, mianchi.actual) == ("red", "unit", 75, 20)
    assert mianchi.month == date(2022, 9, 1)
    # 6 of 10 is 15 points behind: yellow. 12 of 15 is 80 %: green, no alert.
    assert open_alert(ROADS, "陕州区政府").severity == "yellow"
    assert open_alert(ROADS, "灵宝市政府") is None
    # Counties with their own targets: the city row of a split figure raises nothing.
    assert not Alert.objects.filter(indicator__code=ROADS, scope=AlertScope.CITY).exists()


def test_an_unsplit_city_target_is_judged_on_the_city_row_and_sent_to_the_lead_department(plan_2022, people):
    for unit, value in [("湖滨区政府", 10000), ("陕州区政府", 10000), ("灵宝市政府", 10000)]:
        report("1.1.1", unit, date(2022, 9, 1), value=value)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    alerts = Alert.objects.filter(indicator__code="1.1.1", resolved_at__isnull=True)
    # 30,000 of 60,000 is 50 % against 75 %: yellow, for the city, to 市人力资源社会保障局
    # (the task's first lead unit that is not a county government).
    assert [(a.kind, a.scope, a.unit.name, a.severity, a.actual) for a in alerts] == [
        ("lagging", "city", "市人力资源社会保障局", "yellow", 50)
    ]


def test_past_its_deadline_an_unfinished_item_is_overdue_not_lagging(plan_2022, people):
    report("6.1.1", "湖滨区政府", date(2022, 4, 1), value=1000)
    alerts_scan(as_of=date(2022, 5, 6), kinds=PROGRESS_KINDS)
    # April's figures (judged once due, from 6 May): on its deadline day, the end of April, 1000 of
    # 1177 (84.96 %) is 15 points behind 100 %: yellow, not yet overdue. May's make it overdue.
    april = Alert.objects.get(indicator__code="6.1.1", resolved_at__isnull=True)
    assert (april.kind, april.severity) == ("lagging", "yellow")
    alerts_scan(as_of=date(2022, 6, 6), kinds=PROGRESS_KINDS)
    april.refresh_from_db()
    assert april.resolved_at is not None
    may = Alert.objects.get(indicator__code="6.1.1", resolved_at__isnull=True)
    assert (may.kind, may.severity, may.scope, may.unit.name) == ("overdue", "red", "city", "市住房城乡建设局")
    assert may.actual == Decimal("84.96")


def test_a_milestone_not_started_is_red(plan_2022, people):
    alerts_scan(as_of=date(2022, 5, 6), kinds=PROGRESS_KINDS)
    bridge = open_alert("2.5.1", "市住房城乡建设局")
    assert (bridge.severity, bridge.actual) == ("red", 0)
    report("2.5.1", "市住房城乡建设局", date(2022, 4, 1), stage=2)
    alerts_scan(as_of=date(2022, 5, 6), kinds=PROGRESS_KINDS)
    # Started (30 %) against 33.33 % expected: green.
    bridge.refresh_from_db()
    assert bridge.resolved_at is not None


def test_severity_follows_the_light_in_place(roads, people):
    report(ROADS, "陕州区政府", date(2022, 9, 1), value=6)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    alert = open_alert(ROADS, "陕州区政府")
    assert alert.severity == "yellow"
    # A correction downwards: 3 of 10 is 45 points behind, red. The same alert, now red.
    report(ROADS, "陕州区政府", date(2022, 9, 1), value=3)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    again = open_alert(ROADS, "陕州区政府")
    assert again.pk == alert.pk
    assert (again.severity, again.actual, again.red_since) == ("red", 30, date(2022, 9, 1))
    report(ROADS, "陕州区政府", date(2022, 9, 1), value=6)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    again.refresh_from_db()
    assert (again.severity, again.red_since, again.resolved_at) == ("yellow", None, None)


def test_an_alert_resolves_itself_and_a_new_one_opens_if_the_condition_returns(roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    first = open_alert(ROADS, "渑池县政府")
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=8)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    first.refresh_from_db()
    assert first.resolved_at is not None
    assert open_alert(ROADS, "渑池县政府") is None
    # October passes with no progress: 8 of 10 against 83.33 % is still green; by November's end
    # (91.67 %, judged from 6 December) it is yellow again: a new alert, with a new reminder.
    alerts_scan(as_of=date(2022, 12, 6), kinds=PROGRESS_KINDS)
    second = open_alert(ROADS, "渑池县政府")
    assert second.pk != first.pk and second.severity == "yellow"
    assert Alert.objects.filter(indicator__code=ROADS, unit__name="渑池县政府").count() == 2


def test_the_database_refuses_a_second_open_alert_for_the_same_thing(roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    alert = open_alert(ROADS, "渑池县政府")
    twin = Alert(
        plan=alert.plan, kind=alert.kind, indicator=alert.indicator, unit=alert.unit, month=alert.month,
        severity="yellow", expected=0, actual=0, opened_at=timezone.now(), updated_at=timezone.now(),
        checked_on=OCT6,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # Once the first is resolved, a new one may open.
    Alert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())
    twin.save()


def test_missing_reports_yellow_then_red_when_two_months_running(roads, people):
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=7)
    report(ROADS, "陕州区政府", date(2022, 8, 1), value=7)
    alerts_scan(as_of=date(2022, 9, 6), kinds=[AlertKind.MISSING])
    missing = {
        a.unit.name: (a.severity, a.month)
        for a in Alert.objects.filter(indicator__code=ROADS, kind=AlertKind.MISSING, resolved_at__isnull=True)
    }
    assert missing == {
        "渑池县政府": ("yellow", date(2022, 8, 1)),  # July in, August missing
        "灵宝市政府": ("red", date(2022, 8, 1)),  # July and August missing
    }
    # A late August figure clears it.
    report(ROADS, "渑池县政府", date(2022, 8, 1), value=7)
    alerts_scan(as_of=date(2022, 9, 7), kinds=[AlertKind.MISSING])
    assert open_alert(ROADS, "渑池县政府", AlertKind.MISSING) is None


def test_before_the_due_day_nothing_is_missing(roads, people):
    report(ROADS, "渑池县政府", date(2022, 7, 1), value=7)
    alerts_scan(as_of=date(2022, 9, 5), kinds=[AlertKind.MISSING])
    assert open_alert(ROADS, "渑池县政府", AlertKind.MISSING) is None


def test_an_indicator_due_in_april_is_missing_its_april_report_until_it_comes(plan_2022, people):
    report("6.1.1", "湖滨区政府", date(2022, 3, 1), value=100)
    alerts_scan(as_of=OCT6, kinds=[AlertKind.MISSING])
    hubin = open_alert("6.1.1", "湖滨区政府", AlertKind.MISSING)
    # Its window ends in April: April is the month owed, and March was in, so yellow.
    assert (hubin.month, hubin.severity) == (date(2022, 4, 1), "yellow")
    assert open_alert("6.1.1", "陕州区政府", AlertKind.MISSING).severity == "red"


def test_scanning_twice_sends_nothing_twice(roads, people):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)
    first = alerts_scan(as_of=OCT6)
    deliveries_send_due()
    sent, messages, deliveries = len(mail.outbox), Message.objects.count(), Delivery.objects.count()
    assert first.opened and sent > 0
    again = alerts_scan(as_of=OCT6)
    deliveries_send_due()
    assert again.opened == [] and again.delivery_ids == []
    assert (len(mail.outbox), Message.objects.count(), Delivery.objects.count()) == (sent, messages, deliveries)
    # Every e-mail went to a different address or is about a different alert.
    keys = [(m.to[0], m.extra_headers["X-Tracker-Key"]) for m in mail.outbox]
    assert len(keys) == len(set(keys))


def test_a_scan_that_crashes_leaves_nothing_and_its_rerun_sends_once(roads, people, monkeypatch):
    report(ROADS, "渑池县政府", date(2022, 9, 1), value=2)

    def crash(**kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr("projects.services.alerts.notifications_create", crash)
    with pytest.raises(RuntimeError):
        alerts_scan(as_of=OCT6)
    assert not Alert.objects.exists()
    monkeypatch.undo()
    alerts_scan(as_of=OCT6)
    alerts_scan(as_of=OCT6)
    deliveries_send_due()
    deliveries_send_due()
    reminders = [m for m in mail.outbox if m.to == ["mianchi@example.org"] and ROADS in m.subject]
    assert len([m for m in reminders if "滞后" in m.subject]) == 1


def test_the_scan_reads_in_a_fixed_number_of_queries(roads, people):
    alerts_scan(as_of=OCT6)

    def rescan_after(figures: list[tuple[str, int, int]]) -> int:
        for unit, month, value in figures:
            report(ROADS, unit, date(2022, month, 1), value=value)
        with CaptureQueriesContext(connection) as queries:
            alerts_scan(as_of=OCT6)
        return len(queries)

    # One alert changes, one resolves.
    few = rescan_after([("渑池县政府", 9, 2), ("陕州区政府", 9, 9)])
    # Two change, two missing-report alerts resolve: the same number of queries.
    more = rescan_after([("渑池县政府", 9, 6), ("灵宝市政府", 9, 3), ("渑池县政府", 8, 6), ("灵宝市政府", 8, 3)])
    assert more == few


def test_unreported_units_without_targets_raise_no_lagging_alert_of_their_own(plan_2022, people):
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    unit_ids = set(UnitProgress.objects.filter(indicator__code="1.1.1").values_list("unit_id", flat=True))
    assert not Alert.objects.filter(indicator__code="1.1.1", scope=AlertScope.UNIT, unit_id__in=unit_ids).exists()


def test_only_the_kinds_asked_for_are_reconciled(roads, people):
    alerts_scan(as_of=OCT6, kinds=[AlertKind.MISSING])
    missing = Alert.objects.filter(kind=AlertKind.MISSING).count()
    assert missing and not Alert.objects.exclude(kind=AlertKind.MISSING).exists()
    alerts_scan(as_of=OCT6, kinds=PROGRESS_KINDS)
    # The progress scan left the missing-report alerts alone.
    assert Alert.objects.filter(kind=AlertKind.MISSING, resolved_at__isnull=True).count() == missing
    assert set(Alert.objects.values_list("kind", flat=True)) == set(ALL_KINDS)


def test_an_indicator_no_longer_followed_keeps_its_alerts(plan_2022, people):
    alerts_scan(as_of=date(2023, 1, 6), kinds=PROGRESS_KINDS)
    open_2022 = Alert.objects.filter(indicator__deadline__year=2022, resolved_at__isnull=True).count()
    assert open_2022
    # In 2023 only the three-year indicators still have progress rows; the others' alerts stay.
    alerts_scan(as_of=date(2023, 2, 6), kinds=PROGRESS_KINDS)
    assert Alert.objects.filter(indicator__deadline__year=2022, resolved_at__isnull=True).count() == open_2022
    assert Indicator.objects.filter(deadline__year=2024).exists()
    assert Alert.objects.filter(indicator__deadline__year=2024, month=date(2023, 1, 1)).exists()
