"""The reporting pages read in a number of queries that does not grow with the data."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Submission

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_do_not_query_per_row(client, plan_2022, hubin, renshe, office):
    few = {}
    client.force_login(hubin)
    month = reverse("report_month", args=[dt.date(2022, 6, 1)])
    few["month"] = queries(client, month)
    client.force_login(renshe)
    review = reverse("review_list") + "?status="
    few["review"] = queries(client, review)

    call_command("seed_demo", "--as-of", "2022-09-30", stdout=StringIO())
    assert Submission.objects.count() > 1000
    client.force_login(hubin)
    assert queries(client, month) <= few["month"] + 2
    client.force_login(renshe)
    assert queries(client, review) <= few["review"] + 2
    sub = Submission.objects.filter(unit__name="湖滨区政府", status="approved").first()
    client.force_login(office)
    assert queries(client, reverse("submission_detail", args=[sub.pk])) < 30
