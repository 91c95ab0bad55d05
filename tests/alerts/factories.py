"""factory_boy factories for the alert tests' own rows (the catalogue comes from the 2022 plan)."""

import factory
from django.utils import timezone

from projects.models import Event, Message, Role, Unit, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.LazyAttribute(lambda u: u.username)
    role = Role.UNIT
    password = factory.django.Password("x-not-used-x")

    class Params:
        unit_name = None

    unit = factory.LazyAttribute(lambda u: Unit.objects.get(name=u.unit_name) if u.unit_name else None)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    recipient = factory.SubFactory(UserFactory)
    kind = Event.ALERT_LAGGING
    subject = factory.Sequence(lambda n: f"【滞后预警·红色】测试 {n}")
    body = "第一行\n第二行"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    created = factory.LazyFunction(timezone.now)
