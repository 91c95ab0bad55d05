from django.urls import path

from projects.views import home, inbox

urlpatterns = [
    path("", home.home, name="home"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.message_read, name="message_read"),
    path("inbox/<int:pk>/acknowledge/", inbox.message_ack, name="message_acknowledge"),
    path("inbox/notices/<int:pk>/", inbox.notice_detail, name="notice_detail"),
]
