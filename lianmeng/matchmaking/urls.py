from django.urls import path

from . import views

app_name = "matchmaking"
URL_PREFIX = "resources/"

urlpatterns = [
    path("", views.market, name="market"),
    path("new/", views.resource_new, name="resource-new"),
    path("sessions/<int:event_id>/", views.session_page, name="session"),
    path("<int:pk>/", views.resource_detail, name="resource"),
    path("<int:pk>/edit/", views.resource_edit, name="resource-edit"),
    path("<int:pk>/request/", views.resource_request, name="resource-request"),
    path("<int:pk>/<str:action>/", views.resource_status, name="resource-status"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/meeting/", views.request_meeting, name="request-meeting"),
    path("requests/<int:pk>/outcome/", views.request_outcome, name="request-outcome"),
    path("requests/<int:pk>/slots/", views.request_slot, name="request-slot"),
    path("requests/<int:pk>/slots/<int:slot_pk>/cancel/", views.slot_cancel, name="slot-cancel"),
    path("requests/<int:pk>/<str:action>/", views.request_answer, name="request-answer"),
]
