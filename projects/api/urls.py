"""``/api/v1/``: the version is in the path; a later version gets its own module beside this one."""

from django.urls import path, re_path

from projects.api import views

app_name = "api"

urlpatterns = [
    path("plans/", views.PlanList.as_view(), name="plans"),
    # Any text matches, so that a malformed id gets the API's JSON 404, not the site's page.
    re_path(r"^plans/(?P<pk>[^/]+)/$", views.PlanDetail.as_view(), name="plan"),
    path("projects/", views.ProjectList.as_view(), name="projects"),
    path("tasks/", views.TaskList.as_view(), name="tasks"),
    path("indicators/", views.IndicatorList.as_view(), name="indicators"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("progress/city/", views.CityProgressList.as_view(), name="progress_city"),
    path("progress/units/", views.UnitProgressList.as_view(), name="progress_units"),
    path("alerts/", views.AlertList.as_view(), name="alerts"),
    path("notices/", views.NoticeList.as_view(), name="notices"),
    path("bulletin/", views.BulletinView.as_view(), name="bulletin"),
    path("figures/", views.FigureList.as_view(), name="figures"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.ReferenceView.as_view(), name="docs"),
]
