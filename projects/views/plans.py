"""The office's plan pages: the year's plans, a plan's header, unit groups, tasks and indicators,
its file (download, corrected upload), copying it into a new year and confirming carried targets.

Only the supervision office sees them (404 for anyone else). Every change is an edit of the plan's
file checked as ``load_plan`` checks one (``services.plans``); the problems are put back on the
fields they are about, each in words a reader finds in the plan ("任务 2.3 · 报送单位").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from projects import permissions
from projects.audit.actions import AuditAction
from projects.audit.services import audit_record
from projects.forms.plans import CopyForm, GroupForm, IndicatorForm, PlanHeaderForm, TaskForm
from projects.models import Indicator, Plan, Task, Unit, UnitGroup
from projects.planfile import PlanFileError
from projects.selectors.catalogue import plan_file, plan_file_data, unit_group_warnings
from projects.services import plans as svc

# The words of a plan file's keys, for the problems a reader is shown.
FIELD_WORDS = {
    "title": gettext_lazy("标题"),
    "kind": gettext_lazy("类型"),
    "issuing_body": gettext_lazy("发文机关"),
    "issued_on": gettext_lazy("发文日期"),
    "start": gettext_lazy("起始日期"),
    "default_deadline": gettext_lazy("默认完成期限"),
    "due_day": gettext_lazy("月报截止日"),
    "validity_text": gettext_lazy("有效期原文"),
    "lights": gettext_lazy("亮灯规则"),
    "yellow_gap": gettext_lazy("黄灯阈值"),
    "red_gap": gettext_lazy("红灯阈值"),
    "members": gettext_lazy("成员单位"),
    "name": gettext_lazy("名称"),
    "text": gettext_lazy("原文"),
    "lead_units": gettext_lazy("责任单位"),
    "cooperating_units": gettext_lazy("配合单位"),
    "valid_from": gettext_lazy("有效期起"),
    "valid_until": gettext_lazy("有效期止"),
    "unit": gettext_lazy("计量单位"),
    "target": gettext_lazy("目标值"),
    "direction": gettext_lazy("方向"),
    "tolerance": gettext_lazy("容差"),
    "frequency": gettext_lazy("报送频次"),
    "deadline": gettext_lazy("完成期限"),
    "deadline_text": gettext_lazy("期限原文"),
    "parent": gettext_lazy("所属指标"),
    "aggregation": gettext_lazy("汇总方式"),
    "rate_basis": gettext_lazy("比率填报方式"),
    "reporting_units": gettext_lazy("报送单位"),
    "base_year": gettext_lazy("基期年份"),
    "base_value": gettext_lazy("基期数值"),
    "base_text": gettext_lazy("基期数值原文"),
    "figure_unit": gettext_lazy("参考数值单位"),
    "stages": gettext_lazy("阶段"),
    "monthly_plan": gettext_lazy("月度计划"),
    "allocations": gettext_lazy("任务分解"),
    "source_text": gettext_lazy("原文"),
    "planned_start": gettext_lazy("计划启动日期"),
}
_PART = re.compile(r"(\w+)(?:\[(\d+)\])?")


def place_words(data: dict[str, Any], place: str) -> str:
    """A place in a plan file as a reader finds it in the plan: ``projects[1].tasks[2].indicators[0].
    target`` -> 任务 2.3 · 指标 2.3.1 · 目标值."""
    words: list[str] = []
    node: Any = data
    for name, index in _PART.findall(place):
        node = node.get(name) if isinstance(node, dict) else None
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
            if name == "projects":
                words.append(_("项目 %(n)s") % {"n": node.get("number")})
            elif name == "tasks":
                words[-1:] = [_("任务 %(p)s.%(t)s") % {"p": words[-1].split()[-1], "t": node.get("number")}]
            elif name == "indicators":
                words.append(_("指标 %(code)s") % {"code": node.get("code")})
            elif name in ("units", "unit_groups"):
                words.append(str(node.get("name")))
            elif name in FIELD_WORDS:
                words.append(str(FIELD_WORDS[name]))
        elif name in FIELD_WORDS:
            words.append(str(FIELD_WORDS[name]))
    return " · ".join(words) or place


def _office(request: HttpRequest) -> None:
    if not permissions.administers(request.user):
        raise Http404


def _plan(request: HttpRequest, pk: int) -> Plan:
    _office(request)
    return get_object_or_404(Plan, pk=pk)


def _show_problems(form: forms.Form, problems: list[str], data: dict[str, Any], prefix: str) -> None:
    """Each problem on the field it is about when it is about the part this form edits, else above
    the form, with its place in words."""
    for problem in problems:
        place, sep, message = problem.partition(": ")
        if not sep:
            form.add_error(None, problem)
            continue
        field = ""
        if place.startswith(prefix):
            rest = place[len(prefix) :].lstrip(".")
            field = _PART.match(rest).group(1) if rest else ""
            if field == "lights":
                field = place.rsplit(".", 1)[-1]
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, f"{place_words(data, place)}：{message}")


def _apply(
    request: HttpRequest,
    plan: Plan,
    form: forms.Form,
    change: Callable[[dict[str, Any]], None],
    *,
    prefix: str,
    what: str,
) -> bool:
    """Edit the plan with ``change``; True when it was loaded, else the problems are on the form."""
    data = plan_file_data(plan=plan)
    try:
        summary = svc.plan_edit(
            user=request.user,
            plan=plan,
            revision=form.cleaned_data["revision"],
            change=change,
            update_units=form.cleaned_data.get("update_units", False),
            what=what,
        )
    except PlanFileError as exc:
        change(data)
        _show_problems(form, exc.problems, data, prefix)
        return False
    except PermissionDenied as exc:
        raise Http404 from exc
    if summary.changed:
        messages.success(request, _("已保存，方案已更新为第 %(n)s 版") % {"n": summary.plan.revision})
    else:
        messages.info(request, _("没有改动"))
    for change_text in summary.unit_changes:
        messages.warning(request, _("已修改共用单位：%(change)s") % {"change": change_text})
    return True


def _ensure_units(data: dict[str, Any], names: list[str]) -> None:
    """Existing units a form names that the plan does not use yet join its ``units`` list (the
    checks refuse names that are neither a unit nor a group)."""
    listed = {u["name"] for u in data["units"]} | {g["name"] for g in data.get("unit_groups", [])}
    for unit in Unit.objects.filter(name__in=[n for n in names if n not in listed]).order_by("position", "pk"):
        data["units"].append({"name": unit.name, "kind": unit.kind})


def _set(entry: dict[str, Any], key: str, value: Any) -> None:
    """An optional key: written when it has a value, left out (its default) when it has none."""
    if value in (None, "", [], {}):
        entry.pop(key, None)
    else:
        entry[key] = value.isoformat() if hasattr(value, "isoformat") else value


def _locate(data: dict[str, Any], task: Task) -> tuple[dict[str, Any], str]:
    for p, project in enumerate(data["projects"]):
        if project["number"] == task.project.number:
            for t, entry in enumerate(project["tasks"]):
                if entry["number"] == task.number:
                    return entry, f"projects[{p}].tasks[{t}]"
    raise Http404


# --- pages ------------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    plans = Plan.objects.order_by("-year", "issued_on", "pk")
    rows = [
        {
            "plan": p,
            "indicators": Indicator.objects.filter(task__project__plan=p).count(),
            "unconfirmed": Indicator.objects.filter(task__project__plan=p, target_confirmed=False).count(),
            "warnings": unit_group_warnings(plan=p),
        }
        for p in plans
    ]
    return render(request, "plans/list.html", {"rows": rows})


def _header_initial(plan: Plan) -> dict[str, Any]:
    fields = ["title", "kind", "issuing_body", "issued_on", "start", "default_deadline", "validity_text", "due_day"]
    fields += ["yellow_gap", "red_gap", "milestone_grace_months", "overshoot_confirm_percent", "source", "notes"]
    return {"revision": plan.revision, **{f: getattr(plan, f) for f in fields}}


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanHeaderForm(request.POST or None, initial=_header_initial(plan))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def change(data: dict[str, Any]) -> None:
            head = data["plan"]
            for key in ("title", "kind", "issuing_body", "issued_on", "start", "default_deadline", "due_day"):
                head[key] = d[key].isoformat() if hasattr(d[key], "isoformat") else d[key]
            for key in ("validity_text", "source", "notes"):
                _set(head, key, d[key])
            head["lights"] = {
                k: d[k] for k in ("yellow_gap", "red_gap", "milestone_grace_months", "overshoot_confirm_percent")
            }

        if _apply(request, plan, form, change, prefix="plan", what="plan"):
            return redirect("plan_detail", pk=plan.pk)
    tasks = (
        Task.objects.filter(project__plan=plan)
        .select_related("project")
        .prefetch_related("indicators", "task_units__unit", "task_groups__group")
        .order_by("project__number", "number")
    )
    context = {
        "plan": plan,
        "form": form,
        "groups": UnitGroup.objects.filter(plan=plan).prefetch_related("memberships__unit"),
        "tasks": tasks,
        "warnings": unit_group_warnings(plan=plan),
        "unconfirmed": Indicator.objects.filter(task__project__plan=plan, target_confirmed=False).count(),
    }
    return render(request, "plans/detail.html", context)


@login_required
def plan_group(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    group = get_object_or_404(UnitGroup, pk=group_pk, plan=plan)
    members = [m.unit for m in group.memberships.select_related("unit")]
    form = GroupForm(request.POST or None, initial={"revision": plan.revision, "members": members})
    if request.method == "POST" and form.is_valid():
        names = [u.name for u in form.cleaned_data["members"]]

        def change(data: dict[str, Any]) -> None:
            _ensure_units(data, names)
            for entry in data.get("unit_groups", []):
                if entry["name"] == group.name:
                    entry["members"] = names

        index = [g.pk for g in UnitGroup.objects.filter(plan=plan)].index(group.pk)
        if _apply(request, plan, form, change, prefix=f"unit_groups[{index}]", what=f"group {group.name}"):
            return redirect("plan_detail", pk=plan.pk)
    return render(
        request, "plans/item.html", {"plan": plan, "form": form, "heading": group.name, "what": _("单位组成员")}
    )


@login_required
def plan_task(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    task = get_object_or_404(Task.objects.select_related("project"), pk=task_pk, project__plan=plan)
    entry, _place = _locate(plan_file_data(plan=plan), task)
    keys = ["text", "lead_units", "cooperating_units", "lead_units_text", "cooperating_units_text", "validity_text"]
    initial = {"revision": plan.revision, **{k: entry.get(k, "") for k in keys}}
    initial.update(valid_from=task.valid_from, valid_until=task.valid_until)
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def change(data: dict[str, Any]) -> None:
            target, _p = _locate(data, task)
            _ensure_units(data, d["lead_units"] + d["cooperating_units"])
            target["text"], target["lead_units"], target["cooperating_units"] = (
                d["text"],
                d["lead_units"],
                d["cooperating_units"],
            )
            for key in ("lead_units_text", "cooperating_units_text", "valid_from", "valid_until", "validity_text"):
                _set(target, key, d[key])

        if _apply(request, plan, form, change, prefix=_place, what=f"task {task.code}"):
            return redirect("plan_detail", pk=plan.pk)
    return render(
        request,
        "plans/item.html",
        {"plan": plan, "form": form, "heading": f"{task.code} {task.text[:40]}", "what": _("主要任务")},
    )


INDICATOR_KEYS = [
    "name",
    "kind",
    "unit",
    "target",
    "direction",
    "tolerance",
    "frequency",
    "start",
    "deadline",
    "deadline_text",
    "aggregation",
    "rate_basis",
    "reporting_units",
    "base_year",
    "base_value",
    "base_unit",
    "base_text",
    "figure_unit",
    "planned_start",
    "stages",
    "monthly_plan",
    "source_text",
]
# Keys every indicator of a plan file has (the rest are optional and left out when empty).
REQUIRED_KEYS = {
    "name",
    "kind",
    "unit",
    "target",
    "direction",
    "deadline",
    "deadline_text",
    "aggregation",
    "reporting_units",
    "source_text",
}


@login_required
def plan_indicator(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    indicator = get_object_or_404(
        Indicator.objects.select_related("task__project"), pk=indicator_pk, task__project__plan=plan
    )
    task_entry, task_place = _locate(plan_file_data(plan=plan), indicator.task)
    k = next(i for i, ind in enumerate(task_entry["indicators"]) if ind["code"] == indicator.code)
    entry = task_entry["indicators"][k]
    initial: dict[str, Any] = {"revision": plan.revision, **{key: entry.get(key) for key in INDICATOR_KEYS}}
    initial.update(
        target_confirmed=entry.get("target_confirmed", True),
        tolerance=entry.get("tolerance"),
        frequency=entry.get("frequency", "monthly"),
        rate_basis=entry.get("rate_basis", "ratio"),
        start=indicator.start,
        deadline=indicator.deadline,
        planned_start=indicator.planned_start,
    )
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def change(data: dict[str, Any]) -> None:
            target_task, _p = _locate(data, indicator.task)
            target = target_task["indicators"][k]
            _ensure_units(data, d["reporting_units"])
            for key in INDICATOR_KEYS:
                value = d[key]
                if key in REQUIRED_KEYS:
                    target[key] = value.isoformat() if hasattr(value, "isoformat") else value
                else:
                    _set(target, key, value)
            if d["target_confirmed"]:
                target.pop("target_confirmed", None)
            else:
                target["target_confirmed"] = False
            if d["frequency"] == "monthly":
                target.pop("frequency", None)
            if d["rate_basis"] == "ratio":
                target.pop("rate_basis", None)
            if not d["tolerance"]:
                target.pop("tolerance", None)
            target["unit"] = d["unit"] or ""

        place = f"{task_place}.indicators[{k}]"
        if _apply(request, plan, form, change, prefix=place, what=f"indicator {indicator.code}"):
            return redirect("plan_detail", pk=plan.pk)
    return render(
        request,
        "plans/item.html",
        {"plan": plan, "form": form, "heading": f"{indicator.code} {indicator.name}", "what": _("指标")},
    )


@login_required
def plan_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the plan's file (what ``export_plan`` prints); POST: a corrected file for this plan."""
    plan = _plan(request, pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = 0
        if upload is None:
            messages.error(request, _("请选择方案文件"))
            return redirect("plan_detail", pk=plan.pk)
        try:
            summary = svc.plan_replace(
                user=request.user,
                plan=plan,
                revision=revision,
                raw=upload.read(5 * 1024 * 1024 + 1),
                update_units=bool(request.POST.get("update_units")),
            )
        except PlanFileError as exc:
            data = plan_file_data(plan=plan)
            for problem in exc.problems[:200]:
                place, sep, message = problem.partition(": ")
                messages.error(request, f"{place_words(data, place)}：{message}" if sep else problem)
            messages.error(request, _("方案文件有 %(n)s 处问题，未作任何改动") % {"n": len(exc.problems)})
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("已导入，方案为第 %(n)s 版") % {"n": summary.plan.revision})
        return redirect("plan_detail", pk=plan.pk)
    audit_record(action=AuditAction.EXPORT, request=request, obj=plan, detail={"what": "plan", "format": "plan"})
    body = json.dumps(plan_file(plan=plan), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.year}-{plan.pk}.json"'
    return response


@login_required
@require_POST
def plan_confirm_targets(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        revision = int(request.POST.get("revision", ""))
        svc.plan_edit(user=request.user, plan=plan, revision=revision, change=svc.confirm_targets, what="confirm")
    except (ValueError, PlanFileError) as exc:
        problems = getattr(exc, "problems", [str(exc)])
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("已确认全部沿用的目标"))
    return redirect("plan_detail", pk=plan.pk)


@login_required
def plan_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = CopyForm(request.POST or None, initial={"year": plan.year + 1, "document": plan.document})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = svc.plan_copy(
                plan=plan, year=d["year"], document=d["document"].strip(), title=d["title"] or None, actor=request.user
            )
        except PlanFileError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("已复制为 %(plan)s；请确认各项目标") % {"plan": new})
            return redirect(reverse("plan_detail", kwargs={"pk": new.pk}))
    return render(request, "plans/copy.html", {"plan": plan, "form": form})
