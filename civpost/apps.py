from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class CivpostConfig(AppConfig):
    name = "civpost"

    def ready(self):
        from django.db.models import fields

        from .forms import CHOOSE

        # Every select of a model field or a ModelChoiceField starts with 请选择 (Django 6.1's documented hook).
        fields.BLANK_CHOICE_LABEL = CHOOSE
        checks.register(pdf_font_check)


def pdf_font_check(app_configs, **kwargs):
    """Every PDF embeds settings.PDF_FONT (civpost/pdf.py): say so at deployment, not at the first certificate."""
    if Path(settings.PDF_FONT).is_file():
        return []
    return [
        checks.Error(
            f"PDF_FONT {settings.PDF_FONT} does not exist: certificates, posters and forms cannot be printed.",
            hint="Install Debian's fonts-wqy-microhei (make install does) or set PDF_FONT to a TrueType CJK font.",
            id="civpost.E001",
        )
    ]
