from django.urls import path

from . import views, views_decisions

app_name = "governance"
URL_PREFIX = "governance/"

urlpatterns = [
    path("", views.index, name="index"),
    path("presidency/", views.presidency, name="presidency"),
    path("presidency/handover/", views.handover, name="handover"),
    path("presidency/handover/motion/", views_decisions.handover_motion, name="handover-motion"),
    path("charter/", views_decisions.charter, name="charter"),
    path("presidency/change/", views.rotation_change, name="rotation-change"),
    path("council/", views.council, name="council"),
    path("council/seats/<int:pk>/", views.seat_detail, name="seat"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/papers/<int:paper_id>/", views.meeting_paper, name="meeting-paper"),
    path("motions/", views.motion_list, name="motions"),
    path("motions/new/", views.motion_new, name="motion-new"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("motions/<int:pk>/<str:action>/", views.motion_action, name="motion-action"),
    path("resolutions/", views.resolution_list, name="resolutions"),
    path("resolutions/<int:pk>/", views.resolution_detail, name="resolution"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_id>/", views.notice_attachment, name="notice-attachment"
    ),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("settings/", views.settings_view, name="settings"),
]
