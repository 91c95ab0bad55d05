"""The people and objects of the hardening tests: one user of each kind, each with objects of its
own (submissions, evidence, messages, notices), so that every page can be asked for with one's
own ids and with other units' ids.

The clock (3 July 2022, June being reported) and the private media folder come from the
reporting tests' fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import (
    Alert,
    AlertKind,
    Answer,
    CloseOut,
    Event,
    Evidence,
    Indicator,
    Instruction,
    InstructionReply,
    Message,
    Role,
    Severity,
    Submission,
    SubmissionStatus,
    SupervisionFile,
    SupervisionNotice,
    Unit,
    User,
)
from projects.security.roles import account_role_apply, roles_ensure
from projects.services.progress import progress_refresh
from tests.alerts.conftest import people, roads  # noqa: F401 - fixtures
from tests.factories import LeaderFactory, UserFactory
from tests.reporting.conftest import JUNE, clock, hubin, office, private_media, shanzhou  # noqa: F401 - fixtures
from tests.reporting.test_permissions import PNG

# The roles of the permission matrix, in the order of its columns.
ROLES = (
    "anon", "county", "lead", "other", "cttee", "leader", "office", "staff", "super", "sys", "sec", "audit", "deputy"
)  # fmt: skip
# The three administrators' columns: the account's role.
ADMIN_COLUMNS = {"sys": Role.SYSTEM_ADMIN, "sec": Role.SECURITY_ADMIN, "audit": Role.AUDIT_ADMIN}
# The unit each unit role acts for.
ROLE_UNITS = {
    "county": "湖滨区政府",  # a county government: reports, never reviews
    "lead": "市住房城乡建设局",  # lead department of tasks 2.1-2.3, 2.5 and 6.1: reviews the counties
    "other": "三门峡供电公司",  # a company on other tasks: leads 10.4 (its own figures), cooperates on 2.1
    "cttee": "城乡一体化示范区管委会",  # a management committee: reports 4.1, never reviews
}


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


@dataclass
class World:
    users: dict[str, User]
    units: dict[str, Unit]
    submissions: dict[str, Submission]
    evidence: dict[str, Evidence]
    messages: dict[str, Message]
    notices: dict[str, SupervisionNotice]
    people: dict[str, object]
    # The supervision loop: a leader's instruction on 2.1.1 naming the county and the company (the
    # county's part signed for, the company's answered), close-outs applied for and closed out, the
    # files of an answer and of a close-out.
    instruction: Instruction | None = None
    replies: dict[str, InstructionReply] | None = None
    closeouts: dict[str, CloseOut] | None = None
    files: dict[str, SupervisionFile] | None = None


def _submission(code: str, unit_name: str, status: str, value: int) -> Submission:
    sub = Submission.objects.create(
        indicator=indicator(code), unit=unit(unit_name), month=JUNE, status=status, value=Decimal(value)
    )
    progress_refresh(indicator_id=sub.indicator_id, unit_id=sub.unit_id)
    return sub


def _evidence(submission: Submission, uploader: User, name: str, data: bytes | None = None) -> Evidence:
    data = PNG + name.encode() if data is None else data
    return Evidence.objects.create(
        submission=submission,
        file=SimpleUploadedFile(name, data),
        original_name=name,
        content_type="image/png",
        size=len(data),
        sha256=f"{submission.pk:064d}",
        uploaded_by=uploader,
    )


def _notice(number: int, code: str, unit_name: str, lead_name: str) -> SupervisionNotice:
    ind = indicator(code)
    now = timezone.now()
    alert = Alert.objects.create(
        plan=ind.task.project.plan, kind=AlertKind.LAGGING, indicator=ind, unit=unit(unit_name), month=JUNE,
        severity=Severity.RED, expected=Decimal(50), actual=Decimal(5), opened_at=now, updated_at=now,
        checked_on=date(2022, 7, 3), red_since=date(2022, 5, 1),
    )  # fmt: skip
    return SupervisionNotice.objects.create(
        plan=ind.task.project.plan, number=number, code=f"督办〔2022〕{number}号", alert=alert, task=ind.task,
        indicator=ind, unit=unit(unit_name), lead_unit=unit(lead_name), problem="进度滞后", deadline=date(2022, 8, 5),
        issued_at=now,
    )  # fmt: skip


def _file(uploader: User, name: str, **parent) -> SupervisionFile:
    data = PNG + name.encode()
    return SupervisionFile.objects.create(
        file=SimpleUploadedFile(name, data), original_name=name, content_type="image/png", size=len(data),
        sha256=f"{len(name):064d}", uploaded_by=uploader, uploaded_at=timezone.now(), **parent,
    )  # fmt: skip


def _answered(item, user: User, **link) -> Answer:
    type(item).objects.filter(pk=item.pk).update(state="answered", answered_at=timezone.now())
    item.refresh_from_db()
    return Answer.objects.create(number=1, text="已整改", answered_by=user, answered_at=timezone.now(), **link)


def _loop(users: dict[str, User], notices: dict[str, SupervisionNotice]) -> dict:
    """The supervision loop's objects of the matrix."""
    now = timezone.now()
    ind = indicator("2.1.1")
    users["leader"].portfolio.add(ind.task.project)
    instruction = Instruction.objects.create(
        plan=ind.task.project.plan, number=1, code="批示〔2022〕1号", leader=users["leader"],
        project=ind.task.project, task=ind.task, indicator=ind, text="抓紧推进", deadline=date(2022, 7, 20),
        issued_at=now,
    )  # fmt: skip
    replies = {
        "county": InstructionReply.objects.create(
            instruction=instruction, unit=unit(ROLE_UNITS["county"]), deadline=date(2022, 7, 20)
        ),
        "other": InstructionReply.objects.create(
            instruction=instruction, unit=unit(ROLE_UNITS["other"]), deadline=date(2022, 7, 20)
        ),
    }
    _answered(replies["other"], users["other"], reply=replies["other"])
    answer = _answered(notices["county"], users["county"], notice=notices["county"])
    lead = unit(ROLE_UNITS["lead"])
    closeouts = {
        key: CloseOut.objects.create(
            plan=ind.task.project.plan,
            indicator=indicator(code),
            unit=lead,
            state=state,
            note="已完成",
            applied_by=users["lead"],
            applied_at=now,
        )
        for key, code, state in (("applied", "2.3.1", "applied"), ("closed", "2.3.3", "closed_out"))
    }
    Indicator.objects.filter(code="2.3.3").update(closed_out_at=now)
    files = {
        "answer": _file(users["county"], "整改照片.png", answer=answer),
        "closeout": _file(users["lead"], "验收照片.png", closeout=closeouts["applied"]),
    }
    return {"instruction": instruction, "replies": replies, "closeouts": closeouts, "files": files}


