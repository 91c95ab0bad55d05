"""Telling people: fan-out of news into inbox messages and deliveries, and sending the deliveries.

``notifications_create`` turns news (an event with a dedupe key) into one in-app ``Message`` per
user and one ``Delivery`` per e-mail address or webhook, according to the notification rules. It
runs in the transaction that decided the news (the scan), and creating the same news twice is a
no-op thanks to the unique constraints.

``delivery_send`` sends one delivery at most once: it claims the row with a conditional update
(pending -> sending) and only the caller whose update changed the row sends, the pattern of
healthchecks' ``sendalerts``. A failure puts the row back to pending with an exponential back-off;
a row found still "sending" long after its claim (a worker died mid-send) may or may not have gone
out, so it is marked failed and never retried by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import clock
from projects.attachments import attachments_build, attachments_check
from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import audit_record
from projects.models import (
    Audience,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Message,
    NotificationRule,
    Project,
    Role,
    Unit,
    User,
    WebhookEndpoint,
    WebhookFlavour,
    WebhookScope,
)

logger = logging.getLogger(__name__)

# (in-app, e-mail, webhook) per event and audience, where the office has not set a rule in the admin.
# Each reader gets a text written for them: the unit its letter (e-mail and its group robot too:
# it must act), the lead department a list of its units behind (牵头任务滞后单位) and a copy of a
# notice that names it, the leaders a summary of their portfolio (分管项目预警汇总) and the weekly
# digest, the office one summary of the scan's day (预警督办汇总), instead of copies of the units'
# letters; the summaries link to each item. A notice is still posted to the office's and the
# project's group robots (a group chat is where it is announced), not to their inboxes or e-mail.
# Each step of reporting tells the next person once, in the inbox and by e-mail
# (projects.services.handoffs).
DEFAULT_RULES: dict[tuple[str, str], tuple[bool, bool, bool]] = {
    (Event.ALERT_LAGGING, Audience.REPORTING_UNIT): (True, True, True),
    (Event.ALERT_OVERDUE, Audience.REPORTING_UNIT): (True, True, True),
    (Event.ALERT_MISSING, Audience.REPORTING_UNIT): (True, True, True),
    (Event.NOTICE, Audience.REPORTING_UNIT): (True, True, True),
    (Event.NOTICE, Audience.LEAD_UNIT): (True, True, True),
    (Event.NOTICE, Audience.OFFICE): (False, False, True),
    (Event.NOTICE, Audience.LEADERS): (False, False, True),
    (Event.OFFICE_SUMMARY, Audience.OFFICE): (True, False, False),
    (Event.DUE_REMINDER, Audience.REPORTING_UNIT): (True, True, True),
    (Event.DIGEST, Audience.LEADERS): (True, True, False),
    # The monthly job's bulletin: e-mailed with the Word and Excel files, and a note in the inbox.
    (Event.BULLETIN, Audience.LEADERS): (True, True, False),
    # The supervision loop (projects/supervision): each step tells the next person, by inbox and
    # e-mail; the 催办 also goes to the unit's group robot.
    (Event.NOTICE_ANSWERED, Audience.OFFICE): (True, True, False),
    (Event.INSTRUCTION, Audience.REPORTING_UNIT): (True, True, False),
    (Event.INSTRUCTION_REPLY, Audience.OFFICE): (True, True, False),
    (Event.INSTRUCTION_REPLY, Audience.LEADERS): (True, True, False),
    (Event.LOOP_RETURNED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.LOOP_CLOSED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.LOOP_CLOSED, Audience.LEADERS): (True, True, False),
    (Event.LOOP_REMINDER, Audience.REPORTING_UNIT): (True, True, False),
    (Event.LOOP_URGE, Audience.REPORTING_UNIT): (True, True, True),
    # The office and each leader in charge get one list of the day's 催办 written for them, not
    # copies of the units' letters.
    (Event.LOOP_URGE_SUMMARY, Audience.OFFICE): (True, False, False),
    (Event.LOOP_URGE_SUMMARY, Audience.LEADERS): (True, True, False),
    (Event.CLOSEOUT_APPLIED, Audience.OFFICE): (True, True, False),
    (Event.CLOSEOUT_DECIDED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.CLOSEOUT_REOPENED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.PORTFOLIO, Audience.LEADERS): (True, False, False),
    (Event.UNITS_BEHIND, Audience.LEAD_UNIT): (True, False, False),
    # The reviewer: the lead department, or the office for the figures it reviews.
    (Event.SUBMITTED, Audience.LEAD_UNIT): (True, True, False),
    (Event.SUBMITTED, Audience.OFFICE): (True, True, False),
    (Event.RETURNED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.APPROVED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.REOPENED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.MONTH_CLOSED, Audience.REPORTING_UNIT): (True, True, False),
    (Event.MONTH_OPENED, Audience.REPORTING_UNIT): (True, True, False),
    # A superuser's login (projects/security/events.py): inbox and e-mail of the security administrators.
    (Event.SECURITY, Audience.SECURITY_ADMINS): (True, True, False),
    # A deputy's suggestion needs the lead unit's reply; the office follows it in its inbox. The
    # reply is a personal message to the deputy (news with ``user_id``, as the digest).
    (Event.SUGGESTION, Audience.LEAD_UNIT): (True, True, False),
    (Event.SUGGESTION, Audience.OFFICE): (True, False, False),
    (Event.SUGGESTION_REPLY, Audience.LEADERS): (True, False, False),
}
NOTHING = (False, False, False)

# WeCom refuses markdown content over 4096 bytes; DingTalk's limit is larger, one cap serves both.
WEBHOOK_MAX_BYTES = 4000


@dataclass(frozen=True)
class News:
    """Something to tell: an event about a unit (and its lead unit, project), or a personal message.

    Who is told: every audience whose notification rule for ``event`` is on (``audiences`` narrows
    them: a figure sent for review goes to its reviewer, not to every lead unit the rules name).
    The same ``key`` is never delivered twice to the same recipient; news with ``revise=True`` is a
    new version of the news with its key (a condition that changed), which rewrites the messages
    already in the inboxes instead of adding one (see ``notifications_create``)."""

    event: str
    key: str  # dedupe key: the same key is never delivered twice to the same recipient
    subject: str
    body: str
    link: str = ""  # a path on this site: the page to act on
    unit_id: int | None = None  # the reporting unit (the REPORTING_UNIT audience; what it is about)
    lead_unit_id: int | None = None  # the LEAD_UNIT audience: the lead department, or the reviewer
    project_id: int | None = None  # whose leaders are told (the LEADERS audience); what it is about
    user_id: int | None = None  # a personal message (the digest): this user only, no group robot
    alert_id: int | None = None
    notice_id: int | None = None
    month: date | None = None  # the month of the figures it is about (the inbox's filter)
    links: tuple[tuple[str, str], ...] = ()  # further (label, path) links: a summary's items
    audiences: frozenset[str] | None = None  # only these audiences (None: all the rules name)
    revise: bool = False  # rewrite the messages of this key that exist already
    # Files on the e-mails: the values the event's builder takes (projects.attachments), e.g.
    # {"plan": 1, "month": "2022-09"}; recorded on each e-mail delivery, built when it is sent.
    attachments: Mapping[str, Any] | None = None


def notification_rules() -> dict[tuple[str, str], tuple[bool, bool, bool]]:
    """The effective rules: the admin's rows over the defaults."""
    rules = dict(DEFAULT_RULES)
    for rule in NotificationRule.objects.all():
        rules[(rule.event, rule.audience)] = (rule.in_app, rule.email, rule.webhook)
    return rules


