"""The supervision office's admin for the plan catalogue (Chinese by default)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects import admin_alerts  # noqa: F401 - registers the alerts and notifications admin
from projects.admin_plans import PlanCheckedAdmin, copy_to_new_year
from projects.allocation import allocation_mismatch
from projects.audit.admin import audit_every_admin  # also registers the audit trail (read-only)
from projects.models import Assignment, Indicator, Plan, Project, Task, TaskUnit, Unit
from projects.security import admin as security_admin

admin.site.site_header = _("重点民生实事跟踪系统")
admin.site.site_title = _("民生实事跟踪")
admin.site.index_title = _("方案与基础数据管理")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "responsible_person", "phone", "email", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "responsible_person"]
    list_editable = ["position"]


class ProjectInline(admin.TabularInline):
    model = Project
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(PlanCheckedAdmin):
    list_display = ["year", "kind", "document", "title", "issued_on", "due_day"]
    list_filter = ["year", "kind"]
    search_fields = ["document", "title"]
    inlines = [ProjectInline]
    actions = [copy_to_new_year]
    fieldsets = [
        (None, {"fields": ["year", "kind", "document", "title", "issuing_body", "issued_on", "source", "notes"]}),
        (_("期限与报送日历"), {"fields": ["start", "default_deadline", "validity_text", "due_day", "revision"]}),
        (_("亮灯规则"), {"fields": ["yellow_gap", "red_gap", "milestone_grace_months", "overshoot_confirm_percent"]}),
    ]
    readonly_fields = ["revision"]

    def plan_of(self, obj: Plan) -> Plan:
        return obj


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "text"]
    extra = 0
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(PlanCheckedAdmin):
    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    search_fields = ["title"]
    filter_horizontal = ["leaders"]
    inlines = [TaskInline]

    def plan_of(self, obj: Project) -> Plan:
        return obj.plan


class TaskUnitInline(admin.TabularInline):
    model = TaskUnit
    fields = ["unit", "role", "position"]
    autocomplete_fields = ["unit"]
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "name", "kind", "target", "unit_of_measure", "deadline", "deadline_text"]
    extra = 0
    show_change_link = True


class TaskUnitFilter(admin.SimpleListFilter):
    """Tasks in which a unit takes part, as lead or cooperating unit."""

    title = _("单位")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return [(u.pk, u.name) for u in Unit.objects.filter(task_roles__isnull=False).distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(task_units__unit_id=self.value()).distinct()
        return queryset


@admin.register(Task)
class TaskAdmin(PlanCheckedAdmin):
    list_display = ["code", "short_text", "project"]
    list_filter = ["project__plan", "project", TaskUnitFilter]
    search_fields = ["text", "task_units__unit__name"]
    list_select_related = ["project"]
    inlines = [TaskUnitInline, IndicatorInline]

    @admin.display(description=_("编号"), ordering="number")
    def code(self, obj: Task) -> str:
        return obj.code

    def plan_of(self, obj: Task) -> Plan:
        return obj.project.plan

    @admin.display(description=_("任务原文"))
    def short_text(self, obj: Task) -> str:
        return obj.text if len(obj.text) <= 60 else obj.text[:60] + "…"


class AssignmentFormSet(forms.BaseInlineFormSet):
    """Refuses a split of an additive target whose parts do not add up to it."""

    def clean(self) -> None:
        super().clean()
        indicator: Indicator = self.instance
        if not indicator.pk or not indicator.is_additive or indicator.target is None:
            return
        parts = [
            form.cleaned_data.get("target")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        message = allocation_mismatch(target=indicator.target, parts=parts, unit=indicator.unit_of_measure)
        if message:
            raise ValidationError(message)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    formset = AssignmentFormSet
    fields = ["unit", "target", "position"]
    autocomplete_fields = ["unit"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(PlanCheckedAdmin):
    list_display = ["code", "name", "kind", "target", "unit_of_measure", "frequency", "deadline", "aggregation"]
    list_filter = ["task__project__plan", "task__project", "kind", "frequency", "aggregation", "deadline"]
    search_fields = ["code", "name", "source_text"]
    list_select_related = ["task__project"]
    autocomplete_fields = ["parent"]
    inlines = [AssignmentInline]
    fieldsets = [
        (None, {"fields": ["task", "code", "position", "name", "kind", "source_text"]}),
        (
            _("目标"),
            {
                "fields": [
                    "target", "target_confirmed", "unit_of_measure", "direction", "tolerance", "parent",
                    "stock_target", "baseline", "base_year", "base_value", "base_unit", "base_text", "figure_unit",
                ]
            },
        ),
        (
            _("期限"),
            {"fields": ["start", "deadline", "deadline_text", "frequency", "planned_start", "monthly_plan", "stages"]},
        ),
        (_("汇总"), {"fields": ["aggregation", "rate_basis"]}),
    ]

    def plan_of(self, obj: Indicator) -> Plan:
        return obj.task.project.plan


# Accounts, groups, lockouts, login records and second-factor devices: projects/security/admin.py.
security_admin.register(admin.site)

# Last, once every admin (ours and the packages') is registered: each add, change and delete is audited.
audit_every_admin(admin.site)
