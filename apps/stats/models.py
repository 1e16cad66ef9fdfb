from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """The statistics of one committee's subtree as last computed (`figures.refresh`): what its pages show."""

    node = models.OneToOneField("organizations.Node", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("committee"))
    computed_at = models.DateTimeField(_("computed at"))
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")

    def __str__(self):
        return f"{self.node_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