def notification_rules_setup() -> int:
    """Create the default rule rows the admin does not have yet (never changes an existing row)."""
    existing = set(NotificationRule.objects.values_list("event", "audience"))
    rows = [
        NotificationRule(event=event, audience=audience, in_app=in_app, email=email, webhook=webhook)
        for event in Event.values
        for audience in Audience.values
        if (event, audience) not in existing
        for in_app, email, webhook in [DEFAULT_RULES.get((event, audience), NOTHING)]
    ]
    NotificationRule.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        created = [[r.event, r.audience] for r in rows]
        audit_record(action=AuditAction.NOTIFICATION_RULES_SETUP, detail={"created": created})
    return len(rows)


@dataclass
class _Directory:
    """Who is who, loaded for a batch of news in a fixed number of queries."""

    unit_users: dict[int, list[User]]
    unit_email: dict[int, str]
    office: list[User]
    security_admins: list[User]
    project_leaders: dict[int, list[User]]
    users: dict[int, User]
    unit_hooks: dict[int, list[WebhookEndpoint]]
    office_hooks: list[WebhookEndpoint]
    project_hooks: dict[int, list[WebhookEndpoint]]

    @classmethod
    def load(cls, items: Sequence[News]) -> _Directory:
        unit_ids = {i for n in items for i in (n.unit_id, n.lead_unit_id) if i is not None}
        project_ids = {n.project_id for n in items if n.project_id is not None}
        user_ids = {n.user_id for n in items if n.user_id is not None}
        reachable = User.objects.filter(is_active=True, receives_alerts=True).only("id", "email", "unit_id")
        unit_users: dict[int, list[User]] = defaultdict(list)
        for user in reachable.filter(unit_id__in=unit_ids):
            unit_users[user.unit_id].append(user)
        project_leaders: dict[int, list[User]] = defaultdict(list)
        through = Project.leaders.through.objects.filter(
            project_id__in=project_ids, user__is_active=True, user__receives_alerts=True
        ).select_related("user")
        for row in through:
            project_leaders[row.project_id].append(row.user)
        unit_hooks: dict[int, list[WebhookEndpoint]] = defaultdict(list)
        office_hooks: list[WebhookEndpoint] = []
        project_hooks: dict[int, list[WebhookEndpoint]] = defaultdict(list)
        for hook in WebhookEndpoint.objects.filter(active=True).prefetch_related("projects"):
            if hook.scope == WebhookScope.UNIT:
                unit_hooks[hook.unit_id].append(hook)
            elif hook.scope == WebhookScope.OFFICE:
                office_hooks.append(hook)
            else:
                for project in hook.projects.all():
                    project_hooks[project.pk].append(hook)
        return cls(
            unit_users=unit_users,
            unit_email=dict(Unit.objects.filter(pk__in=unit_ids).exclude(email="").values_list("id", "email")),
            office=list(reachable.filter(role=Role.OFFICE)),
            # Only news of a security event asks (the scans' batches make no extra query).
            security_admins=list(reachable.filter(role=Role.SECURITY_ADMIN))
            if any(n.event == Event.SECURITY for n in items)
            else [],
            project_leaders=project_leaders,
            users={u.pk: u for u in reachable.filter(pk__in=user_ids)},
            unit_hooks=unit_hooks,
            office_hooks=office_hooks,
            project_hooks=project_hooks,
        )

    def audience(self, news: News, audience: str) -> tuple[list[User], list[str], list[WebhookEndpoint]]:
        """The users, extra e-mail addresses and group robots of one audience of one piece of news."""
        if news.user_id is not None:
            user = self.users.get(news.user_id)
            return ([user] if user and audience == Audience.LEADERS else []), [], []
        if audience in (Audience.REPORTING_UNIT, Audience.LEAD_UNIT):
            unit_id = news.unit_id if audience == Audience.REPORTING_UNIT else news.lead_unit_id
            if unit_id is None:
                return [], [], []
            extra = [self.unit_email[unit_id]] if unit_id in self.unit_email else []
            return self.unit_users.get(unit_id, []), extra, self.unit_hooks.get(unit_id, [])
        if audience == Audience.OFFICE:
            return self.office, [], self.office_hooks
        if audience == Audience.SECURITY_ADMINS:
            return self.security_admins, [], []
        if news.project_id is None:
            return [], [], []
        return self.project_leaders.get(news.project_id, []), [], self.project_hooks.get(news.project_id, [])


