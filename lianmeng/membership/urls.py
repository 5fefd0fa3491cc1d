from django.urls import path

from . import views

app_name = "membership"
URL_PREFIX = "members/"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.organization_detail, name="organization"),
    path("<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("<int:pk>/<str:change>/", views.organization_status, name="organization-status"),
    path("apply/", views.apply, name="apply"),
    path("apply/check/<str:field>/", views.apply_check, name="apply-check"),
    path("apply/<str:token>/", views.application_track, name="application-track"),
    path("apply/<str:token>/letter/", views.application_letter_by_token, name="application-letter-token"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_review, name="application-review"),
    path("applications/<int:pk>/letter/", views.application_letter, name="application-letter"),
]
