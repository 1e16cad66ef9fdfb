from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "apps.imports"
    verbose_name = _("Imports")

    def ready(self):
        # Each domain app registers its import kinds in its resources.py (see registry.py).
        autodiscover_modules("resources")