def notifications_create(*, items: Iterable[News]) -> list[int]:
    """Create the inbox messages and deliveries of ``items``; returns the ids of pending deliveries.

    Set-based: a fixed number of queries whatever the number of items. Creating news that exists
    already adds nothing (the unique constraints on the dedupe key): nothing is ever sent twice.
    News marked ``revise`` rewrites what exists of its key instead: each recipient's message takes
    the new subject, text and links (``updated`` set; unread again when its subject changed), and
    an e-mail or robot post not sent yet goes out with the new words; one already sent is not sent
    again. Call it inside the transaction that decided the news, and enqueue the returned
    deliveries once it commits."""
    items = list(items)
    if not items:
        return []
    # Refused here, in the producer's transaction, rather than minutes later in a worker.
    attached = {news.key: attachments_check(event=news.event, params=news.attachments) for news in items}
    rules = notification_rules()
    directory = _Directory.load(items)
    # The message is dated by the one clock (the inbox shows it beside the figures' month); the
    # deliveries' times drive real retries, so they are real.
    created = clock.now()
    now = timezone.now()
    messages: dict[tuple[int, str], Message] = {}
    deliveries: dict[tuple[str, str, str], Delivery] = {}
    for news in items:
        for audience in Audience.values:
            if news.audiences is None or audience in news.audiences:
                channels = rules.get((news.event, audience), NOTHING)
                if any(channels):
                    _fan_out(news, channels, directory.audience(news, audience), messages, deliveries,
                             created=created, now=now, attached=attached[news.key])  # fmt: skip
    Message.objects.bulk_create(messages.values(), batch_size=500, ignore_conflicts=True)
    Delivery.objects.bulk_create(deliveries.values(), batch_size=500, ignore_conflicts=True)
    revised = [news for news in items if news.revise]
    if revised:
        _revise(revised, messages, deliveries, created)
    keys = sorted({news.key for news in items})
    ids: list[int] = []
    for start in range(0, len(keys), 500):
        ids += Delivery.objects.filter(
            dedupe_key__in=keys[start : start + 500], status=DeliveryStatus.PENDING
        ).values_list("id", flat=True)
    return sorted(ids)


