from django.urls import path

from . import views

app_name = "reporting"
URL_PREFIX = "reports/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("city/<str:code>/", views.city, name="city"),
    path("<int:year>/annual.pdf", views.annual_pdf, name="annual-pdf"),
    path("<int:year>/annual.xlsx", views.annual_xlsx, name="annual-xlsx"),
    path("<int:year>/annual-<str:kind>/status/", views.annual_status, name="annual-status"),
]
