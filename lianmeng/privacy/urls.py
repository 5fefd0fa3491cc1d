from django.urls import path

from . import views

app_name = "privacy"
URL_PREFIX = "privacy/"

urlpatterns = [
    path("", views.my_data, name="my-data"),
    path("my-data.zip", views.my_data_download, name="my-data-download"),
    path("erasures/", views.erasures, name="erasures"),
]
