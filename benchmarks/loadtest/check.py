"""After the load test: does the database hold exactly what the users were told was saved?

    python benchmarks/loadtest/check.py --users users.json --sent sent.json

Counts, for the load test's units and month: submissions in the database against figures
acknowledged; duplicates of one (indicator, unit, month) (the unique constraint should make them
impossible); lost updates (a stored figure other than the last one acknowledged, or an older
version than the number of saves); figures stored that nobody was told were saved. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.bench")

import django

django.setup()

from django.db.models import Count  # noqa: E402

from projects.calendar import parse_month  # noqa: E402
from projects.models import Submission, SubmissionStatus, UnitProgress  # noqa: E402


def check(people: dict, sent: dict) -> dict:
    month = parse_month(people["month"])
    unit_ids = [p["unit_id"] for p in people["reporters"]]
    rows = Submission.objects.filter(unit_id__in=unit_ids, month=month)
    stored = {(s.unit_id, s.indicator_id): s for s in rows}
    duplicates = rows.values("indicator_id", "unit_id", "month").annotate(n=Count("id")).filter(n__gt=1).count()
    expected = {(v["unit_id"], v["indicator_id"]): v for v in sent.values()}
    lost, wrong_version, not_submitted = [], [], []
    for key, figure in expected.items():
        row = stored.get(key)
        if row is None or row.value != Decimal(figure["value"]):
            lost.append(
                {"unit": key[0], "indicator": key[1], "sent": figure["value"], "stored": row and str(row.value)}
            )
        elif row.version != figure["saves"]:
            wrong_version.append(
                {"unit": key[0], "indicator": key[1], "saves": figure["saves"], "version": row.version}
            )
        elif row.status != SubmissionStatus.SUBMITTED:
            not_submitted.append({"unit": key[0], "indicator": key[1], "status": row.status})
    unexpected = [k for k in stored if k not in expected]
    # The progress table follows every saved figure (it is what the pages read).
    progress_stale = sum(
        1
        for (unit_id, indicator_id), row in stored.items()
        if not UnitProgress.objects.filter(
            indicator_id=indicator_id, unit_id=unit_id, month=month, value=row.value, reported=True
        ).exists()
    )
    return {
        "acknowledged": len(expected),
        "stored": len(stored),
        "duplicates": duplicates,
        "lost_updates": len(lost),
        "wrong_version": len(wrong_version),
        "not_submitted": len(not_submitted),
        "unexpected": len(unexpected),
        "progress_not_following": progress_stale,
        "examples": {"lost": lost[:5], "wrong_version": wrong_version[:5], "unexpected": unexpected[:5]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", required=True)
    parser.add_argument("--sent", required=True)
    args = parser.parse_args()
    people = json.loads(Path(args.users).read_text())
    sent = json.loads(Path(args.sent).read_text())["sent"]
    print(json.dumps(check(people, sent), default=str))


if __name__ == "__main__":
    main()
