from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "apps.stats"
    verbose_name = _("Statistics")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.evaluations.models import Honor

        from .figures import new_posts_generation

        # Naming and revocation change the posts figures: start a new generation of those cache entries.
        post_save.connect(new_posts_generation, sender=Honor, dispatch_uid="stats_honor_saved")
        post_delete.connect(new_posts_generation, sender=Honor, dispatch_uid="stats_honor_deleted")
