"""What an e-mail attaches comes from the registry of the events that produce messages
(projects.attachments), from values the producer recorded on the delivery: the sender knows no
producer, and a new kind of message attaches files with one line in the registry."""

import pytest
from django.core import mail

from projects.attachments import ATTACHMENT_BUILDERS, Attachment, UnknownAttachments, attachment_builder
from projects.models import Channel, Delivery, Event
from projects.services.notifications import News, delivery_send, notifications_create

pytestmark = pytest.mark.django_db

BUILT: list[dict] = []


def minutes(*, meeting: int, month: str) -> list[Attachment]:
    """A builder as a producer would write one: plain values in, files out."""
    BUILT.append({"meeting": meeting, "month": month})
    return [Attachment(f"会议纪要-{meeting}-{month}.txt", f"第{meeting}次调度会（{month}）".encode(), "text/plain")]


@pytest.fixture
def registered(monkeypatch):
    """The digest attaches the meeting's minutes, for these tests only."""
    BUILT.clear()
    monkeypatch.setitem(ATTACHMENT_BUILDERS, Event.DIGEST, f"{__name__}.minutes")


def digest(leader, **attachments) -> News:
    return News(
        event=Event.DIGEST, key="digest:2022-W40", subject="【每周摘要】", body="正文", user_id=leader.pk,
        attachments=attachments or None,
    )  # fmt: skip


def test_every_registered_builder_can_be_imported():
    for event, path in ATTACHMENT_BUILDERS.items():
        assert event in Event.values, event
        assert callable(attachment_builder(event)), path


def test_the_e_mail_carries_the_files_its_event_builds_from_the_recorded_values(people, registered):
    notifications_create(items=[digest(people.leader, meeting=3, month="2022-09")])
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.attachments == {"meeting": 3, "month": "2022-09"}
    assert BUILT == []  # recorded, not built: the files are made when the e-mail leaves
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    (message,) = mail.outbox
    assert message.attachments == [("会议纪要-3-2022-09.txt", "第3次调度会（2022-09）", "text/plain")]
    assert BUILT == [{"meeting": 3, "month": "2022-09"}]


def test_news_without_values_attaches_nothing_even_when_its_event_has_a_builder(people, registered):
    notifications_create(items=[digest(people.leader)])
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    delivery_send(delivery_id=delivery.pk)
    assert (delivery.attachments, mail.outbox[0].attachments, BUILT) == ({}, [], [])


def test_attachments_for_an_event_without_a_builder_are_refused_when_the_news_is_created(people):
    with pytest.raises(UnknownAttachments):
        notifications_create(items=[digest(people.leader, meeting=3)])
    assert not Delivery.objects.exists()


def test_values_that_are_not_json_are_refused_when_the_news_is_created(people, registered):
    with pytest.raises(UnknownAttachments):
        notifications_create(items=[digest(people.leader, meeting=people.leader)])
    assert not Delivery.objects.exists()


def test_the_bulletin_is_a_line_of_the_registry_not_a_case_of_the_sender():
    import inspect

    from projects.services import notifications

    assert ATTACHMENT_BUILDERS[Event.BULLETIN] == "projects.services.bulletin.bulletin_email_attachments"
    sender = inspect.getsource(notifications._send_email) + inspect.getsource(notifications.delivery_send)
    assert "bulletin" not in sender.lower()
