from django.urls import path

from . import views

app_name = "research"
URL_PREFIX = "research/"

urlpatterns = [
    path("", views.index, name="index"),
    path("calls/new/", views.call_new, name="call-new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/propose/", views.proposal_new, name="proposal-new"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/files/<int:pk>/", views.proposal_file, name="proposal-file"),
    path("rounds/new/", views.round_new, name="round-new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/enter/", views.entry_new, name="entry-new"),
    path("rounds/<int:pk>/assignment/", views.assignment, name="assignment"),
    path("rounds/<int:pk>/assignment/jobs/<int:job>/", views.assignment_job, name="assignment-job"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/files/<int:pk>/", views.entry_file, name="entry-file"),
    path("reviews/", views.my_reviews, name="my-reviews"),
    path("reviews/start/<int:pk>/", views.review_start, name="review-start"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("results/", views.results, name="results"),
    path("results/<int:pk>/", views.result_detail, name="result"),
]
