from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "apps.organizations"
    verbose_name = _("Committees")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Region
        from .regions import forget_list

        post_save.connect(forget_list, sender=Region, dispatch_uid="regions_list_saved")
        post_delete.connect(forget_list, sender=Region, dispatch_uid="regions_list_deleted")
