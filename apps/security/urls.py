from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/setup/", views.setup, name="setup"),
    path("accounts/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/two-factor/recovery-codes/renew/", views.renew_codes, name="renew_codes"),
    path("accounts/two-factor/disable/", views.disable, name="disable"),
    path("accounts/two-factor/verify/", views.verify, name="verify"),
    path("security/events/", views.events, name="events"),
]
