"""The inbox groups and filters by kind, project, unit, month and state; a message's link opens the
page to act on and marks it read; "mark read" marks what the list shows."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Event, Message, Project, Unit

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

JUNE, JULY = date(2022, 6, 1), date(2022, 7, 1)


@pytest.fixture
def office_inbox(people, plan_2022):
    """Six messages for the office: alerts of two counties and two months, a batch to review, a
    bulletin; one read, one resolved."""
    project_10 = Project.objects.get(plan=plan_2022, number=10)
    project_1 = Project.objects.get(plan=plan_2022, number=1)
    mianchi, shanzhou = Unit.objects.get(name="渑池县政府"), Unit.objects.get(name="陕州区政府")
    now = timezone.now()
    rows = [
        ("渑池6月滞后", Event.ALERT_LAGGING, project_10, mianchi, JUNE, {}),
        ("陕州6月滞后", Event.ALERT_LAGGING, project_10, shanzhou, JUNE, {"read_at": now}),
        ("渑池7月逾期", Event.ALERT_OVERDUE, project_10, mianchi, JULY, {}),
        ("陕州7月滞后已解除", Event.ALERT_LAGGING, project_1, shanzhou, JULY, {"resolved_at": now}),
        ("渑池报送待审核", Event.SUBMITTED, None, mianchi, JULY, {"link": "/review/queue/?month=2022-07"}),
        ("7月通报", Event.BULLETIN, None, None, JULY, {}),
    ]
    for i, (subject, kind, project, unit, month, extra) in enumerate(rows):
        MessageFactory(
            recipient=people.office, subject=subject, kind=kind, project=project, unit=unit, month=month,
            created=now - timedelta(minutes=10 - i), **extra,
        )  # fmt: skip
    MessageFactory(recipient=people.mianchi, subject="县里自己的", unit=mianchi, month=JUNE)
    return {"project_10": project_10, "mianchi": mianchi, "shanzhou": shanzhou}


def subjects(client, **query) -> list[str]:
    response = client.get(reverse("inbox"), query)
    assert response.status_code == 200
    return [m.subject for m in response.context["page_obj"]]


def test_each_filter_narrows_to_what_it_names(client, people, office_inbox):
    client.force_login(people.office)
    newest_first = ["7月通报", "渑池报送待审核", "陕州7月滞后已解除", "渑池7月逾期", "陕州6月滞后", "渑池6月滞后"]
    assert subjects(client) == newest_first
    assert subjects(client, kind=Event.ALERT_LAGGING) == ["陕州7月滞后已解除", "陕州6月滞后", "渑池6月滞后"]
    assert subjects(client, project=office_inbox["project_10"].pk) == ["渑池7月逾期", "陕州6月滞后", "渑池6月滞后"]
    assert subjects(client, unit=office_inbox["mianchi"].pk) == ["渑池报送待审核", "渑池7月逾期", "渑池6月滞后"]
    assert subjects(client, month="2022-06") == ["陕州6月滞后", "渑池6月滞后"]
    assert subjects(client, state="unread") == ["7月通报", "渑池报送待审核", "渑池7月逾期", "渑池6月滞后"]
    assert subjects(client, state="resolved") == ["陕州7月滞后已解除"]
    # Combined: June's lagging alerts of 渑池县, unread.
    assert subjects(client, kind=Event.ALERT_LAGGING, unit=office_inbox["mianchi"].pk, month="2022-06") == [
        "渑池6月滞后"
    ]
    # The inbox's old link (?show=unread) still means unread.
    assert subjects(client, show="unread") == subjects(client, state="unread")


def test_the_kinds_above_the_list_count_what_is_open(client, people, office_inbox):
    client.force_login(people.office)
    response = client.get(reverse("inbox"))
    counts = [(kind, total, unread) for kind, _name, total, unread in response.context["filter"].kind_counts]
    # 滞后: 3 messages, 1 open (one read, one resolved); the others one each, open.
    assert counts == [(Event.ALERT_LAGGING, 3, 1), (Event.ALERT_OVERDUE, 1, 1), (Event.BULLETIN, 1, 1),
                      (Event.SUBMITTED, 1, 1)]  # fmt: skip
    # The unit filter offers the units of one's own messages only.
    units = [u.name for u in response.context["filter"].filters["unit"].queryset]
    assert units == ["陕州区政府", "渑池县政府"]


def test_grouped_by_unit_each_unit_has_one_heading(client, people, office_inbox):
    client.force_login(people.office)
    response = client.get(reverse("inbox"), {"group": "unit"})
    html = response.content.decode()
    headings = [h.split(">", 1)[1].split("<", 1)[0] for h in html.split('class="h6 tracker-inbox-group')[1:]]
    by_unit = [(m.unit.name if m.unit else None, m.subject) for m in response.context["page_obj"]]
    # The units in the plan's order (陕州区 before 渑池县), newest first inside; the bulletin last.
    assert by_unit == [
        ("陕州区政府", "陕州7月滞后已解除"), ("陕州区政府", "陕州6月滞后"),
        ("渑池县政府", "渑池报送待审核"), ("渑池县政府", "渑池7月逾期"), ("渑池县政府", "渑池6月滞后"),
        (None, "7月通报"),
    ]  # fmt: skip
    assert headings == ["陕州区政府", "渑池县政府", "不属于某个单位"]


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, people, office_inbox):
    client.force_login(people.office)
    message = Message.objects.get(subject="渑池报送待审核")
    response = client.get(reverse("message_open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == "/review/queue/?month=2022-07"
    message.refresh_from_db()
    assert message.read_at is not None
    # Somebody else's message: not found, and not marked.
    theirs = Message.objects.get(subject="县里自己的")
    assert client.get(reverse("message_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_marks_only_what_the_list_shows(client, people, office_inbox):
    client.force_login(people.office)
    client.post(reverse("inbox_read_all"), {"query": f"unit={office_inbox['mianchi'].pk}", "next": "/inbox/"})
    assert subjects(client, state="unread") == ["7月通报"]
    assert Message.objects.get(subject="县里自己的").read_at is None
