from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "apps.directory"
    verbose_name = _("Public directory and open data")

    def ready(self):
        from . import signals  # noqa: F401  (keeps Collective.latest_named_on and the count cache in step)
