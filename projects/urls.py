from django.urls import path

from projects.views import dashboards, home

urlpatterns = [
    path("", home.home, name="home"),
    # Dashboards (read-only): the office and leaders; a unit its own page and the tasks it leads.
    path("dashboards/", dashboards.overview, name="overview"),
    path("dashboards/projects/<int:pk>/", dashboards.project_detail, name="project_detail"),
    path("dashboards/tasks/<int:pk>/", dashboards.task_detail, name="task_detail"),
    path("dashboards/indicators/<int:pk>/", dashboards.indicator_detail, name="indicator_detail"),
    path("dashboards/units/", dashboards.county_view, name="county_view"),
    path("dashboards/units/<int:pk>/", dashboards.unit_detail, name="unit_detail"),
    path("dashboards/lagging/", dashboards.LaggingListView.as_view(), name="lagging_list"),
    path("dashboards/overdue/", dashboards.OverdueListView.as_view(), name="overdue_list"),
    path("dashboards/missing/", dashboards.MissingListView.as_view(), name="missing_list"),
    path("dashboards/bulletin.<str:fmt>", dashboards.bulletin_download, name="bulletin_download"),
]
