"""The audit page (审计日志): the audit administrator searches the trail, exports exactly the rows
found, and purges what is past the retention period. Each search, export and purge is recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_tables2 import RequestConfig
from django_tables2.export import ExportMixin, TableExport

from projects.audit.actions import AuditAction
from projects.audit.filters import AuditRecordFilter
from projects.audit.models import AuditRecord
from projects.audit.services import audit_export, audit_purge, audit_record, purge_limit
from projects.audit.tables import AuditRecordTable
from projects.views.dashboards import CsvWithBom

VIEW, EXPORT, PURGE = "projects.view_auditrecord", "projects.export_auditrecord", "projects.purge_auditrecord"


def _require(request: HttpRequest, perm: str) -> None:
    # Whoever may not read the trail does not learn that the page exists.
    if not request.user.has_perm(perm):
        raise Http404


class PurgeForm(forms.Form):
    before = forms.DateField(label=gettext_lazy("清理此日期之前的记录"), widget=forms.DateInput(attrs={"type": "date"}))


@method_decorator(login_required, name="dispatch")
class AuditListView(ExportMixin, TemplateView):
    template_name = "audit/list.html"
    export_class = CsvWithBom
    export_formats = (TableExport.CSV, TableExport.XLSX)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require(request, VIEW)
        self.filterset = AuditRecordFilter(request.GET, queryset=AuditRecord.objects.all())
        export_format = request.GET.get(self.export_trigger_param)
        if export_format in self.export_formats:
            _require(request, EXPORT)
            rows = self.filterset.qs
            table = AuditRecordTable(rows, order_by=request.GET.get("sort") or "-seq")
            response = self.export_class(export_format, table, dataset_kwargs={"title": "audit"}).response(
                # The trail's own time is real time (not the demo's clock): so is its export's name.
                f"audit-{timezone.localtime(timezone.now()):%Y%m%d}.{export_format}"
            )
            audit_export(
                request=request, what="audit", fmt=export_format, action=AuditAction.AUDIT_EXPORT,
                detail={"rows": rows.count()},
            )  # fmt: skip
            return response
        if request.GET.get("page", "1") == "1":
            # A search is recorded (before it runs, so that it lists itself), not each page of it.
            audit_record(action=AuditAction.AUDIT_VIEW, request=request, detail={"query": request.GET.dict()})
        self.table = AuditRecordTable(self.filterset.qs)
        RequestConfig(request, paginate={"per_page": 50}).configure(self.table)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("page", None)
        limit = timezone.localtime(purge_limit())
        exports = self.export_formats if self.request.user.has_perm(EXPORT) else ()
        context.update(
            filter=self.filterset,
            table=self.table,
            export_links=[(fmt.upper(), f"?{query.urlencode()}&{self.export_trigger_param}={fmt}") for fmt in exports],
            purge_form=PurgeForm(initial={"before": limit.date()}) if self.request.user.has_perm(PURGE) else None,
            retention_days=settings.AUDIT_RETENTION_DAYS,
            purge_limit=limit,
        )
        return context


@login_required
@require_POST
def audit_purge_view(request: HttpRequest) -> HttpResponse:
    _require(request, PURGE)
    form = PurgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择清理截止日期"))
        return redirect("audit_list")
    before = timezone.make_aware(dt.datetime.combine(form.cleaned_data["before"], dt.time.min))
    try:
        result = audit_purge(actor=request.user, before=before)
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        done = _("已清理 %(n)s 条 %(day)s 之前的审计记录；清理本身已记入审计日志")
        messages.success(request, done % {"n": result.deleted, "day": form.cleaned_data["before"]})
    return redirect("audit_list")
