from django.urls import path

from . import views

app_name = "activities"
URL_PREFIX = "events/"

urlpatterns = [
    path("", views.calendar_list, name="calendar"),
    path("month/", views.calendar_month, name="month"),
    path("new/", views.event_create, name="create"),
    path("manage/", views.manage, name="manage"),
    path("mine/", views.my_registrations, name="mine"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/<int:year>/", views.compliance, name="compliance-year"),
    path("compliance/<int:year>/settings/", views.compliance_settings, name="compliance-settings"),
    path("calendar.ics", views.calendar_ics, name="feed"),
    path("calendar/<str:city_code>.ics", views.city_ics, name="feed-city"),
    path("feed/<str:token>.ics", views.personal_ics, name="feed-personal"),
    path("<int:pk>/", views.event_detail, name="event"),
    path("<int:pk>.ics", views.event_ics, name="event-ics"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/summary/", views.event_hold, name="hold"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/<str:action>/", views.event_action, name="action"),
    path("photos/<int:pk>/", views.event_photo, name="photo"),
    path("ticket/<str:token>/", views.ticket, name="ticket"),
    path("ticket/<str:token>/cancel/", views.ticket_cancel, name="ticket-cancel"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration-cancel"),
]
