from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The staff's landing page (待办): what waits on them across every app, so it sits above all of them."""

    name = "apps.workbench"
    verbose_name = _("Workbench")
