from django.urls import path

from projects.views import dashboards, home, inbox

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
    # The in-app inbox of alerts, reminders and supervision notices.
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.message_read, name="message_read"),
    path("inbox/<int:pk>/acknowledge/", inbox.message_ack, name="message_acknowledge"),
    path("inbox/notices/<int:pk>/", inbox.notice_detail, name="notice_detail"),
]
