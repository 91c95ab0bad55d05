"""A plan as a whole: the office's edits and the copy of a plan into a new year.

Both work on the plan as a plan file (``selectors.catalogue.plan_file_data``) and write it back
through ``planfile.check_plan_data`` and ``catalogue.plan_load``: an edit or a copy is checked
exactly as ``load_plan`` checks a file, is all or nothing, names every problem with its place in
Chinese, and leaves an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from projects import calendar, permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_refusals
from projects.models import CityProgress, IndicatorKind, Plan, User
from projects.planfile import PlanFileError, check_plan_data, parse_plan
from projects.selectors.catalogue import number, plan_file_data
from projects.services.catalogue import LoadSummary, plan_load

PlanChange = Callable[[dict[str, Any]], None]


# --- editing ----------------------------------------------------------------------------------


def plan_edit(
    *,
    user: User,
    plan: Plan,
    revision: int,
    change: PlanChange,
    update_units: bool = False,
    what: str = "",
) -> LoadSummary:
    """Apply ``change`` (a function that edits the plan's file in place) and load the result, as
    ``load_plan`` would: the whole plan checked, all or nothing. ``revision`` is the plan's revision
    the form was made on: an edit made on an older one is refused (PlanFileError), so that a stale
    form never overwrites a newer plan. Only the office edits plans here."""
    detail = {"what": what, "revision": revision}
    with audit_refusals(action=AuditAction.PLAN_EDIT, actor=user, obj=plan, detail=detail):
        if not permissions.administers(user):
            raise PermissionDenied("only the supervision office edits plans")
        data = plan_file_data(plan=plan)
        change(data)
        checked = check_plan_data(data)
        return plan_load(
            checked=checked,
            update_units=update_units,
            action=AuditAction.PLAN_EDIT,
            actor=user,
            expect=plan,
            revision=revision,
            detail=detail,
        )


def plan_replace(*, user: User, plan: Plan, revision: int, raw: bytes, update_units: bool = False) -> LoadSummary:
    """A corrected plan file for ``plan`` uploaded in the office's pages: the file is the plan."""
    detail = {"what": "file", "revision": revision, "size": len(raw)}
    with audit_refusals(action=AuditAction.PLAN_EDIT, actor=user, obj=plan, detail=detail):
        if not permissions.administers(user):
            raise PermissionDenied("only the supervision office edits plans")
        return plan_load(
            checked=parse_plan(raw),
            update_units=update_units,
            action=AuditAction.PLAN_EDIT,
            actor=user,
            expect=plan,
            revision=revision,
            detail=detail,
        )


def confirm_targets(data: dict[str, Any]) -> None:
    """An edit: every target carried from last year's plan is confirmed as it stands."""
    for project in data["projects"]:
        for task in project["tasks"]:
            for ind in task["indicators"]:
                ind.pop("target_confirmed", None)


# --- a new year from the last -----------------------------------------------------------------


def _shift(day: str | None, years: int) -> str | None:
    """An ISO date moved by whole years (29 February to the 28th)."""
    if not day:
        return day
    return calendar.add_months(dt.date.fromisoformat(day), 12 * years).isoformat()


def _final_figures(plan: Plan) -> dict[str, Decimal]:
    """Each indicator's last city figure of the plan's year (by code): what a new year carries on."""
    last_month = calendar.month_of(plan.default_deadline)
    rows = (
        CityProgress.objects.filter(indicator__task__project__plan=plan, month__lte=last_month, value__isnull=False)
        .order_by("indicator_id", "-month")
        .values_list("indicator__code", "value", "month")
    )
    final: dict[str, Decimal] = {}
    for code, value, _month in rows:
        final.setdefault(code, value)
    return final


def plan_copy_data(*, plan: Plan, year: int, document: str, title: str | None = None) -> dict[str, Any]:
    """The plan's file as the first draft of ``year``'s plan ``document``.

    Copied: the structure (projects, tasks and their text, indicators), the units and their roles,
    the unit groups and their members, the reporting units, the calendar (due day, frequencies, the
    light bands) and every date moved to the new year. Left to the office: the targets, kept as
    proposals (``target_confirmed`` false) until it confirms them, and the split of targets among
    units (not copied). Carried on: a stock indicator's (one with a ``baseline``) final city figure
    of the old year becomes its baseline; a base-year figure the plan gives beside a count, an amount
    or a rate becomes the old year's final figure; a growth rate's base year becomes the old year."""
    years = year - plan.year
    data = plan_file_data(plan=plan)
    final = _final_figures(plan)
    head = data["plan"]
    head["year"], head["document"] = year, document
    head["title"] = title or head["title"].replace(str(plan.year), str(year))
    for key in ("issued_on", "start", "default_deadline"):
        head[key] = _shift(head[key], years)
    head.pop("validity_text", None)  # the old document's words about its own dates
    head["notes"] = _("由 %(year)s 年 %(document)s 复制（copy_plan），目标待督查室按新年度方案确认。") % {
        "year": plan.year,
        "document": plan.document,
    } + ("\n" + head["notes"] if head.get("notes") else "")
    for project in data["projects"]:
        for task in project["tasks"]:
            for key in ("valid_from", "valid_until"):
                if key in task:
                    task[key] = _shift(task[key], years)
            for ind in task["indicators"]:
                _copy_indicator(ind, plan=plan, years=years, final=final.get(ind["code"]))
    return data


def _copy_indicator(ind: dict[str, Any], *, plan: Plan, years: int, final: Decimal | None) -> None:
    for key in ("start", "deadline", "planned_start"):
        if key in ind:
            ind[key] = _shift(ind[key], years)
    if ind.get("monthly_plan"):
        ind["monthly_plan"] = {
            calendar.month_key(calendar.add_months(calendar.parse_month(m), 12 * years)): v
            for m, v in ind["monthly_plan"].items()
        }
    ind.pop("allocations", None)
    if ind["target"] is not None:
        ind["target_confirmed"] = False
    if ind["kind"] == IndicatorKind.GROWTH:
        # Last year's growth is measured against the year before it: the base moves on one year;
        # its level (a figure of the year before) no longer applies.
        for key in ("base_value", "base_unit", "base_text"):
            ind.pop(key, None)
        ind["base_year"] = plan.year
        return
    if final is None:
        return
    if "baseline" in ind:
        ind["baseline"] = number(final)
    if "base_value" in ind and ind["kind"] in (IndicatorKind.COUNT, IndicatorKind.AMOUNT, IndicatorKind.RATE):
        ind["base_year"] = plan.year
        ind["base_value"] = number(final)
        ind.pop("base_unit", None)
        ind["base_text"] = _("上年方案截至 %(month)s 的全市数：%(value)s%(unit)s（复制方案时带入）") % {
            "month": calendar.month_label(calendar.month_of(plan.default_deadline), language="zh-hans"),
            "value": number(final),
            "unit": ind["unit"],
        }


def plan_copy(*, plan: Plan, year: int, document: str, title: str | None = None, actor: User | None = None) -> Plan:
    """Copy ``plan`` into ``year`` as ``document`` (``plan_copy_data``), checked and loaded as a plan
    file is; the old plan is read only. Project leaders (the portfolios) follow their projects."""
    detail = {"from": {"year": plan.year, "document": plan.document}, "year": year, "document": document}
    with audit_refusals(action=AuditAction.PLAN_COPY, actor=actor, obj=plan, detail=detail):
        return _plan_copy(plan=plan, year=year, document=document, title=title, actor=actor, detail=detail)


@transaction.atomic
def _plan_copy(*, plan: Plan, year: int, document: str, title: str | None, actor: User | None, detail) -> Plan:
    if Plan.objects.filter(year=year, document=document).exists():
        raise PlanFileError(
            [_("已有 %(year)s 年文号为 %(document)s 的方案，未复制") % {"year": year, "document": document}]
        )
    if year <= plan.year:
        raise PlanFileError([_("新年度应晚于 %(year)s 年") % {"year": plan.year}])
    checked = check_plan_data(plan_copy_data(plan=plan, year=year, document=document, title=title))
    summary = plan_load(checked=checked, action=AuditAction.PLAN_COPY, actor=actor, detail=detail)
    new = summary.plan
    leaders = {p.number: list(p.leaders.all()) for p in plan.projects.prefetch_related("leaders")}
    for project in new.projects.all():
        if leaders.get(project.number):
            project.leaders.add(*leaders[project.number])
    return new
