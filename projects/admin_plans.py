"""The admin and the plans: an action that copies a plan into a new year (``services.plans.plan_copy``),
with a page that asks for the new year and document number, and the checks of ``load_plan`` on every
change to a plan's catalogue made in the admin (``PlanCheckedAdmin``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.audit.actions import AuditAction
from projects.audit.models import AuditResult
from projects.audit.services import audit_record
from projects.forms.plans import CopyForm
from projects.models import Plan
from projects.planfile import PlanFileError, check_plan_data
from projects.selectors.catalogue import plan_file_data
from projects.services.plans import plan_copy
from projects.services.progress import progress_rebuild


@admin.action(description=gettext_lazy("复制到新年度（目标待确认）"), permissions=["add"])
def copy_to_new_year(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, _("请只选择一个方案复制"), messages.ERROR)
        return None
    plan = queryset.get()
    form = CopyForm(request.POST if "apply" in request.POST else None, initial={"year": plan.year + 1})
    if form.is_valid():
        d = form.cleaned_data
        try:
            new = plan_copy(
                plan=plan, year=d["year"], document=d["document"].strip(), title=d["title"] or None, actor=request.user
            )
        except PlanFileError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            modeladmin.message_user(request, _("已复制为 %(plan)s；目标待督查室确认") % {"plan": new}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:projects_plan_change", args=[new.pk]))
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("复制到新年度"),
        "opts": modeladmin.model._meta,
        "plan": plan,
        "form": form,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/projects/plan/copy_to_new_year.html", context)


class _PlanRefused(Exception):
    """Raised inside the admin's transaction so that it rolls the whole change back."""

    def __init__(self, plan: Plan, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.plan, self.problems = plan, problems


class PlanCheckedAdmin(admin.ModelAdmin):
    """The admin's changes to a plan's catalogue (a plan, a project, a task, an indicator, with their
    inlines) are checked as ``load_plan`` checks a file: once saved in the admin's transaction, the
    plan is read back as its file and checked; any problem rolls the whole change back and is shown,
    named with its place, and the refusal is audited. A change that passes moves the plan's revision
    on (an edit form of the office's pages made before it is refused) and rebuilds its progress."""

    def plan_of(self, obj) -> Plan:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        plan = self.plan_of(form.instance)
        try:
            check_plan_data(plan_file_data(plan=plan))
        except PlanFileError as exc:
            # Leaving the admin's atomic block by an exception rolls back everything it saved; the
            # admin writes nothing more (no log entry, no message) in a transaction that is broken.
            raise _PlanRefused(plan, exc.problems) from exc
        Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
        progress_rebuild(plan=plan)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _PlanRefused as refused:
            problems = refused.problems
            audit_record(
                action=AuditAction.PLAN_EDIT,
                request=request,
                obj=refused.plan,
                result=AuditResult.FAILURE,
                detail={"what": "admin", "path": request.path, "problems": problems[:20]},
            )
            for problem in problems[:50]:
                self.message_user(request, problem, messages.ERROR)
            self.message_user(
                request, _("方案检查未通过（%(n)s 处问题），修改未保存") % {"n": len(problems)}, messages.ERROR
            )
            return HttpResponseRedirect(request.path)