def _fan_out(
    news: News,
    channels: tuple[bool, bool, bool],
    audience: tuple[list[User], list[str], list[WebhookEndpoint]],
    messages: dict[tuple[int, str], Message],
    deliveries: dict[tuple[str, str, str], Delivery],
    *,
    created: datetime,
    now: datetime,
    attached: dict[str, Any],
) -> None:
    """The messages and deliveries of one piece of news for one audience, through its channels."""
    in_app, email, webhook = channels
    users, addresses, hooks = audience
    if in_app:
        for user in users:
            messages.setdefault((user.pk, news.key), _message(news, user, created))
    if email:
        for address in [u.email for u in users if u.email] + addresses:
            key = (Channel.EMAIL, address.strip().lower(), news.key)
            delivery = _delivery(news, Channel.EMAIL, key[1], None, now)
            delivery.attachments = attached
            deliveries.setdefault(key, delivery)
    if webhook:
        for hook in hooks:
            key = (Channel.WEBHOOK, f"webhook#{hook.pk}", news.key)
            deliveries.setdefault(key, _delivery(news, Channel.WEBHOOK, key[1], hook, now))


# A new subject is news again (an alert turned red, a batch grew): the message is unread again; a
# new figure quoted in the same text, or a new link, rewrites it quietly.
MESSAGE_HEADLINE = ("subject",)
MESSAGE_REVISED = ("subject", "body", "link", "links", "project_id", "unit_id", "month")


def _revise(
    revised: list[News],
    messages: dict[tuple[int, str], Message],
    deliveries: dict[tuple[str, str, str], Delivery],
    now: datetime,
) -> None:
    """Rewrite the messages and the unsent deliveries of revised news (two reads, two writes)."""
    keys = {news.key for news in revised}
    wanted = {k: m for k, m in messages.items() if k[1] in keys}
    changed = []
    for start in range(0, len(keys), 500):
        chunk = sorted(keys)[start : start + 500]
        stored_rows = Message.objects.filter(dedupe_key__in=chunk).only(
            "recipient_id", "dedupe_key", "read_at", "updated", *MESSAGE_REVISED
        )
        for stored in stored_rows:
            new = wanted.get((stored.recipient_id, stored.dedupe_key))
            if new is None or all(getattr(stored, n) == getattr(new, n) for n in MESSAGE_REVISED):
                continue
            if any(getattr(stored, n) != getattr(new, n) for n in MESSAGE_HEADLINE):
                stored.read_at = None
            stored.updated = now
            for name in MESSAGE_REVISED:
                setattr(stored, name, getattr(new, name))
            changed.append(stored)
    Message.objects.bulk_update(changed, [*MESSAGE_REVISED, "read_at", "updated"], batch_size=500)
    pending = []
    wanted_deliveries = {k: d for k, d in deliveries.items() if k[2] in keys}
    for start in range(0, len(keys), 500):
        chunk = sorted(keys)[start : start + 500]
        for stored in Delivery.objects.filter(dedupe_key__in=chunk, status=DeliveryStatus.PENDING):
            new = wanted_deliveries.get((stored.channel, stored.recipient, stored.dedupe_key))
            if new is not None and (stored.subject, stored.body, stored.link, stored.links) != (
                new.subject, new.body, new.link, new.links
            ):  # fmt: skip
                stored.subject, stored.body, stored.link, stored.links = new.subject, new.body, new.link, new.links
                pending.append(stored)
    Delivery.objects.bulk_update(pending, ["subject", "body", "link", "links"], batch_size=500)