def _message(recipient: User, key: str) -> Message:
    return Message.objects.create(
        recipient=recipient, kind=Event.ALERT_LAGGING, subject=f"【滞后预警】{key}", body="正文",
        dedupe_key=f"matrix:{key}", created=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def world(plan_2022, clock, private_media) -> World:  # noqa: F811 - the imported fixtures
    users = {
        role: UserFactory(username=f"m-{role}", unit=unit(name), first_name=f"{name}填报员")
        for role, name in ROLE_UNITS.items()
    }
    users["leader"] = LeaderFactory(username="m-leader")
    # The office and the three administrators as the demo accounts make them: their role's group.
    roles_ensure()
    users["office"] = UserFactory(username="m-office", role=Role.OFFICE, first_name="市政府督查室")
    for column, role in ADMIN_COLUMNS.items():
        users[column] = UserFactory(username=f"m-{column}", role=role, first_name=role.label)
    for column in ("office", *ADMIN_COLUMNS):
        account_role_apply(user=users[column])
    # Admin access and nothing else: no role in reporting, no unit, no permission.
    users["staff"] = UserFactory(username="m-staff", is_staff=True)
    users["super"] = UserFactory(username="m-super", is_staff=True, is_superuser=True)

    subs = {
        # 2.1.1 is reported by the counties and reviewed by 市住房城乡建设局.
        "county_sent": _submission("2.1.1", "湖滨区政府", SubmissionStatus.SUBMITTED, 3),
        "county_draft": _submission("2.2.1", "湖滨区政府", SubmissionStatus.DRAFT, 5),
        # 1.1.1 is reviewed by 市人力资源社会保障局, none of the matrix's roles: only the office reopens it.
        "county_approved": _submission("1.1.1", "湖滨区政府", SubmissionStatus.APPROVED, 100),
        # A figure the lead department holds itself: the office reviews it.
        "lead_sent": _submission("2.3.1", "市住房城乡建设局", SubmissionStatus.SUBMITTED, 1),
        "other_sent": _submission("10.4.1", "三门峡供电公司", SubmissionStatus.SUBMITTED, 10),
        "cttee_sent": _submission("4.1.1", "城乡一体化示范区管委会", SubmissionStatus.SUBMITTED, 1),
    }
    evidence = {
        "county": _evidence(subs["county_sent"], users["county"], "湖滨现场.png"),
        "lead": _evidence(subs["lead_sent"], users["lead"], "住建台账.png"),
    }
    messages = {"county": _message(users["county"], "county"), "lead": _message(users["lead"], "lead")}
    notices = {
        "county": _notice(1, "2.1.1", "湖滨区政府", "市住房城乡建设局"),
        "other": _notice(2, "10.4.1", "三门峡供电公司", "三门峡供电公司"),
    }
    units = {role: users[role].unit for role in ROLE_UNITS}
    users["deputy"] = UserFactory(username="m-deputy", role=Role.DEPUTY, first_name="王建华")
    objects = _people(users, subs)
    return World(
        users=users,
        units=units,
        submissions=subs,
        evidence=evidence,
        messages=messages,
        notices=notices,
        people=objects,
        **_loop(users, notices),
    )


def _people(users: dict[str, User], subs: dict[str, Submission]) -> dict[str, object]:
    """The people's side's objects: a deputy of a session, an open and a closed vote, an open
    rating, the plan published with May closed and a photo approved, a proposal, an inspection with
    a photo and the deputy's suggestion on it to 市住房城乡建设局 (the matrix's lead unit)."""
    from datetime import timedelta

    from projects.people import models as pm
    from projects.people.services.demo import demo_png
    from projects.people.services.public import photo_publish, plan_publish
    from projects.services.reporting import month_close

    clerk, deputy_user = users["office"], users["deputy"]
    plan = subs["county_approved"].indicator.task.project.plan
    now = timezone.now()
    session = pm.CongressSession.objects.create(name="第八届人民代表大会第三次会议", year=2023)
    deputy = pm.Deputy.objects.create(user=deputy_user, session=session, name="王建华")
    kwargs = {"session": session, "plan_year": 2023, "choose": 1, "created_by": clerk}
    open_vote = pm.Vote.objects.create(
        title="开放的票决", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), **kwargs
    )
    closed_vote = pm.Vote.objects.create(
        title="已截止的票决", opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=2), **kwargs
    )
    for vote in (open_vote, closed_vote):
        pm.Candidate.objects.create(
            vote=vote, number=1, title="口袋公园", description="建设", estimated_cost=Decimal(100)
        )
    rating = pm.Rating.objects.create(
        session=session,
        plan=plan,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        created_by=clerk,
    )
    pm.RatingTally.objects.bulk_create([pm.RatingTally(rating=rating, project=p) for p in plan.projects.all()])
    plan_publish(user=clerk, plan_id=plan.pk)
    month_close(user=clerk, plan_id=plan.pk, month=date(2022, 5, 1))
    photo = _evidence(subs["county_approved"], users["county"], "公开.png", demo_png(8, 4))  # published: a real picture
    public_photo = photo_publish(user=clerk, evidence_id=photo.pk, caption="培训现场")
    proposal = pm.Proposal.objects.create(title="建议", body="内容", submitted_at=now, address_key="k")
    project = Indicator.objects.get(code="2.1.1").task.project
    inspection = pm.Inspection.objects.create(
        deputy=deputy, project=project, visited_on=date(2022, 7, 1), place="小区", notes="视察", created_at=now
    )
    data = PNG + b"inspection"
    inspection_photo = pm.InspectionPhoto(
        inspection=inspection, original_name="视察.png", content_type="image/png", size=len(data), sha256="9" * 64
    )
    inspection_photo.file.save("9" * 64, SimpleUploadedFile("视察.png", data), save=False)
    inspection_photo.save()
    suggestion = pm.Suggestion.objects.create(
        deputy=deputy, project=project, lead_unit=users["lead"].unit, inspection=inspection, text="建议",
        created_at=now, deadline=date(2022, 7, 18),
    )  # fmt: skip
    return {
        "plan": plan, "open_vote": open_vote, "closed_vote": closed_vote, "rating": rating, "photo": photo,
        "public_photo": public_photo, "proposal": proposal, "inspection_photo": inspection_photo,
        "suggestion": suggestion, "session": session,
    }  # fmt: skip
