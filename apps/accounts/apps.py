from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from .sessions import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts.start_idle_clock")