def _links(news: News) -> list[list[str]]:
    return [[label, path] for label, path in news.links]


def _message(news: News, user: User, now: datetime) -> Message:
    return Message(
        recipient=user,
        kind=news.event,
        subject=news.subject[:200],
        body=news.body,
        link=news.link,
        links=_links(news),
        dedupe_key=news.key,
        project_id=news.project_id,
        unit_id=news.unit_id,
        month=news.month,
        alert_id=news.alert_id,
        notice_id=news.notice_id,
        created=now,
    )


def _delivery(news: News, channel: str, recipient: str, hook: WebhookEndpoint | None, now: datetime) -> Delivery:
    return Delivery(
        channel=channel,
        recipient=recipient,
        endpoint=hook,
        dedupe_key=news.key,
        event=news.event,
        subject=news.subject[:200],
        body=news.body,
        link=news.link,
        links=_links(news),
        alert_id=news.alert_id,
        notice_id=news.notice_id,
        next_attempt_at=now,
        created=now,
    )


# --- sending ------------------------------------------------------------------


class DeliveryError(Exception):
    """The peer refused or could not be reached; worth another try later."""


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: base, 2x, 4x …, capped."""
    base = settings.ALERTS_DELIVERY_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), settings.ALERTS_DELIVERY_BACKOFF_MAX_SECONDS))


def absolute_url(path: str) -> str:
    return settings.TRACKER_BASE_URL.rstrip("/") + (path or "/inbox/")


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is pending and due; returns its status afterwards (or "skipped").

    Run it outside any transaction: the claim must be committed before the message leaves, so
    that a second worker holding the same id sees it taken."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if claimed != 1:
        # Sent already, being sent by another worker, failed for good, or not due yet.
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery)
        else:
            _send_webhook(delivery)
    except Exception as exc:
        status = _record_failure(delivery, exc)
        if status == DeliveryStatus.FAILED:
            _audit_delivery(delivery, result=AuditResult.FAILURE)
        return status
    Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    _audit_delivery(delivery, result=AuditResult.SUCCESS)
    return DeliveryStatus.SENT


def _audit_delivery(delivery: Delivery, *, result: str) -> None:
    """A message that left the tracker (or will never leave it): to whom, through which channel."""
    audit_record(
        action=AuditAction.DELIVERY_SEND,
        obj=delivery,
        result=result,
        detail={
            "channel": delivery.channel,
            "recipient": delivery.recipient,
            "key": delivery.dedupe_key,
            "attempts": delivery.attempts,
        },
    )


def _record_failure(delivery: Delivery, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if delivery.attempts >= settings.ALERTS_DELIVERY_MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.FAILED, delivery.next_attempt_at
    else:
        status, next_at = DeliveryStatus.PENDING, timezone.now() + backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status, next_attempt_at=next_at, last_error=error
    )
    logger.warning("delivery %s (%s → %s) failed, attempt %s: %s", delivery.pk, delivery.channel,
                   delivery.recipient, delivery.attempts, error)  # fmt: skip
    return status


def deliveries_send_due(*, limit: int = 500) -> dict[str, int]:
    """The sweep: send the pending deliveries that are due (new ones and retries after back-off)."""
    now = timezone.now()
    stuck = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - timedelta(seconds=settings.ALERTS_DELIVERY_STUCK_SECONDS)
    ).update(
        status=DeliveryStatus.FAILED,
        last_error=_("发送中断，无法确认是否已送达；为避免重复发送不再自动重试，可在后台核实后重新发送"),
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    counts: dict[str, int] = defaultdict(int)
    for delivery_id in due:
        counts[delivery_send(delivery_id=delivery_id)] += 1
    counts["stuck"] = stuck
    return dict(counts)


def delivery_requeue(*, delivery: Delivery) -> bool:
    """The office's decision to try a failed delivery again (admin action)."""
    requeued = bool(
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
    )
    if requeued:
        audit_record(action=AuditAction.DELIVERY_REQUEUE, obj=delivery, detail={"recipient": delivery.recipient})
    return requeued


