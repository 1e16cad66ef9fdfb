from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "apps.stats"
    verbose_name = _("Statistics")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.organizations.models import Node, Region

        from .figures import committees_changed

        # The cached public pages show committees' and regions' names (figures.py, "How it stays fresh").
        for signal, event in ((post_save, "saved"), (post_delete, "deleted")):
            for model in (Node, Region):
                signal.connect(committees_changed, sender=model, dispatch_uid=f"stats_{model._meta.model_name}_{event}")
