from django.urls import path

from . import views

app_name = "library"
URL_PREFIX = "library/"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/new/", views.expert_form, name="expert-create"),
    path("experts/<int:pk>/", views.expert_detail, name="expert"),
    path("experts/<int:pk>/edit/", views.expert_form, name="expert-edit"),
    path("committee/", views.committee, name="committee"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/transition/", views.project_transition, name="project-transition"),
    path("projects/<int:pk>/landing/", views.project_landing, name="project-landing"),
    path("landed/", views.landed, name="landed"),
    path("landed/<str:code>/", views.landed_city, name="landed-city"),
    path("achievements/", views.achievement_list, name="achievements"),
    path("achievements/new/", views.achievement_form, name="achievement-create"),
    path("achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    path("achievements/<int:pk>/edit/", views.achievement_form, name="achievement-edit"),
    path("achievements/<int:pk>/showcase/", views.achievement_showcase, name="achievement-showcase"),
    path("achievements/<int:pk>/files/<int:file_id>/", views.achievement_file, name="achievement-file"),
    path("achievements/<int:pk>/citation.<str:fmt>", views.achievement_citation, name="achievement-citation"),
    path("showcase/", views.showcase, name="showcase"),
    path("showcase/<int:year>/", views.showcase, name="showcase-year"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation-create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation"),
    path(
        "consultations/<int:pk>/files/<int:file_id>/", views.consultation_attachment, name="consultation-file"
    ),
    path("import/<str:kind>/", views.import_page, name="import"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
]
