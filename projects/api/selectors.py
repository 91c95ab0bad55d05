"""Reads of the API: the rows it answers with, built from the selectors the pages, exports and
commands use (``plan_export``'s task and indicator, ``figures_export``'s figure, ``scan --json``'s
alert, the lists' item rows, the bulletin's data), with the ids another system needs to follow up."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from projects.models import Answer, Indicator, Plan, Project, SupervisionNotice, Task, Unit
from projects.selectors import dashboards as dash
from projects.selectors.alerts import alert_export_row
from projects.selectors.catalogue import indicator_export, number, task_export
from projects.selectors.reporting import _iso
from projects.supervision.selectors import is_late_now

# The lists' order (projects.tables.dashboards.INDICATOR_ORDER): plan order, then the units'.
ITEM_ORDER = ("project_number", "task_number", "position", "unit_position", "unit_name", "unit_pk")


def plan_row(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "year": plan.year,
        "document": plan.document,
        "kind": plan.kind,
        "title": plan.title,
        "issuing_body": plan.issuing_body,
        "issued_on": plan.issued_on.isoformat(),
        "start": plan.start.isoformat(),
        "default_deadline": plan.default_deadline.isoformat(),
        "due_day": plan.due_day,
    }


def project_row(project: Project) -> dict[str, Any]:
    return {"id": project.pk, "plan": project.plan_id, "number": project.number, "title": project.title}


def task_row(task: Task) -> dict[str, Any]:
    """``export_plan``'s task (without its indicators) with its ids and code."""
    return {
        "id": task.pk,
        "plan": task.project.plan_id,
        "project_id": task.project_id,
        "project": task.project.number,
        "code": task.code,
        **task_export(task, indicators=False),
    }


def indicator_row(ind: Indicator) -> dict[str, Any]:
    """``export_plan``'s indicator with its ids, code, task and project."""
    return {
        "id": ind.pk,
        "plan": ind.task.project.plan_id,
        "code": ind.code,
        "project": ind.task.project.number,
        "task": ind.task.number,
        "task_id": ind.task_id,
        **indicator_export(ind),
    }


def unit_row(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind}


def progress_row(item: dict[str, Any]) -> dict[str, Any]:
    """One item of a month (a unit's or the city's figure of one indicator), from the lists' item
    rows (``dashboards.item_rows``)."""
    return {
        "level": item["level"],
        "project": item["project_number"],
        "task": item["task_number"],
        "code": item["code"],
        "indicator": item["indicator_name"],
        "indicator_id": item["item_indicator"],
        "kind": item["indicator_kind"],
        "unit": item["unit_name"],
        "unit_id": item["unit_pk"],
        "month": f"{item['item_month']:%Y-%m}",
        "value": number(item["item_value"]),
        "stage": item["item_stage"],
        "target": number(item["item_target"]),
        "expected": number(item["item_expected"]),
        "completion": number(item["item_completion"]),
        "light": item["item_light"] or None,
        "overdue": item["item_overdue"],
        "not_started": item["item_not_started"],
        "reported": item["item_reported"],
        "late": item["item_late"],
        "deadline": item["deadline"].isoformat(),
        "deadline_text": item["deadline_text"],
    }


def alert_row(alert) -> dict[str, Any]:
    """``scan --json``'s alert with its ids and scope."""
    return {
        "id": alert.pk,
        "plan": alert.plan_id,
        "scope": alert.scope,
        "indicator_id": alert.indicator_id,
        "unit_id": alert.unit_id,
        "code": alert.indicator.code,
        **alert_export_row(alert),
        # The plan's fields of ``scan --json`` (projects.selectors.alerts.alerts_export).
        "plan_id": alert.plan_id,
        "plan_document": alert.plan.document,
        "plan_kind": alert.plan.kind,
        "opened_at": _iso(alert.opened_at),
    }


def notices(*, plan: Plan | None = None) -> QuerySet[SupervisionNotice]:
    """Supervision notices (督办通知单), newest first, with their answers (one more query a page)."""
    queryset = (
        SupervisionNotice.objects.select_related("task__project", "indicator", "unit", "lead_unit", "alert")
        .prefetch_related(Prefetch("answers", Answer.objects.order_by("number")))
        .order_by("-issued_at", "-pk")
    )
    return queryset.filter(plan=plan) if plan is not None else queryset


