"""With the demo data of `make run` (its clock on 6 October 2022, figures up to September), the scan
lists the lagging and overdue items that the rules predict from the submissions alone, as of the end
of September, and the leader in charge finds them in his inbox."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects import rules
from projects.clock import DEMO_TODAY
from projects.models import COUNTED_STATUSES, Aggregation, Assignment, Event, Message, RateBasis, Submission, User
from projects.services.accounts import demo_accounts_create

pytestmark = pytest.mark.django_db

AS_OF = DEMO_TODAY
SEP30 = date(2022, 9, 30)  # the reporting month's end: what the figures describe


def predicted_items(plan) -> set[tuple[str, str, str, str, str]]:
    """(kind, severity, project.task, indicator, unit) straight from the submissions and the rules:
    each unit's latest counted figure by September, against its own target."""
    latest: dict[tuple[int, int], Submission] = {}
    for sub in Submission.objects.filter(status__in=COUNTED_STATUSES, month__lte=date(2022, 9, 1)).order_by("month"):
        latest[(sub.indicator_id, sub.unit_id)] = sub
    items = set()
    for a in Assignment.objects.select_related("indicator__task__project", "unit"):
        ind = a.indicator
        target = a.target if ind.aggregation == Aggregation.SUM else ind.target
        if target is None and ind.kind != "milestone":
            continue
        sub = latest.get((ind.pk, a.unit_id))
        ratio = ind.kind == "rate" and ind.rate_basis == RateBasis.RATIO
        assessment = rules.assess(
            kind=ind.kind, direction=ind.direction, target=target, start=ind.start or plan.start,
            deadline=ind.deadline, as_of=SEP30, value=sub and sub.value,
            numerator=sub.numerator if sub and ratio else None, denominator=sub.denominator if sub and ratio else None,
            stage=sub and sub.stage, stages=ind.stage_list, baseline=ind.baseline, monthly_plan=ind.monthly_plan,
            planned_start=ind.planned_start, bands=plan.bands,
        )  # fmt: skip
        where = f"{ind.task.project.number}.{ind.task.number}"
        if assessment.overdue:
            items.add(("overdue", "red", where, ind.name, a.unit.name))
        elif assessment.light != rules.Light.GREEN:
            items.add(("lagging", assessment.light.value, where, ind.name, a.unit.name))
    return items


def test_scan_of_the_demo_data_lists_what_the_rules_predict_and_the_leader_sees_it(client, plan_2022):
    demo_accounts_create(plan=plan_2022)
    call_command("seed_demo", "--as-of", AS_OF.isoformat(), stdout=StringIO())
    out = StringIO()
    call_command("scan", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    alerts = json.loads(out.getvalue())

    listed = {
        (a["kind"], a["severity"], f"{a['project']}.{a['task']}", a["indicator"], a["unit"])
        for a in alerts
        if a["kind"] in ("lagging", "overdue")
    }
    predicted = predicted_items(plan_2022)
    assert len(predicted) > 10  # the demo has laggards, or this test would prove little
    assert listed == predicted
    assert {a["month"] for a in alerts if a["kind"] != "missing"} == {"2022-09"}

    # The leader sees a summary of the portfolio, from which each item is one click away: linked
    # itself (the red ones), or on its project's page.
    leader = User.objects.get(username="fushizhang")
    client.force_login(leader)
    page = client.get(reverse("inbox")).content.decode()
    (summary,) = Message.objects.filter(recipient=leader, kind=Event.PORTFOLIO)
    assert summary.subject in page
    projects = {label.split("、")[0]: path for label, path in summary.links if "/dashboards/projects/" in path}
    shown = {number: client.get(path).content.decode() for number, path in projects.items()}
    in_portfolio = {item for item in listed if item[2].split(".")[0] in {"2", "6", "10"}}
    assert in_portfolio
    numbers = {"2": "二", "6": "六", "10": "十"}
    for _kind, severity, where, indicator, unit in in_portfolio:
        linked = any(indicator in label and unit in label for label, _path in summary.links)
        assert linked or (severity == "yellow" and indicator in shown[numbers[where.split(".")[0]]])
