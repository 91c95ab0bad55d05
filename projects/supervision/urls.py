"""The supervision loop's pages, under /supervision/ (namespace ``supervision``)."""

from django.urls import path

from projects.supervision import registers, views

app_name = "supervision"

urlpatterns = [
    # The registers (督办台账).
    path("notices/", registers.NoticeRegisterView.as_view(), name="notices"),
    path("instructions/", registers.InstructionRegisterView.as_view(), name="instructions"),
    path("closeouts/", registers.CloseOutRegisterView.as_view(), name="closeouts"),
    # A supervision notice: signed for, answered, verified.
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
    path("notices/<int:pk>/answer/", views.notice_answer, name="notice_answer"),
    path("notices/<int:pk>/verify/", views.notice_verify, name="notice_verify"),
    # A leader's instruction, and each unit's part of it.
    path("instructions/new/", views.instruction_new, name="instruction_new"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction"),
    path("replies/<int:pk>/acknowledge/", views.reply_acknowledge, name="reply_acknowledge"),
    path("replies/<int:pk>/answer/", views.reply_answer, name="reply_answer"),
    path("replies/<int:pk>/verify/", views.reply_verify, name="reply_verify"),
    # Close-out (销号) and the year-end list.
    path("closeouts/apply/<int:indicator_pk>/", views.closeout_apply, name="closeout_apply"),
    path("closeouts/<int:pk>/", views.closeout_detail, name="closeout"),
    path("closeouts/<int:pk>/decide/", views.closeout_decide, name="closeout_decide"),
    path("closeouts/<int:pk>/reopen/", views.closeout_reopen, name="closeout_reopen"),
    path("closeouts/list.<str:fmt>", views.closeout_list_download, name="closeout_list"),
    # Evidence files of answers and close-outs.
    path("files/<int:pk>/", views.file_download, name="file"),
]
