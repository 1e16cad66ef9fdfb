from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "apps.evaluations"
    verbose_name = _("Honour rounds")

    def ready(self):
        from . import receivers  # noqa: F401  (keeps each application's copy of its collective's committee)
