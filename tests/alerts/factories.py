"""factory_boy factories for the alert tests' own rows (the catalogue comes from the 2022 plan)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from projects.models import Alert, AlertKind, AlertScope, Event, Indicator, Message, Role, Severity, Unit, User


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


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert as the scan leaves it: ``AlertFactory(code="1.1.1", unit_name="湖滨区政府")``."""

    class Meta:
        model = Alert

    class Params:
        code = "1.1.1"
        unit_name = "湖滨区政府"

    indicator = factory.LazyAttribute(lambda a: Indicator.objects.select_related("task__project").get(code=a.code))
    plan = factory.LazyAttribute(lambda a: a.indicator.task.project.plan)
    unit = factory.LazyAttribute(lambda a: Unit.objects.get(name=a.unit_name))
    kind = AlertKind.LAGGING
    scope = AlertScope.UNIT
    month = datetime.date(2022, 9, 1)
    severity = Severity.RED
    expected = Decimal(75)
    actual = Decimal(30)
    opened_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyAttribute(lambda a: a.opened_at)
    checked_on = datetime.date(2022, 9, 30)
    reminded_at = factory.LazyAttribute(lambda a: a.opened_at)
