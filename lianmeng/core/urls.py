from django.urls import path

from . import pickers, views

app_name = "core"
URL_PREFIX = ""

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("desk/", views.desk, name="desk"),
    path("audit/", views.audit_log, name="audit"),
    path("pick/<str:source>/", pickers.picker_view, name="picker"),
]
