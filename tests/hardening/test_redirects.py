"""Forms that send the user back where they came from (``next``) never send them to another site."""

import pytest
from django.urls import reverse

from .conftest import JUNE, indicator

pytestmark = pytest.mark.django_db

HOSTILE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", HOSTILE)
def test_closing_a_month_returns_to_the_site_only(client, world, target):
    client.force_login(world.users["office"])
    plan = indicator("1.1.1").task.project.plan_id
    response = client.post(reverse("month_closure", args=[JUNE]), {"plan": plan, "action": "close", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("review_list")


@pytest.mark.parametrize("target", HOSTILE)
def test_reading_a_message_returns_to_the_site_only(client, world, target):
    client.force_login(world.users["county"])
    response = client.post(reverse("message_read", args=[world.messages["county"].pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_a_page_of_the_site_is_where_they_go_back_to(client, world):
    client.force_login(world.users["office"])
    plan = indicator("1.1.1").task.project.plan_id
    back = reverse("report_month", args=[JUNE]) + "?unit=1"
    response = client.post(reverse("month_closure", args=[JUNE]), {"plan": plan, "action": "open", "next": back})
    assert response["Location"] == back
