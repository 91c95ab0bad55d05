import datetime as dt

from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from projects.audit import views as audit
from projects.calendar import parse_month
from projects.views import dashboards, home, inbox, plans, reporting, search, worklists


class MonthConverter:
    """``2022-06`` in a URL, a ``date`` (the month's first day) in the view."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        # ValueError for month 13 or a year no plan can have (0001): no match, a 404.
        return parse_month(value)

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value.year:04d}-{value.month:02d}"


register_converter(MonthConverter, "month")

urlpatterns = [
    path("", home.home, name="home"),
    # Dashboards (read-only): the office and leaders; a unit its own page, its alerts and the tasks it leads.
    path("dashboards/", dashboards.overview, name="overview"),
    path("dashboards/projects/<int:pk>/", dashboards.project_detail, name="project_detail"),
    path("dashboards/tasks/<int:pk>/", dashboards.task_detail, name="task_detail"),
    path("dashboards/indicators/<int:pk>/", dashboards.indicator_detail, name="indicator_detail"),
    path("dashboards/units/", dashboards.county_view, name="county_view"),
    path("dashboards/units/<int:pk>/", dashboards.unit_detail, name="unit_detail"),
    path("dashboards/lagging/", dashboards.LaggingListView.as_view(), name="lagging_list"),
    path("dashboards/overdue/", dashboards.OverdueListView.as_view(), name="overdue_list"),
    path("dashboards/missing/", dashboards.MissingListView.as_view(), name="missing_list"),
    path("dashboards/alerts/", dashboards.AlertListView.as_view(), name="alert_list"),
    path("dashboards/bulletin.<str:fmt>", dashboards.bulletin_download, name="bulletin_download"),
    # The in-app inbox of alerts, reminders and supervision notices.
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", inbox.message_open, name="message_open"),
    path("inbox/<int:pk>/read/", inbox.message_read, name="message_read"),
    path("inbox/<int:pk>/acknowledge/", inbox.message_ack, name="message_acknowledge"),
    # Where notices were shown before the loop: links in older messages and e-mails still lead there.
    path(
        "inbox/notices/<int:pk>/",
        RedirectView.as_view(pattern_name="supervision:notice", permanent=False),
        name="notice_detail",
    ),
    # Monthly reporting (the unit's month, the figure form, Excel) and review.
    path("report/", reporting.report_index, name="report_index"),
    path("report/<month:month>/", reporting.report_month, name="report_month"),
    path("report/<month:month>/indicator/<int:indicator_id>/", reporting.report_edit, name="report_edit"),
    path("report/<month:month>/excel/", reporting.report_template, name="report_template"),
    path("report/<month:month>/excel/upload/", reporting.report_import, name="report_import"),
    path("report/<month:month>/closure/", reporting.month_closure, name="month_closure"),
    path("submissions/<int:pk>/", reporting.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/review/", reporting.submission_review, name="submission_review"),
    path("submissions/<int:pk>/reopen/", reporting.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/evidence/", reporting.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", reporting.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/delete/", reporting.evidence_delete, name="evidence_delete"),
    path("review/", reporting.review_list, name="review_list"),
    # Worklists: a unit's still to do, a reviewer's queue; the header's search.
    path("todo/", worklists.todo, name="todo"),
    path("todo/submit/", worklists.todo_submit, name="todo_submit"),
    path("review/queue/", worklists.review_queue, name="review_queue"),
    path("review/queue/approve/", worklists.review_queue_approve, name="review_queue_approve"),
    path("search/", search.search, name="search"),
    path("review/export.xlsx", reporting.review_export, name="review_export"),
    # The office's plans: header, unit groups, tasks, indicators, the file, a copy into a new year.
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/groups/<int:group_pk>/", plans.plan_group, name="plan_group"),
    path("plans/<int:pk>/tasks/<int:task_pk>/", plans.plan_task, name="plan_task"),
    path("plans/<int:pk>/indicators/<int:indicator_pk>/", plans.plan_indicator, name="plan_indicator"),
    path("plans/<int:pk>/file/", plans.plan_file_view, name="plan_file"),
    path("plans/<int:pk>/confirm-targets/", plans.plan_confirm_targets, name="plan_confirm_targets"),
    path("plans/<int:pk>/copy/", plans.plan_copy_view, name="plan_copy"),
    # The supervision loop: notices, leaders' instructions, close-outs and their registers.
    path("supervision/", include("projects.supervision.urls")),
    # The audit trail: its administrator searches, exports and purges what is past retention.
    path("audit/", audit.AuditListView.as_view(), name="audit_list"),
    path("audit/purge/", audit.audit_purge_view, name="audit_purge"),
]
