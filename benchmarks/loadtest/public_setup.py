"""The public load test's data: in a database that holds scale S (``generate_load --scale S``), the
measured 2022 plan published (政务公开) with its months closed up to the measured month, its snapshot
built as the month's closing builds it, and one evidence photo of a reviewed figure approved.

    python benchmarks/loadtest/public_setup.py --out public.json   # {"plan": id, "photo": id}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings.bench")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from benchmarks.measure import MONTHS, measured_plan  # noqa: E402
from projects import calendar  # noqa: E402
from projects.models import Evidence, MonthClosure, Role, Submission, SubmissionStatus, User  # noqa: E402
from projects.people.services.demo import demo_png  # noqa: E402
from projects.people.services.public import photo_publish, plan_publish  # noqa: E402


def setup() -> dict[str, int]:
    plan = measured_plan("S")
    office, _ = User.objects.get_or_create(username="loadtest-office", defaults={"role": Role.OFFICE})
    month = plan.start.replace(day=1)
    while month <= MONTHS["S"]:
        MonthClosure.objects.get_or_create(plan=plan, month=month, defaults={"closed_by": office})
        month = calendar.add_months(month, 1)
    plan_publish(user=office, plan_id=plan.pk)  # builds the snapshot of the last closed month
    reviewed = (
        Submission.objects.filter(indicator__task__project__plan=plan, status=SubmissionStatus.APPROVED)
        .order_by("month", "pk")
        .first()
    )
    data = demo_png(1200, 800)  # a photo of a phone's size, as the public page shows them
    evidence = Evidence.objects.create(
        submission=reviewed, file=SimpleUploadedFile("现场.png", data), original_name="现场.png",
        content_type="image/png", size=len(data), sha256="0" * 64, uploaded_by=office,
    )  # fmt: skip
    photo = photo_publish(user=office, evidence_id=evidence.pk, caption="施工现场（压测）")
    return {"plan": plan.pk, "photo": photo.pk}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data = setup()
    Path(args.out).write_text(json.dumps(data))
    print(f"plan {data['plan']} published, photo {data['photo']} approved -> {args.out}")


if __name__ == "__main__":
    main()
