from django.urls import path

from governance import consultation_views, views

app_name = "governance"

urlpatterns = [
    path("", views.body_list, name="body_list"),
    path("decision-matrix/", views.decision_matrix, name="decision_matrix"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/notice/", views.meeting_notice, name="meeting_notice"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/publish/", views.minutes_publish, name="minutes_publish"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:pk>/board-pack.pdf", views.board_pack_pdf, name="board_pack_pdf"),
    path("meetings/<int:pk>/render/<str:kind>/", views.document_render, name="document_render"),
    path("renderings/<int:pk>/", views.document_run_detail, name="document_run_detail"),
    path("renderings/<int:pk>/status/", views.document_run_status, name="document_run_status"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_update, name="case_update"),
    path("cases/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/decision/", views.decision_record, name="decision_record"),
    path("cases/<int:pk>/roll-call/", views.decision_roll_call, name="decision_roll_call"),
    path("news/", views.news, name="news"),
    path("news/new/", views.announcement_create, name="announcement_create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("consultations/", consultation_views.consultation_list, name="consultation_list"),
    path("consultations/new/", consultation_views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", consultation_views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/answer/", consultation_views.consultation_answer, name="consultation_answer"),
    path(
        "consultations/<int:pk>/versions/new/",
        consultation_views.consultation_version_add,
        name="consultation_version_add",
    ),
    path("consultations/<int:pk>/close/", consultation_views.consultation_close, name="consultation_close"),
    path(
        "consultations/<int:pk>/summary.pdf",
        consultation_views.consultation_summary_pdf,
        name="consultation_summary_pdf",
    ),
    path(
        "consultation-versions/<int:pk>.pdf",
        consultation_views.consultation_version_pdf,
        name="consultation_version_pdf",
    ),
    path(
        "consultation-answers/<int:pk>.pdf", consultation_views.consultation_answer_pdf, name="consultation_answer_pdf"
    ),
]
