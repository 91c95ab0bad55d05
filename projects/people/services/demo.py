"""The people's side of the demo (`make run`): the congress's session and its deputies (the demo
accounts daibiao1-3), the 2022 plan published with its months up to August closed and a photo
approved, citizens' proposals, a vote on 2023's candidates and the rating of 2022's projects, both
open on the demo's day, and an inspection with a suggestion to 市住房城乡建设局. Safe to run again."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from projects import calendar, clock
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import Evidence, MonthClosure, Plan, Role, Submission, SubmissionStatus, Unit, User
from projects.people import rules
from projects.people.models import (
    Candidate,
    CongressSession,
    Deputy,
    Inspection,
    Proposal,
    ProposalStatus,
    Rating,
    Vote,
)
from projects.people.services.public import photo_publish, plan_publish, public_refresh
from projects.services.reporting import month_close

SESSION = "三门峡市第八届人民代表大会第三次会议（演示）"
DEPUTIES = [("daibiao1", "湖滨区代表团"), ("daibiao2", "灵宝市代表团"), ("daibiao3", "卢氏县代表团")]
CANDIDATES = [
    (
        "新建城市口袋公园 20 个",
        "在中心城区新建、改造口袋公园 20 个，方便群众就近休闲健身。",
        "1200",
        ["市城管局"],
        ["湖滨区政府"],
    ),
    (
        "改造老旧小区 60 个",
        "对 2000 年前建成的老旧小区实施水电气暖和加装电梯改造。",
        "18000",
        ["市住房城乡建设局"],
        ["湖滨区政府", "陕州区政府"],
    ),
    ("新增公办幼儿园学位 3000 个", "新建、改扩建公办幼儿园 10 所，新增学位 3000 个。", "9000", ["市教育局"], []),
    ("建设社区食堂 30 个", "为老年人提供助餐服务，建设社区食堂 30 个。", "900", ["市民政局"], []),
    (
        "农村公路提质改造 300 公里",
        "实施农村公路提质改造 300 公里，改善群众出行条件。",
        "30000",
        ["市交通运输局"],
        ["卢氏县政府"],
    ),
]
PROPOSALS = [
    # (title, text, place, the number of the candidate it went into, or None while it waits)
    ("小区没有电梯，老人上下楼难", "建议给老旧小区加装电梯，我家住六楼，老人下楼一次很不容易。", "湖滨区", None),
    ("希望多建几个社区食堂", "社区里独居老人多，希望有价格实惠的食堂。", "陕州区", None),
    ("家门口建个小公园", "附近没有可以散步的地方，建议利用空地建口袋公园。", "湖滨区", 1),
    ("幼儿园入园难", "附近公办幼儿园学位不够，希望增加学位。", "灵宝市", 3),
]


@dataclass(frozen=True)
class PeopleDemo:
    deputies: int
    closed_months: int
    photos: int


def demo_png(width: int = 320, height: int = 200) -> bytes:
    """A plain picture (a blue sky over green ground) for the demo's public photo: no camera
    data in it, no Pillow needed."""
    rows = []
    for y in range(height):
        colour = bytes((120, 170, 220)) if y < height * 0.6 else bytes((90, 150, 80))
        rows.append(b"\x00" + colour * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _units(names: list[str]) -> list[Unit]:
    return list(Unit.objects.filter(name__in=names))


@transaction.atomic
def people_demo_seed(*, plan: Plan, months_closed_upto=None) -> PeopleDemo:
    office = User.objects.get(username="duchashi")
    now = clock.now()
    session, _created = CongressSession.objects.get_or_create(name=SESSION, defaults={"year": plan.year + 1})
    deputies = []
    for username, delegation in DEPUTIES:
        user = User.objects.filter(username=username, role=Role.DEPUTY).first()
        if user is not None:
            deputies.append(
                Deputy.objects.get_or_create(
                    user=user, defaults={"session": session, "name": user.first_name, "delegation": delegation}
                )[0]
            )
    # The months whose figures are all in (up to the one before the reporting month) are closed.
    last = months_closed_upto or calendar.add_months(
        calendar.reporting_month(today=clock.today(), due_day=plan.due_day), -1
    )
    closed = 0
    for month in calendar.months_between(calendar.month_of(plan.start), last):
        if not MonthClosure.objects.filter(plan=plan, month=month).exists():
            month_close(user=office, plan_id=plan.pk, month=month, reason="演示：本月数据已审核完毕")
            closed += 1
    plan_publish(user=office, plan_id=plan.pk)
    photos = 0
    sub = (
        Submission.objects.filter(
            indicator__task__project__plan=plan, indicator__task__project__number=2, status=SubmissionStatus.APPROVED,
            month__lte=last,
        )
        .order_by("-month", "indicator__code", "unit__position")
        .first()
    )  # fmt: skip
    if sub is not None and not Evidence.objects.filter(submission=sub, publication__isnull=False).exists():
        data = demo_png()
        digest = hashlib.sha256(data + str(sub.pk).encode()).hexdigest()
        evidence = Evidence(
            submission=sub, original_name="施工现场.png", content_type="image/png", size=len(data), sha256=digest,
            uploaded_by=sub.submitted_by or office,
        )  # fmt: skip
        evidence.file.save(digest, ContentFile(data), save=False)
        evidence.save()
        photo_publish(user=office, evidence_id=evidence.pk, caption=f"{sub.indicator.name}施工现场（演示）")
        photos = 1
    public_refresh(plan=plan)

    vote = Vote.objects.filter(session=session).first()
    if vote is None:
        vote = Vote.objects.create(
            session=session, title=f"{plan.year + 1} 年重点民生实事项目票决（演示）", plan_year=plan.year + 1, choose=3,
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=14), created_by=office,
        )  # fmt: skip
        for number, (title, text, cost, lead, coop) in enumerate(CANDIDATES, start=1):
            candidate = Candidate.objects.create(
                vote=vote, number=number, title=title, description=text, estimated_cost=Decimal(cost)
            )
            candidate.lead_units.set(_units(lead))
            candidate.cooperating_units.set(_units(coop))
        for title, body, place, number in PROPOSALS:
            Proposal.objects.create(
                title=title, body=body, place=place, submitted_at=now - timedelta(days=30),
                status=ProposalStatus.NEW if number is None else ProposalStatus.ACCEPTED,
                address_key=rules.address_key("demo", secret=settings.SECRET_KEY),
                candidate=None if number is None else vote.candidates.get(number=number),
            )  # fmt: skip
    if not Rating.objects.filter(session=session, plan=plan).exists():
        from projects.people.services.rating import rating_create

        rating_create(
            user=office, session_id=session.pk, plan_id=plan.pk, opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14), threshold=Decimal(80),
        )  # fmt: skip
    if deputies and not Inspection.objects.filter(deputy=deputies[0]).exists():
        project = plan.projects.get(number=2)
        inspection = Inspection.objects.create(
            deputy=deputies[0], project=project, visited_on=clock.today() - timedelta(days=3), place="湖滨区某老旧小区",
            notes="改造工程已开工，部分楼栋管网已更换；居民反映施工围挡占用通道。", created_at=now,
        )  # fmt: skip
        from projects.people.services.deputies import suggestion_create

        suggestion_create(
            user=deputies[0].user, project_id=project.pk,
            lead_unit_id=Unit.objects.get(name="市住房城乡建设局").pk, inspection_id=inspection.pk,
            text="建议合理设置施工围挡，保留居民出行通道，并在小区公示施工进度。",
        )  # fmt: skip
    summary = PeopleDemo(deputies=len(deputies), closed_months=closed, photos=photos)
    audit_record(action=AuditAction.DEMO_SEED, obj=plan, detail={"people": summary.__dict__})
    return summary
