"""Every write service leaves an audit record. The services are listed from the code itself: a new
public function in projects/services/ (or the audit trail's) fails here until it is listed below,
as a write with a scenario that shows its record, or as no write with the reason."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

import projects.people.services as people_services
import projects.services
from projects.audit import services as audit_services
from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Indicator,
    Message,
    NotificationRule,
    Submission,
    SubmissionStatus,
    Unit,
)
from projects.people import models as people_models
from projects.people.services import demo as people_demo
from projects.people.services import deputies as people_deputies
from projects.people.services import public as people_public
from projects.people.services import rating as people_rating
from projects.people.services import vote as people_vote
from projects.people.services.demo import demo_png
from projects.planfile import read_plan_file
from projects.services import (
    accounts,
    alerts,
    bulletin,
    catalogue,
    demo,
    excel,
    notifications,
    plans,
    reporting,
    schedules,
    summaries,
)
from projects.services.reporting import FigureInput
from projects.supervision import closeouts as closeout_services
from projects.supervision import services as supervision_services
from tests.alerts.conftest import ROADS, ROADS_SPLIT, at
from tests.conftest import PLAN_2022
from tests.factories import OfficeUserFactory, unit_user
from tests.reporting.conftest import JUNE, REPORTING_JUNE
from tests.reporting.test_permissions import PNG

from .helpers import records

pytestmark = pytest.mark.django_db

# Public functions that write nothing of their own, with the reason.
NOT_WRITES = {
    "supervision.loop_move": "a step of its caller's write (the caller records it)",
    "supervision.reminder_owed": "a rule of the loop",
    "alerts.scan_month": "a calendar rule",
    "alerts.alerts_reevaluate": "alerts_scan of one figure (recorded when it opens or resolves anything)",
    "alerts.alerts_after_submission_change": "enqueues alerts_reevaluate",
    "bulk.bulk_insert": "a storage helper of progress_rebuild",
    "bulletin.bulletin_filename": "a name",
    "bulletin.bulletin_docx_build": "builds a file (its download or e-mail is recorded)",
    "bulletin.bulletin_xlsx_build": "builds a file (its download or e-mail is recorded)",
    "bulletin.bulletin_title": "a title",
    "bulletin.bulletin_attachments": "builds files (their e-mail is recorded)",
    "bulletin.bulletin_key": "a dedupe key",
    "bulletin.bulletin_email_attachments": "builds files (their e-mail is recorded)",
    "demo.split_target": "arithmetic",
    "handoffs.handoff_submitted": "a step of submission_save, figures_import and the bulk submit (recorded)",
    "handoffs.handoff_returned": "a step of submission_review (recorded)",
    "handoffs.handoff_approved": "a step of submission_review and the bulk approval (recorded)",
    "handoffs.handoff_reopened": "a step of submission_reopen (recorded)",
    "handoffs.handoff_month_closed": "a step of month_close (recorded)",
    "handoffs.handoff_month_opened": "a step of month_open (recorded)",
    "summaries.summary_news": "builds the news of a recorded scan",
    "excel.text_cell": "writes a spreadsheet cell",
    "excel.template_build": "builds the template (its download is recorded)",
    "excel.template_for": "builds the template (its download is recorded)",
    "excel.template_filename": "a name",
    "excel.plan_label": "a name",
    "excel.xlsx_check": "a check",
    "excel.submissions_export": "builds the export (its download is recorded)",
    "load_generation.generate_province": "benchmark data (make bench), never a deployment's",
    "load_generation.city_portfolio_add": "benchmark data (make bench), never a deployment's",
    "load_generation.plan_people_create": "benchmark data (make bench), never a deployment's",
    "notifications.notification_rules": "a read",
    "notifications.notifications_create": "a step of the scans, reminders, digests and bulletin (recorded)",
    "notifications.backoff": "arithmetic",
    "notifications.absolute_url": "a link",
    "notifications.deliveries_send_due": "the sweep: each delivery_send is recorded",
    "notifications.webhook_markdown": "formats a message",
    "notifications.webhook_payload": "formats a message",
    "notifications.dingtalk_signed_url": "signs a URL",
    "notifications.post_json": "the HTTP transport of delivery_send (recorded)",
    "progress.indicator_months": "a read",
    "progress.reportable_months": "a read",
    "progress.unit_target": "a read",
    "progress.city_figure": "arithmetic",
    "progress.progress_refresh": "derived rows, inside every recorded change of a figure",
    "progress.progress_rebuild": "derived rows; plan_load, demo_seed and the rebuild_progress command record",
    "reporting.number_parse": "parses a number",
    "reporting.fields_for": "a rule",
    "reporting.figure_errors": "a check",
    "reporting.submission_changed": "follows every recorded change of a figure",
    "reporting.figure_store": "the storage step of submission_save and figures_import (recorded)",
    "reporting.figure_audit_detail": "what a record keeps of a figure",
    "reporting.evidence_audit_detail": "what a record keeps of a file",
    "audit.audit_record": "the recording itself",
    "audit.audit_export": "records an export",
    "audit.audit_refusals": "records refusals",
    "audit.audit_context": "says where records come from",
    "audit.command_source": "a label",
    "audit.client_address": "an address",
    "audit.actor_role": "a label",
    "audit.refusal_reason": "a message",
    "audit.purge_limit": "a date",
    "supervision.notice_sign_from_inbox": "notice_acknowledge when the notice is the user's to sign (recorded)",
    "supervision.instruction_target_resolve": "a read",
    "supervision.item_link": "a link",
    "supervision.instruction_about": "words",
    "supervision.notices_issued": "the history of notices that alerts_scan issues (recorded)",
    "plans.confirm_targets": "a change that plan_edit applies (recorded)",
    "plans.plan_copy_data": "builds the new year's plan file (plan_copy records)",
    "progress.city_progress_compute": "arithmetic (the public page's figures; public_refresh records)",
    "people.vote.deputy_of": "a read",
    "people.deputies.lead_units": "a read",
    "people.demo.demo_png": "a picture",
}


def public_services() -> set[str]:
    modules = [
        (name, importlib.import_module(f"projects.services.{name}"))
        for _finder, name, _pkg in pkgutil.iter_modules(projects.services.__path__)
    ]
    modules.append(("audit", audit_services))
    # The people's side's services (projects/people/services) are named people.<module>.<function>.
    modules += [
        (f"people.{name}", importlib.import_module(f"projects.people.services.{name}"))
        for _finder, name, _pkg in pkgutil.iter_modules(people_services.__path__)
    ]
    # The supervision loop's services live in their own subpackage.
    modules += [("supervision", supervision_services), ("closeouts", closeout_services)]
    found = set()
    for short, module in modules:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{short}.{name}")
    return found


# --- the scenarios: each calls one write service once --------------------------------------


class World:
    def __init__(self, plan, crowd) -> None:
        self.plan = plan
        self.people = crowd
        self.hubin = unit_user("湖滨区政府", username="hubin")
        self.renshe = unit_user("市人力资源社会保障局", username="renshe")
        self.office = OfficeUserFactory(username="duchashi_w")

    def sent_figure(self) -> Submission:
        return reporting.submission_save(
            user=self.hubin, indicator_id=Indicator.objects.get(code="1.1.1").pk, month=JUNE,
            figure=FigureInput(value=Decimal(100)), version=0, submit=True,
        )  # fmt: skip

    def approved_figure(self) -> Submission:
        sent = self.sent_figure()
        return reporting.submission_review(user=self.renshe, submission_id=sent.pk, version=sent.version, approve=True)

    def draft_with_file(self, data: bytes = PNG):
        draft = reporting.submission_save(
            user=self.hubin, indicator_id=Indicator.objects.get(code="1.1.1").pk, month=JUNE,
            figure=FigureInput(value=Decimal(5)), version=0, submit=False,
        )  # fmt: skip
        upload = SimpleUploadedFile("现场.png", data, content_type="image/png")
        return draft, reporting.evidence_add(user=self.hubin, submission_id=draft.pk, upload=upload)

    def message(self) -> Message:
        news = notifications.News(event=Event.DIGEST, key="k1", subject="s", body="b", user_id=self.people.leader.pk)
        notifications.notifications_create(items=[news])
        return Message.objects.get(recipient=self.people.leader)

    def delivery(self, status=DeliveryStatus.PENDING) -> Delivery:
        now = timezone.now()
        return Delivery.objects.create(
            channel=Channel.EMAIL, recipient="office@example.org", dedupe_key="t", event=Event.DIGEST,
            subject="s", body="b", next_attempt_at=now, created=now, status=status,
        )  # fmt: skip


def _scan(w: World):
    with time_machine.travel(at(dt.date(2022, 9, 30)), tick=False):
        alerts.alerts_scan(as_of=dt.date(2022, 9, 30))


def _digest(w: World):
    _scan(w)
    with time_machine.travel(at(dt.date(2022, 10, 10), 8), tick=False):
        summaries.digests_send(as_of=dt.date(2022, 10, 10))


def _reminders(w: World):
    with time_machine.travel(at(dt.date(2022, 10, 3)), tick=False):
        alerts.due_reminders_send(as_of=dt.date(2022, 10, 3))


def _allocations(w: World):
    ids = dict(Unit.objects.filter(name__in=ROADS_SPLIT).values_list("name", "id"))
    targets = {
        ids[name]: Decimal(t + (5 if name == "灵宝市政府" else -5 if name == "渑池县政府" else 0))
        for name, t in ROADS_SPLIT.items()
    }
    catalogue.allocations_set(indicator=Indicator.objects.get(code=ROADS), targets=targets)


def _import(w: World):
    data = excel.template_build(unit=w.hubin.unit, month=JUNE)
    excel.figures_import(actor=w.hubin, unit=w.hubin.unit, month=JUNE, data=data, submit=False)


def _purge(w: World):
    from projects.models import Role
    from tests.account_factories import account

    auditor = account(Role.AUDIT_ADMIN, username="shenji")  # the role that holds purge_auditrecord
    audit_services.audit_purge(actor=type(auditor).objects.get(pk=auditor.pk))


def _rules(w: World):
    NotificationRule.objects.all().delete()
    notifications.notification_rules_setup()


def _people(w: World) -> dict:
    """A session with one deputy, an open vote with two candidates and an open rating."""
    from datetime import timedelta

    from projects.models import Role

    pm = people_models
    from tests.account_factories import account

    now = timezone.now()
    session = pm.CongressSession.objects.create(name="第八届第三次会议", year=2023)
    deputy = pm.Deputy.objects.create(user=account(Role.DEPUTY, username="daibiao"), session=session, name="王建华")
    window = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1), "created_by": w.office}
    vote = pm.Vote.objects.create(session=session, title="票决", plan_year=2023, choose=1, **window)
    candidate = pm.Candidate.objects.create(vote=vote, number=1, title="公园", description="建", estimated_cost=1)
    rating = pm.Rating.objects.create(session=session, plan=w.plan, **window)
    pm.RatingTally.objects.bulk_create([pm.RatingTally(rating=rating, project=p) for p in w.plan.projects.all()])
    project = w.plan.projects.get(number=2)
    return {"session": session, "deputy": deputy, "vote": vote, "candidate": candidate, "rating": rating,
            "project": project, "lead": Unit.objects.get(name="市住房城乡建设局")}  # fmt: skip


def _suggestion(w: World, p: dict):
    return people_deputies.suggestion_create(
        user=p["deputy"].user, project_id=p["project"].pk, lead_unit_id=p["lead"].pk, text="建议"
    )


def _replied(w: World):
    p = _people(w)
    suggestion = _suggestion(w, p)
    zhujian = unit_user("市住房城乡建设局", username="zhujian")
    people_deputies.suggestion_reply(user=zhujian, suggestion_id=suggestion.pk, version=1, text="已办")
    return p, suggestion


def _suggestion_urged(w: World):
    _suggestion(w, _people(w))
    later = dt.date(2022, 8, 1)  # well after its 15 days
    with time_machine.travel(at(later), tick=False):
        return people_deputies.suggestion_reminders_send(as_of=later)


def _closed_month_published(w: World):
    people_public.plan_publish(user=w.office, plan_id=w.plan.pk)
    reporting.month_close(user=w.office, plan_id=w.plan.pk, month=JUNE)


def _photo(w: World):
    submission, _evidence = w.draft_with_file(demo_png(8, 4))  # a picture that Pillow reads: it is published
    reporting.submission_save(
        user=w.hubin, indicator_id=submission.indicator_id, month=JUNE, figure=FigureInput(value=Decimal(100)),
        version=submission.version, submit=True,
    )  # fmt: skip
    sent = Submission.objects.get(pk=submission.pk)
    reporting.submission_review(user=w.renshe, submission_id=sent.pk, version=sent.version, approve=True)
    return people_public.photo_publish(user=w.office, evidence_id=_evidence.pk, caption="现场")


def _schedules(w: World):
    PeriodicTask.objects.all().delete()
    schedules.schedules_setup()


def _retitle_first_project(data: dict) -> None:
    data["projects"][0]["title"] += "（修订）"


def _bulk_submit(w: World):
    draft, _file = w.draft_with_file()
    reporting.submissions_submit(user=w.hubin, items=[(draft.pk, draft.version)])


def _bulk_approve(w: World):
    sent = w.sent_figure()
    reporting.submissions_approve(user=w.renshe, items=[(sent.pk, sent.version)])


def _requeue(w: World):
    notifications.delivery_requeue(delivery=w.delivery(status=DeliveryStatus.FAILED))


# --- the supervision loop -------------------------------------------------------------------


def _notice(w: World):
    """A notice escalated by the scans (渑池县's 10.1.1 red since June), as the loop's tests make it."""
    from projects.models import SupervisionNotice
    from tests.alerts.conftest import report

    report(ROADS, "渑池县政府", dt.date(2022, 6, 1), value=1)
    for day in (dt.date(2022, 7, 6), dt.date(2022, 8, 6)):
        with time_machine.travel(at(day), tick=False):
            alerts.alerts_scan(as_of=day)
    return SupervisionNotice.objects.get(indicator__code=ROADS, unit__name="渑池县政府")


def _answered(w: World):
    notice = _notice(w)
    supervision_services.notice_answer(
        user=w.people.mianchi, notice_id=notice.pk, version=notice.version,
        answer=supervision_services.AnswerInput(text="已整改"),
    )  # fmt: skip
    notice.refresh_from_db()
    return notice


def _instruction(w: World):
    from projects.models import Unit

    return supervision_services.instruction_issue(
        user=w.people.leader, target=supervision_services.InstructionTarget(indicator_id=Indicator.objects.get(code=ROADS).pk),
        text="抓紧推进", unit_ids=[Unit.objects.get(name="渑池县政府").pk], deadline=dt.date(2022, 7, 20),
    )  # fmt: skip


def _reply_answered(w: World):
    reply = _instruction(w).replies.get()
    supervision_services.reply_answer(
        user=w.people.mianchi, reply_id=reply.pk, version=reply.version, answer=supervision_services.AnswerInput(text="已落实")
    )
    reply.refresh_from_db()
    return reply


def _closeout(w: World):
    from tests.alerts.conftest import report

    zhujian = unit_user("市住房城乡建设局", username="zhujian")
    report("2.3.2", "市住房城乡建设局", dt.date(2022, 6, 1), value=10)
    with time_machine.travel(at(dt.date(2022, 7, 6)), tick=False):  # June is the reporting month
        return closeout_services.closeout_apply(
            user=zhujian, indicator_id=Indicator.objects.get(code="2.3.2").pk, note="已完成"
        )


def _closed_out(w: World):
    c = _closeout(w)
    return closeout_services.closeout_decide(user=w.office, closeout_id=c.pk, version=c.version, approve=True)


def _reminders_loop(w: World):
    _notice(w)
    with time_machine.travel(at(dt.date(2022, 9, 6)), tick=False):
        supervision_services.supervision_reminders_send(as_of=dt.date(2022, 9, 6))


WRITES: dict[str, tuple[str, Callable[[World], object]]] = {
    "accounts.demo_accounts_create": (AuditAction.ACCOUNTS_DEMO, lambda w: accounts.demo_accounts_create(plan=w.plan)),
    "alerts.alerts_scan": (AuditAction.ALERT_SCAN, _scan),
    "alerts.due_reminders_send": (AuditAction.REMINDERS_SEND, _reminders),
    "summaries.digests_send": (AuditAction.DIGESTS_SEND, _digest),
    "bulletin.bulletin_send": (
        AuditAction.BULLETIN_SEND,
        lambda w: bulletin.bulletin_send(plan=w.plan, month=JUNE, recipients=["leader@example.org"]),
    ),
    "bulletin.bulletin_notify_leaders": (
        AuditAction.BULLETIN_SEND,
        lambda w: bulletin.bulletin_notify_leaders(month=JUNE),
    ),
    "catalogue.plan_load": (AuditAction.PLAN_LOAD, lambda w: catalogue.plan_load(checked=read_plan_file(PLAN_2022))),
    "catalogue.allocations_set": (AuditAction.ALLOCATION_SET, _allocations),
    "demo.demo_seed": (AuditAction.DEMO_SEED, lambda w: demo.demo_seed(plan=w.plan, as_of=dt.date(2022, 3, 10))),
    "excel.figures_import": (AuditAction.FIGURE_IMPORT, _import),
    "notifications.notification_rules_setup": (AuditAction.NOTIFICATION_RULES_SETUP, _rules),
    "notifications.delivery_send": (
        AuditAction.DELIVERY_SEND,
        lambda w: notifications.delivery_send(delivery_id=w.delivery().pk),
    ),
    "notifications.delivery_requeue": (AuditAction.DELIVERY_REQUEUE, _requeue),
    "notifications.message_mark_read": (
        AuditAction.MESSAGE_READ,
        lambda w: notifications.message_mark_read(message=w.message()),
    ),
    "notifications.message_acknowledge": (
        AuditAction.MESSAGE_ACKNOWLEDGE,
        lambda w: notifications.message_acknowledge(message=w.message(), user=w.people.leader),
    ),
    "notifications.messages_mark_all_read": (
        AuditAction.MESSAGE_READ_ALL,
        lambda w: (w.message(), notifications.messages_mark_all_read(user=w.people.leader)),
    ),
    "reporting.submission_save": (AuditAction.FIGURE_SUBMIT, lambda w: w.sent_figure()),
    "reporting.submission_review": (AuditAction.FIGURE_APPROVE, lambda w: w.approved_figure()),
    "reporting.submission_reopen": (
        AuditAction.FIGURE_REOPEN,
        lambda w: (
            (s := w.approved_figure())
            and reporting.submission_reopen(user=w.office, submission_id=s.pk, version=s.version, reason="数据有误")
        ),
    ),
    "reporting.month_close": (
        AuditAction.MONTH_CLOSE,
        lambda w: reporting.month_close(user=w.office, plan_id=w.plan.pk, month=JUNE, reason="通报已印发"),
    ),
    "reporting.month_open": (
        AuditAction.MONTH_OPEN,
        lambda w: reporting.month_open(user=w.office, plan_id=w.plan.pk, month=JUNE),
    ),
    "reporting.submissions_submit": (AuditAction.FIGURES_SUBMIT_BULK, _bulk_submit),
    "reporting.submissions_approve": (AuditAction.FIGURES_APPROVE_BULK, _bulk_approve),
    "reporting.evidence_add": (AuditAction.EVIDENCE_UPLOAD, lambda w: w.draft_with_file()),
    "reporting.evidence_delete": (
        AuditAction.EVIDENCE_DELETE,
        lambda w: reporting.evidence_delete(user=w.hubin, evidence_id=w.draft_with_file()[1].pk),
    ),
    "schedules.schedules_setup": (AuditAction.SCHEDULES_SETUP, _schedules),
    "audit.audit_purge": (AuditAction.AUDIT_PURGE, _purge),
    "supervision.notice_acknowledge": (
        AuditAction.NOTICE_ACKNOWLEDGE,
        lambda w: supervision_services.notice_acknowledge(user=w.people.mianchi, notice_id=_notice(w).pk),
    ),
    "supervision.notice_answer": (AuditAction.NOTICE_ANSWER, _answered),
    "supervision.notice_verify": (
        AuditAction.NOTICE_SEND_BACK,
        lambda w: (n := _answered(w)) and supervision_services.notice_verify(
            user=w.office, notice_id=n.pk, version=n.version, accept=False, reason="补充材料"
        ),
    ),
    "supervision.instruction_issue": (AuditAction.INSTRUCTION_ISSUE, _instruction),
    "supervision.reply_acknowledge": (
        AuditAction.REPLY_ACKNOWLEDGE,
        lambda w: supervision_services.reply_acknowledge(user=w.people.mianchi, reply_id=_instruction(w).replies.get().pk),
    ),
    "supervision.reply_answer": (AuditAction.REPLY_ANSWER, _reply_answered),
    "supervision.reply_verify": (
        AuditAction.REPLY_ACCEPT,
        lambda w: (r := _reply_answered(w)) and supervision_services.reply_verify(
            user=w.office, reply_id=r.pk, version=r.version, accept=True
        ),
    ),
    "supervision.supervision_reminders_send": (AuditAction.LOOP_REMIND, _reminders_loop),
    "closeouts.closeout_apply": (AuditAction.CLOSEOUT_APPLY, _closeout),
    "closeouts.closeout_decide": (AuditAction.CLOSEOUT_APPROVE, _closed_out),
    "closeouts.closeout_reopen": (
        AuditAction.CLOSEOUT_REOPEN,
        lambda w: (c := _closed_out(w)) and closeout_services.closeout_reopen(
            user=w.office, closeout_id=c.pk, version=c.version, reason="复核"
        ),
    ),
    "plans.plan_edit": (
        AuditAction.PLAN_EDIT,
        lambda w: plans.plan_edit(user=w.office, plan=w.plan, revision=w.plan.revision, change=_retitle_first_project),
    ),
    "plans.plan_replace": (
        AuditAction.PLAN_EDIT,
        lambda w: plans.plan_replace(
            user=w.office, plan=w.plan, revision=w.plan.revision, raw=PLAN_2022.read_bytes()
        ),
    ),
    "plans.plan_copy": (
        AuditAction.PLAN_COPY,
        lambda w: plans.plan_copy(plan=w.plan, year=2023, document="三政办〔2023〕1号", actor=w.office),
    ),
    # The people's side.
    "people.public.public_refresh": (AuditAction.PUBLIC_REFRESH, _closed_month_published),
    "people.public.plan_publish": (AuditAction.PLAN_PUBLISH, _closed_month_published),
    "people.public.photo_publish": (AuditAction.PHOTO_PUBLISH, _photo),
    "people.public.photo_unpublish": (
        AuditAction.PHOTO_UNPUBLISH,
        lambda w: people_public.photo_unpublish(user=w.office, photo_id=_photo(w).pk),
    ),
    "people.vote.proposal_submit": (
        AuditAction.PROPOSAL_SUBMIT,
        lambda w: people_vote.proposal_submit(title="加装电梯", body="六楼", place="", contact="", address="10.0.0.1"),
    ),
    "people.vote.proposal_moderate": (
        AuditAction.PROPOSAL_MODERATE,
        lambda w: people_vote.proposal_moderate(
            user=w.office,
            proposal_id=people_models.Proposal.objects.create(
                title="t", body="b", submitted_at=timezone.now(), address_key="k"
            ).pk,
            status="declined",
        ),
    ),
    "people.vote.vote_create": (
        AuditAction.VOTE_CREATE,
        lambda w: people_vote.vote_create(
            user=w.office,
            session_id=_people(w)["session"].pk,
            title="票决二",
            plan_year=2023,
            choose=1,
            opens_at=timezone.now() + dt.timedelta(days=1),
            closes_at=timezone.now() + dt.timedelta(days=2),
        ),
    ),
    "people.vote.candidate_save": (
        AuditAction.CANDIDATE_SAVE,
        lambda w: (
            (p := _people(w))
            and p["vote"]
            .__class__.objects.filter(pk=p["vote"].pk)
            .update(opens_at=timezone.now() + dt.timedelta(hours=1))
            and people_vote.candidate_save(
                user=w.office,
                vote_id=p["vote"].pk,
                title="幼儿园",
                description="建",
                estimated_cost=Decimal(9),
                lead_unit_ids=[p["lead"].pk],
            )
        ),
    ),
    "people.vote.vote_cast": (
        AuditAction.VOTE_CAST,
        lambda w: (
            (p := _people(w))
            and people_vote.vote_cast(user=p["deputy"].user, vote_id=p["vote"].pk, candidate_ids=[p["candidate"].pk])
        ),
    ),
    "people.rating.rating_create": (
        AuditAction.RATING_CREATE,
        lambda w: people_rating.rating_create(
            user=w.office,
            session_id=people_models.CongressSession.objects.create(name="第九届第一次会议", year=2024).pk,
            plan_id=w.plan.pk,
            opens_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(days=1),
            threshold=Decimal(80),
        ),
    ),
    "people.rating.rating_cast": (
        AuditAction.RATING_CAST,
        lambda w: (
            (p := _people(w))
            and people_rating.rating_cast(
                user=p["deputy"].user,
                rating_id=p["rating"].pk,
                choices={t.project_id: "satisfied" for t in p["rating"].tallies.all()},
            )
        ),
    ),
    "people.deputies.inspection_record": (
        AuditAction.INSPECTION_RECORD,
        lambda w: (
            (p := _people(w))
            and people_deputies.inspection_record(
                user=p["deputy"].user,
                project_id=p["project"].pk,
                visited_on=JUNE,
                place="小区",
                notes="开工",
                photos=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
            )
        ),
    ),
    "people.deputies.suggestion_create": (AuditAction.SUGGESTION_CREATE, lambda w: _suggestion(w, _people(w))),
    "people.deputies.suggestion_reply": (AuditAction.SUGGESTION_REPLY, _replied),
    "people.deputies.suggestion_conclude": (
        AuditAction.SUGGESTION_ACCEPT,
        lambda w: (
            (r := _replied(w))
            and people_deputies.suggestion_conclude(
                user=r[0]["deputy"].user, suggestion_id=r[1].pk, version=3, accept=True
            )
        ),
    ),
    "people.deputies.suggestion_acknowledge": (
        AuditAction.SUGGESTION_ACKNOWLEDGE,
        lambda w: people_deputies.suggestion_acknowledge(
            user=unit_user("市住房城乡建设局", username="zhujian"), suggestion_id=_suggestion(w, _people(w)).pk
        ),
    ),
    "people.deputies.suggestion_reminders_send": (AuditAction.LOOP_REMIND, _suggestion_urged),
    "people.demo.people_demo_seed": (
        AuditAction.DEMO_SEED,
        lambda w: (
            accounts.demo_accounts_create(plan=w.plan)
            and people_demo.people_demo_seed(plan=w.plan, months_closed_upto=dt.date(2022, 5, 1))
        ),
    ),
}


def test_every_public_service_is_listed_as_a_write_or_not():
    found = public_services()
    assert sorted(found - set(WRITES) - set(NOT_WRITES)) == [], "new service: list it in WRITES or NOT_WRITES"
    assert sorted((set(WRITES) | set(NOT_WRITES)) - found) == [], "listed but gone"


@pytest.fixture
def world(plan_2022, private_media, people, roads, mailoutbox):
    with time_machine.travel(REPORTING_JUNE, tick=False):
        yield World(plan_2022, people)


@pytest.mark.parametrize("service", sorted(WRITES))
def test_each_write_service_leaves_an_audit_record(world, service):
    action, scenario = WRITES[service]
    scenario(world)
    made = records(action, result=AuditResult.SUCCESS)
    assert made.exists(), f"{service} wrote no {action} record"


# --- refusals -------------------------------------------------------------------------------


def test_a_refused_write_is_recorded_as_a_failure_with_its_reason(world):
    sent = world.sent_figure()
    # The county tries to approve its own figure: not a reviewer of it, so it does not exist for it.
    with pytest.raises(Submission.DoesNotExist):
        reporting.submission_review(user=world.hubin, submission_id=sent.pk, version=sent.version, approve=True)
    # A stale form: the version it was based on is gone.
    with pytest.raises(reporting.Conflict):
        reporting.submission_save(
            user=world.hubin, indicator_id=sent.indicator_id, month=JUNE, figure=FigureInput(value=Decimal(7)),
            version=0, submit=True,
        )  # fmt: skip
    # A unit closing a month.
    with pytest.raises(Exception, match="only the office"):
        reporting.month_close(user=world.hubin, plan_id=world.plan.pk, month=JUNE)
    failures = {r.action: r for r in records(result=AuditResult.FAILURE)}
    assert set(failures) == {AuditAction.FIGURE_APPROVE, AuditAction.FIGURE_SUBMIT, AuditAction.MONTH_CLOSE}
    assert failures[AuditAction.FIGURE_APPROVE].actor == world.hubin
    assert failures[AuditAction.FIGURE_APPROVE].object_id == str(sent.pk)
    assert "已在您打开页面后被修改" in failures[AuditAction.FIGURE_SUBMIT].detail["reason"]
    # Nothing changed: the figure is still the one sent.
    assert Submission.objects.get(pk=sent.pk).status == SubmissionStatus.SUBMITTED


def test_an_import_with_errors_is_recorded_as_a_failure_and_saves_nothing(world):
    with pytest.raises(excel.ImportRejected):
        excel.figures_import(actor=world.hubin, unit=world.hubin.unit, month=JUNE, data=b"not a workbook", submit=True)
    (record,) = records(AuditAction.FIGURE_IMPORT)
    assert record.result == AuditResult.FAILURE and "不是 Excel" in record.detail["reason"]


def test_a_closure_and_reopening_leave_a_trace(world):
    """Finding: closing and reopening a month left no trace in any table."""
    reporting.month_close(user=world.office, plan_id=world.plan.pk, month=JUNE, reason="6月通报已印发")
    reporting.month_open(user=world.office, plan_id=world.plan.pk, month=JUNE)
    close, reopen = records(action__startswith="month.")
    assert (close.action, close.actor, close.detail["reason"]) == (
        AuditAction.MONTH_CLOSE,
        world.office,
        "6月通报已印发",
    )
    assert (reopen.action, reopen.detail["was_closed"], reopen.detail["month"]) == (
        AuditAction.MONTH_OPEN, True, "2022-06-01",
    )  # fmt: skip
    assert reopen.detail["closure"]["reason"] == "6月通报已印发"


def test_a_deleted_evidence_file_leaves_a_trace(world):
    """Finding: deleting evidence left no trace in any table."""
    _draft, evidence = world.draft_with_file()
    reporting.evidence_delete(user=world.hubin, evidence_id=evidence.pk)
    upload, deletion = records(action__startswith="evidence.")
    assert deletion.action == AuditAction.EVIDENCE_DELETE and deletion.actor == world.hubin
    assert deletion.object_id == str(evidence.pk) and deletion.object_repr == "现场.png"
    assert deletion.detail["sha256"] == upload.detail["sha256"] == evidence.sha256
