from django.urls import path

from . import pickers, taskqueue_views, views

app_name = "core"
URL_PREFIX = ""

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("desk/", views.desk, name="desk"),
    path("audit/", views.audit_log, name="audit"),
    path("pick/<str:source>/", pickers.picker_view, name="picker"),
    path("tasks/", taskqueue_views.task_list, name="tasks"),
    path("tasks/<uuid:task_id>/retry/", taskqueue_views.task_retry, name="task-retry"),
    path("tasks/mail/<int:pk>/retry/", taskqueue_views.mail_retry, name="task-mail-retry"),
]
