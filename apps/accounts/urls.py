from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.password_reset, name="password_reset"),
    path("password_reset/sms/", views.password_reset_sms, name="password_reset_sms"),
    path("", include("django.contrib.auth.urls")),
]
