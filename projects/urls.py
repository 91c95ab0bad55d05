import datetime as dt

from django.urls import path, register_converter

from projects.views import home, reporting


class MonthConverter:
    """``2022-06`` in a URL, a ``date`` (the month's first day) in the view."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)  # ValueError for month 13: no match, a 404

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

urlpatterns = [
    path("", home.home, name="home"),
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
    path("review/export.xlsx", reporting.review_export, name="review_export"),
]
