from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RechecksConfig(AppConfig):
    name = "apps.rechecks"
    verbose_name = _("Re-checks and revocation")

    def ready(self):
        from . import workflow  # noqa: F401  (ends the titles of a dissolved collective)