def _send_email(delivery: Delivery) -> None:
    see_online = _("登录系统查看：")
    body = f"{delivery.body}\n"
    if delivery.links:
        body += "\n" + "".join(f"· {label}：{absolute_url(path)}\n" for label, path in delivery.links)
    body += f"\n{see_online}{absolute_url(delivery.link)}\n"
    message = EmailMessage(
        subject=delivery.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        headers={"X-Tracker-Key": delivery.dedupe_key},
    )
    # Built when sent (a retry builds them again) by the builder of the event that produced the
    # news, from the values it recorded: the sender knows no producer (projects.attachments).
    for attachment in attachments_build(event=delivery.event, params=delivery.attachments):
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send(fail_silently=False)


# --- group robots -------------------------------------------------------------


def _truncate_utf8(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def webhook_markdown(*, subject: str, body: str, link: str, links: Sequence[Sequence[str]] = ()) -> str:
    lines = [f"### {subject}", "", *[line if line else "" for line in body.splitlines()]]
    lines += [f"- [{label}]({absolute_url(path)})" for label, path in links]
    details = _("查看详情")
    lines += ["", f"[{details}]({absolute_url(link)})"]
    # Markdown needs two spaces or a blank line for a line break; both robots honour "  \n".
    return _truncate_utf8("  \n".join(lines), WEBHOOK_MAX_BYTES)


def webhook_payload(*, flavour: str, subject: str, body: str, link: str, links: Sequence[Sequence[str]] = ()) -> dict:
    """The group-robot message: WeCom's and DingTalk's markdown formats."""
    text = webhook_markdown(subject=subject, body=body, link=link, links=links)
    if flavour == WebhookFlavour.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": text}}


def dingtalk_signed_url(*, url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, as query
    parameters ``timestamp`` and ``sign`` beside the access token."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = base64.b64encode(digest).decode()
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}{urllib.parse.urlencode({'timestamp': timestamp_ms, 'sign': sign})}"


def _send_webhook(delivery: Delivery) -> None:
    hook = delivery.endpoint
    if hook is None:
        raise DeliveryError(_("群机器人已删除"))
    url = hook.url
    if hook.flavour == WebhookFlavour.DINGTALK and hook.secret:
        url = dingtalk_signed_url(url=url, secret=hook.secret, timestamp_ms=int(time.time() * 1000))
    payload = webhook_payload(
        flavour=hook.flavour, subject=delivery.subject, body=delivery.body, link=delivery.link, links=delivery.links
    )
    post_json(url=url, payload=payload)


def post_json(*, url: str, payload: dict) -> None:
    """POST a robot message; both robots answer HTTP 200 with ``{"errcode": 0}`` on success."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"not an http(s) URL: {url[:40]}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ALERTS_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(str(getattr(exc, "reason", exc))) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError(_("机器人返回的不是 JSON")) from exc
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500])


# --- the inbox ----------------------------------------------------------------


def message_mark_read(*, message: Message) -> None:
    if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=clock.now()):
        audit_record(action=AuditAction.MESSAGE_READ, obj=message)


def message_acknowledge(*, message: Message, user: User) -> None:
    """确认收到: marks the message read and acknowledged; for a supervision notice addressed to the
    user's unit, the first acknowledgement signs for the notice (签收)."""
    now = clock.now()
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
    Message.objects.filter(pk=message.pk, acknowledged_at__isnull=True).update(acknowledged_at=now)
    signed = False
    if message.notice_id:
        # Signing for a notice is a step of the supervision loop (its state, history, record).
        from projects.supervision.services import notice_sign_from_inbox  # it imports this module

        signed = notice_sign_from_inbox(user=user, notice_id=message.notice_id)
    audit_record(
        action=AuditAction.MESSAGE_ACKNOWLEDGE,
        actor=user,
        obj=message,
        detail={"notice_id": message.notice_id, "signed_for_notice": bool(signed)},
    )


def messages_mark_all_read(*, user: User, messages: QuerySet[Message] | None = None) -> int:
    """Mark the user's unread messages read: all of them, or those of ``messages`` (the inbox's
    filtered list)."""
    mine = Message.objects.filter(recipient=user, read_at__isnull=True)
    if messages is not None:
        mine = mine.filter(pk__in=messages.values("pk"))
    marked = mine.update(read_at=clock.now())
    if marked:
        audit_record(action=AuditAction.MESSAGE_READ_ALL, actor=user, detail={"messages": marked})
    return marked
