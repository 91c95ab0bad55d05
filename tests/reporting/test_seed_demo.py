"""``seed_demo``: reproducible synthetic figures that look like a living tracker, marked as demo."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.allocation import allocation_mismatch
from projects.models import Assignment, Indicator, Submission, SubmissionStatus, UnitProgress
from projects.services.demo import split_target
from projects.services.reporting import FigureInput, submission_save

from .conftest import indicator

pytestmark = pytest.mark.django_db
AUGUST = dt.date(2022, 8, 1)


def seed(as_of="2022-09-30"):
    out = StringIO()
    call_command("seed_demo", "--as-of", as_of, stdout=out)
    return out.getvalue()


def figures():
    return list(
        Submission.objects.order_by("indicator__code", "unit__name", "month").values_list(
            "indicator__code", "unit__name", "month", "value", "numerator", "denominator", "stage", "status",
            "submitted_at", "late", "progress_text",
        )
    )  # fmt: skip


def test_the_same_date_gives_the_same_figures_and_a_rerun_replaces_them(plan_2022):
    seed()
    first = figures()
    history = Submission.history.count()
    assert "演示数据" in seed()
    assert figures() == first
    assert Submission.history.count() == history  # replaced, not piled up
    assert len(first) > 1000 and Submission.objects.filter(is_demo=False).count() == 0


def test_a_later_date_continues_the_same_story(plan_2022):
    seed("2022-06-30")
    march = list(
        Submission.objects.filter(month=dt.date(2022, 3, 1)).values_list("indicator__code", "unit__name", "value")
    )
    seed("2022-09-30")
    assert (
        list(Submission.objects.filter(month=dt.date(2022, 3, 1)).values_list("indicator__code", "unit__name", "value"))
        == march
    )


def test_nothing_is_due_after_the_date(plan_2022):
    seed()
    months = set(Submission.objects.values_list("month", flat=True))
    assert max(months) == dt.date(2022, 9, 1)  # September ended on the date: a few drafts
    assert set(Submission.objects.filter(month=dt.date(2022, 9, 1)).values_list("status", flat=True)) == {"draft"}
    assert not Submission.objects.filter(submitted_at__date__gt=dt.date(2022, 9, 30)).exists()


def test_the_demo_looks_like_a_real_month(plan_2022):
    seed()
    august = Submission.objects.filter(month=AUGUST)
    statuses = Counter(august.values_list("status", flat=True))
    assert statuses[SubmissionStatus.APPROVED] > statuses[SubmissionStatus.SUBMITTED] > 0
    assert statuses[SubmissionStatus.RETURNED] > 0
    assert Submission.objects.filter(late=True).exists()
    assert Submission.objects.filter(status=SubmissionStatus.APPROVED).count() > 0.7 * Submission.objects.count()
    # Some units report every month; some miss a month.
    expected = Assignment.objects.filter(indicator__task__project__plan=plan_2022).count()
    assert 0.75 * expected < august.count() < expected
    # Lights: most units green, some yellow, a few red, and the counties differ.
    lights = Counter(UnitProgress.objects.filter(month=AUGUST).exclude(light="").values_list("light", flat=True))
    assert lights["green"] > lights["yellow"] > 0 and lights["red"] > 0
    by_county = {
        name: Counter(UnitProgress.objects.filter(month=AUGUST, unit__name=name).values_list("light", flat=True))
        for name in ("湖滨区政府", "卢氏县政府")
    }
    assert by_county["湖滨区政府"]["green"] > by_county["湖滨区政府"]["red"]
    assert by_county["卢氏县政府"]["red"] > by_county["卢氏县政府"]["green"]
    # Narratives in Chinese.
    assert august.filter(progress_text__contains="累计完成").exists()


def test_demo_allocations_add_up_so_that_counties_have_lights(plan_2022):
    seed()
    for ind in Indicator.objects.filter(assignments__is_demo=True).distinct():
        parts = list(ind.assignments.values_list("target", flat=True))
        assert allocation_mismatch(target=ind.target, parts=parts) is None, ind.code
    assert split_target(target=Decimal("12.5"), weights=[1.5, 0.6, 1.0], quantum=Decimal("0.1")) == [
        Decimal("6.1"), Decimal("2.4"), Decimal("4.0")
    ]  # fmt: skip
    assert split_target(target=Decimal(3), weights=[1, 1.1, 0.6, 1.6, 1, 0.9], quantum=Decimal(1)).count(None) == 3


def test_figures_people_entered_are_kept(plan_2022, clock):
    from tests.factories import unit_user

    hubin = unit_user("湖滨区政府")
    mine = submission_save(user=hubin, indicator_id=indicator("1.1.1").pk, month=dt.date(2022, 6, 1),
                           figure=FigureInput(value=Decimal(4242)), version=0, submit=False)  # fmt: skip
    seed()
    seed()
    mine.refresh_from_db()
    assert (mine.value, mine.is_demo) == (4242, False)
    assert Submission.objects.filter(indicator__code="1.1.1", unit=hubin.unit, month=dt.date(2022, 6, 1)).count() == 1


def test_pages_showing_demo_figures_say_so(client, plan_2022, clock):
    from tests.factories import unit_user

    seed()
    client.force_login(unit_user("卢氏县政府"))
    page = client.get(reverse("report_month", args=[dt.date(2022, 6, 1)])).content.decode()
    assert "演示数据" in page
    sub = Submission.objects.filter(unit__name="卢氏县政府", is_demo=True).first()
    assert "演示数据" in client.get(reverse("submission_detail", args=[sub.pk])).content.decode()