def answer_row(answer: Answer) -> dict[str, Any]:
    """One 整改反馈 and the office's verification of it (no names of people, no files)."""
    return {
        "number": answer.number,
        "text": answer.text,
        "figures": answer.figures,
        "new_date": answer.new_date.isoformat() if answer.new_date else None,
        "answered_at": _iso(answer.answered_at),
        "late": answer.late,
        "outcome": answer.outcome or None,
        "outcome_reason": answer.outcome_reason,
        "verified_at": _iso(answer.verified_at),
    }


def notice_row(notice: SupervisionNotice, *, today: date) -> dict[str, Any]:
    """A notice with where it stands in the supervision loop (projects/supervision/states.py) as of
    ``today``: its state, its deadline (moved when the office sends an answer back with a new one),
    whether it is overdue, and every answer with its verification."""
    answers = list(notice.answers.all())
    return {
        "id": notice.pk,
        "plan": notice.plan_id,
        "code": notice.code,
        "number": notice.number,
        "project": notice.task.project.number,
        "task": notice.task.number,
        "indicator": notice.indicator.name,
        "indicator_id": notice.indicator_id,
        "unit": notice.unit.name,
        "unit_id": notice.unit_id,
        "lead_unit": notice.lead_unit.name if notice.lead_unit else None,
        "responsible_person": notice.responsible_person,
        "problem": notice.problem,
        "month": f"{notice.alert.month:%Y-%m}",
        "deadline": notice.deadline.isoformat(),
        "issued_at": _iso(notice.issued_at),
        "acknowledged_at": _iso(notice.acknowledged_at),
        # The loop's fields (added; the ones above are unchanged).
        "state": notice.state,
        "overdue": is_late_now(state=notice.state, deadline=notice.deadline, today=today),
        "answered_at": _iso(notice.answered_at),
        "closed_at": _iso(notice.closed_at),
        "answers": [answer_row(a) for a in answers],
    }


def _standing(s: dash.Standing) -> dict[str, Any]:
    return {
        "completion": number(s.completion),
        "expected": number(s.expected),
        "gap": number(s.gap),
        "light": s.light or None,
        "indicators": s.indicators,
        "red": s.red,
        "yellow": s.yellow,
        "overdue": s.overdue,
    }


def bulletin_figures(*, plan: Plan, month: date) -> dict[str, Any]:
    """The monthly bulletin's figures (``dashboards.bulletin_data``, what the Word and Excel
    bulletins print): the plan's standing, each project's and task's, the counties' ranking, the
    units late or missing, the red items."""
    data = dash.bulletin_data(plan=plan, month=month)
    reporting = data.overview.reporting
    return {
        "plan": plan.pk,
        "month": f"{month:%Y-%m}",
        "overall": _standing(data.overview.overall),
        "reporting": {
            "due": reporting.due.isoformat(),
            "expected": reporting.expected,
            "reported": reporting.reported,
            "late": reporting.late,
            "missing": reporting.missing,
            "rate": number(reporting.rate),
            "on_time_rate": number(reporting.on_time_rate),
        },
        "projects": [
            {"number": r.project.number, "title": r.project.title, **_standing(r.standing)}
            for r in data.overview.projects
        ],
        "tasks": [
            {"project": r.task.project.number, "number": r.task.number, "code": r.task.code, **_standing(r.standing)}
            for r in data.tasks
        ],
        "ranking": [
            {
                "rank": r.rank,
                "unit": r.unit.name,
                "unit_id": r.unit.pk,
                "score": number(r.score),
                "rated": r.rated,
                "items": r.items,
                "reported": r.reported,
                "late": r.late,
                "red": r.red,
            }
            for r in data.ranking
        ],
        "late_units": [
            {"unit": r.unit.name, "unit_id": r.unit.pk, "expected": r.expected, "missing": r.missing, "late": r.late}
            for r in data.late_units
        ],
        "red_items": [progress_row(item) for item in data.red_items],
    }
