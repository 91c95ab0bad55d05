"""The supervision loop in the demo (``manage.py seed_demo_loop``, run by `make db` after the demo
figures): the scans of the two months before the demo's day, which issue supervision notices, then
a short story told through the real services, each step on its own day:

- a county answers a notice, the office sends it back, the county answers again (waiting for the
  office); another county's notice is answered and closed; a third signed for and not answered, so
  that the demo's day (the day after its deadline) brings its 催办;
- the vice-mayor's instruction on a task of his portfolio, naming a county and the lead
  department: the department has replied, the county has signed for it;
- the lead department's close-outs: one closed out by the office, one applied for.

Each step is played through the one clock pinned at a moment of its day (``TRACKER_TODAY`` naming
the time too, ``projects.clock``): every stamp, deadline and message reads as it would have on that
day, and the same on every run (the scans at 7:30 and the reminders at 8:30, as the periodic jobs;
the units' steps in the morning, the office's in the afternoon). A plan that has notices already is
left as it is: running `make run` again changes nothing.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings

from projects import calendar
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.models import Indicator, Plan, SupervisionNotice, Task, Unit, User
from projects.services.alerts import ALL_KINDS, alerts_scan
from projects.supervision import closeouts as closeout_services
from projects.supervision import services as svc
from projects.supervision.steps import Refused, deliveries_deferred

# The demo accounts who act (projects/services/accounts.py DEMO_ACCOUNTS).
OFFICE, LEADER, LEAD = "duchashi", "fushizhang", "zhujian"
COUNTIES = ("lushi", "mianchi", "yima", "shanzhou", "lingbao", "hubin")


@dataclass
class LoopDemo:
    skipped: bool = False
    notices: int = 0
    steps: list[str] = field(default_factory=list)


# When each kind of step happens on its day (city time).
SCAN_AT, REMIND_AT, UNIT_AT, OFFICE_AT = time(7, 30), time(8, 30), time(10, 0), time(15, 0)


@contextmanager
def _on(day: date, at: time = UNIT_AT) -> Iterator[None]:
    """Play ``day`` at ``at`` through the one clock, pinned to that moment (TRACKER_TODAY)."""
    with override_settings(TRACKER_TODAY=datetime.combine(day, at).isoformat(timespec="minutes")):
        yield


def demo_png(label: str) -> SimpleUploadedFile:
    """A small real PNG (a grey picture) as a demo's evidence photo."""
    width, height = 64, 48
    rows = b"".join(b"\x00" + bytes([200, 205, 210]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return SimpleUploadedFile(f"{label}.png", data, content_type="image/png")


def supervision_demo_seed(*, plan: Plan, as_of: date) -> LoopDemo:
    """Play the loop's demo story up to ``as_of`` (see the module's docstring). Its messages are
    recorded and left to the periodic sweep (`make db` runs before Redis and the worker)."""
    with deliveries_deferred():
        return _seed(plan=plan, as_of=as_of)


def _seed(*, plan: Plan, as_of: date) -> LoopDemo:
    if SupervisionNotice.objects.filter(plan=plan).exists() or plan.instructions.exists():
        return LoopDemo(skipped=True)
    users = {u.username: u for u in User.objects.filter(username__in=[OFFICE, LEADER, LEAD, *COUNTIES])}
    result = LoopDemo()
    month = calendar.reporting_month(today=as_of, due_day=plan.due_day)
    # The day after each due day of the two months before: the scans that issue the notices.
    scans = [plan.due_date(calendar.add_months(month, n)) + timedelta(days=1) for n in (-2, -1)]
    for day in scans:
        with _on(day, SCAN_AT):
            alerts_scan(as_of=day, plan=plan, kinds=ALL_KINDS)
    issued = list(SupervisionNotice.objects.filter(plan=plan).select_related("unit").order_by("number"))
    result.notices = len(issued)
    if OFFICE in users:
        _notices_story(issued, users, scans[-1], result)
    if LEADER in users:
        _instruction_story(plan, users, as_of, result)
    if LEAD in users and OFFICE in users:
        _closeout_story(plan, users, as_of, result)
    # The daily job, on the days the story covers: reminders before the deadlines, 催办 after them.
    for day in (as_of - timedelta(days=3), as_of):
        with _on(day, REMIND_AT):
            svc.supervision_reminders_send(as_of=day)
    audit_record(
        action=AuditAction.DEMO_SEED, obj=plan, detail={"as_of": as_of, "loop": result.steps, "notices": result.notices}
    )
    return result


def _first_of(notices: list[SupervisionNotice], users: dict[str, User], taken: set[int]):
    """The first notice addressed to a county with a demo account whose notices the story has not
    used yet (each step of the story with another county), with that county's user."""
    used = {n.unit_id for n in notices if n.pk in taken}
    for notice in notices:
        for name in COUNTIES:
            user = users.get(name)
            if user and user.unit_id == notice.unit_id and notice.unit_id not in used:
                taken.add(notice.pk)
                return notice, user
    return None, None


def _notices_story(notices: list[SupervisionNotice], users: dict[str, User], issued_on: date, result: LoopDemo):
    office, taken = users[OFFICE], set()

    def day(n: int) -> date:
        return issued_on + timedelta(days=n)

    notice, county = _first_of(notices, users, taken)
    if notice is not None:  # answered, sent back, answered again: waiting for the office
        with _on(day(1)):
            svc.notice_acknowledge(user=county, notice_id=notice.pk)
        _answer(notice, county, day(14), "已召开专题推进会，倒排工期，本月新增完成部分任务量。", "推进会现场")
        with _on(day(17), OFFICE_AT):
            svc.notice_verify(
                user=office,
                notice_id=notice.pk,
                version=_version(notice),
                accept=False,
                reason="反馈未说明滞后原因和下步措施，请补充完成时限和佐证材料。",
            )
        _answer(
            notice, county, day(22), "已补充：滞后原因为前期手续办理较慢，现已全部办结，确保10月底前完成。", "手续批复"
        )
        result.steps.append(f"{notice.code}：反馈、退回、再次反馈")

    notice, county = _first_of(notices, users, taken)
    if notice is not None:  # answered and closed
        _answer(notice, county, day(10), "已加快推进，截至本月底累计完成情况已在月报中更新。", "施工现场")
        with _on(day(13), OFFICE_AT):
            svc.notice_verify(
                user=office,
                notice_id=notice.pk,
                version=_version(notice),
                accept=True,
                reason="经核查，整改措施落实到位。",
            )
        result.steps.append(f"{notice.code}：反馈、办结")

    notice, county = _first_of(notices, users, taken)
    if notice is not None:  # signed for, never answered: the demo's day brings its 催办
        with _on(day(2)):
            svc.notice_acknowledge(user=county, notice_id=notice.pk)
        result.steps.append(f"{notice.code}：签收，逾期未反馈")


def _version(notice: SupervisionNotice) -> int:
    notice.refresh_from_db()
    return notice.version


def _answer(notice: SupervisionNotice, user: User, on: date, text: str, photo: str) -> None:
    with _on(on):
        svc.notice_answer(
            user=user,
            notice_id=notice.pk,
            version=_version(notice),
            answer=svc.AnswerInput(text=text, figures=[notice.indicator_id], files=[demo_png(photo)]),
        )


def _instruction_story(plan: Plan, users: dict[str, User], as_of: date, result: LoopDemo) -> None:
    """The vice-mayor on task 2.1 (城镇老旧小区改造): 湖滨区 and 市住房城乡建设局 to reply in a week."""
    task = Task.objects.filter(project__plan=plan, project__number=2, number=1).first()
    named = [u for u in (users.get("hubin"), users.get(LEAD)) if u is not None and u.unit_id]
    if task is None or not named:
        return
    with _on(as_of - timedelta(days=6)):
        instruction = svc.instruction_issue(
            user=users[LEADER],
            target=svc.InstructionTarget(task_id=task.pk),
            text="老旧小区改造事关群众切身利益，要压实责任，加快进度，确保年底前全部开工。请湖滨区和市住建局报告推进措施。",
            unit_ids=[u.unit_id for u in named],
            deadline=as_of + timedelta(days=8),
        )
    replies = {r.unit_id: r for r in instruction.replies.all()}
    if "hubin" in users and users["hubin"].unit_id in replies:
        with _on(as_of - timedelta(days=5)):
            svc.reply_acknowledge(user=users["hubin"], reply_id=replies[users["hubin"].unit_id].pk)
    if users.get(LEAD) and users[LEAD].unit_id in replies:
        reply = replies[users[LEAD].unit_id]
        with _on(as_of - timedelta(days=1)):
            svc.reply_answer(
                user=users[LEAD],
                reply_id=reply.pk,
                version=reply.version,
                answer=svc.AnswerInput(
                    text="已组织各县（市、区）逐小区排查，对未开工的12个小区实行周调度，确保11月底前全部开工。"
                ),
            )
    result.steps.append(f"{instruction.code}：交办两个单位，一个已回复")


def _closeout_story(plan: Plan, users: dict[str, User], as_of: date, result: LoopDemo) -> None:
    """市住房城乡建设局's heating network (2.3.1) closed out; its heat exchange stations (2.3.2)
    applied for: both met by the reporting month's end in the demo's figures."""
    lead, office = users[LEAD], users[OFFICE]
    for code, decide in (("2.3.1", True), ("2.3.2", False)):
        indicator = Indicator.objects.filter(task__project__plan=plan, code=code).first()
        if indicator is None or not Unit.objects.filter(pk=lead.unit_id).exists():
            continue
        with _on(as_of):
            try:
                closeout = closeout_services.closeout_apply(
                    user=lead,
                    indicator_id=indicator.pk,
                    files=[demo_png("竣工验收")],
                    note=f"{indicator.name}已全部完成并通过竣工验收，申请销号。",
                )
            except (Refused, Indicator.DoesNotExist):
                continue  # not met in this demo's figures (another demo day)
        if decide:
            with _on(as_of, OFFICE_AT):
                closeout_services.closeout_decide(
                    user=office,
                    closeout_id=closeout.pk,
                    version=closeout.version,
                    approve=True,
                    reason="经现场核查，已完成。",
                )
        result.steps.append(f"{indicator.code}：{'已销号' if decide else '已申请销号'}")
