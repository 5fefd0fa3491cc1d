from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
URL_PREFIX = "accounts/"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]
