"""The load test's people: reporting units that each report a few figures of the 2022 plan, one
account each, and office accounts that read the overview.

Run by ``benchmarks/loadtest/run.py`` in a database that holds scale S (``generate_load --scale S``):

    python benchmarks/loadtest/setup_data.py --reporters 200 --figures 5 --readers 10 --out users.json

Each reporting unit (压测报送单位001 …) is assigned ``--figures`` additive indicators of the plan
(count or amount, split among nobody, so the units have no targets of their own), spread round the
plan so that many units share each indicator, as counties and townships do at month-end. No unit
has figures for the load test's month yet: every (indicator, unit, month) a user sends is its own.
All accounts share one password hash (computed once: hashing it 210 times would take minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.bench")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from projects.models import (  # noqa: E402
    Aggregation,
    Assignment,
    Indicator,
    IndicatorKind,
    PlanKind,
    Role,
    Submission,
    Unit,
    UnitKind,
    User,
)
from projects.selectors.catalogue import plan_choose  # noqa: E402
from projects.services.progress import progress_rebuild  # noqa: E402

MONTH = "2022-12"


@transaction.atomic
def setup(*, reporters: int, figures: int, readers: int) -> dict:
    # Scale S holds the city's portfolio: the real plan is its 重点民生实事 plan.
    plan = plan_choose(year=2022, default_kind=PlanKind.LIVELIHOOD)
    indicators = list(
        Indicator.objects.filter(
            task__project__plan=plan,
            kind__in=[IndicatorKind.COUNT, IndicatorKind.AMOUNT],
            aggregation=Aggregation.SUM,
            parent__isnull=True,
        ).order_by("task__project__number", "task__number", "position")
    )
    if len(indicators) < figures:
        raise SystemExit(f"the plan has only {len(indicators)} additive indicators")
    password = secrets.token_urlsafe(12) + "Aa1!"
    hashed = make_password(password)
    units = Unit.objects.bulk_create(
        [Unit(name=f"压测报送单位{n:03d}", kind=UnitKind.OTHER, position=1000 + n) for n in range(1, reporters + 1)]
    )
    assignments, people = [], []
    for n, unit in enumerate(units):
        mine = [indicators[(n * figures + k) % len(indicators)] for k in range(figures)]
        assignments += [Assignment(indicator=i, unit=unit, position=100 + n) for i in mine]
        # A plausible figure: a share of the city target (a unit's part of it), so that no figure
        # needs the "beyond the target" confirmation; the correction adds one.
        values = [max(1, int((i.target or 100) * (10 + (n * 7 + k) % 40) / 100)) for k, i in enumerate(mine)]
        people.append({"unit_id": unit.pk, "indicators": [i.pk for i in mine], "values": values})
    Assignment.objects.bulk_create(assignments)
    users = User.objects.bulk_create(
        [User(username=f"load-u{n:03d}", role=Role.UNIT, unit=unit, password=hashed) for n, unit in enumerate(units)]
        + [User(username=f"load-office{n:02d}", role=Role.OFFICE, password=hashed) for n in range(readers)]
    )
    for person, user in zip(people, users, strict=False):
        person["username"] = user.username
    # The new units now follow the plan's months: progress rows for them (no figures yet).
    progress_rebuild(plan=plan)
    assert not Submission.objects.filter(unit__in=units).exists()
    return {
        "month": MONTH,
        "password": password,
        "reporters": people,
        "readers": [u.username for u in users[reporters:]],
        "plan": plan.pk,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--figures", type=int, default=5)
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data = setup(reporters=args.reporters, figures=args.figures, readers=args.readers)
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1))
    print(f"{len(data['reporters'])} reporting units and users, {len(data['readers'])} readers -> {args.out}")


if __name__ == "__main__":
    main()
