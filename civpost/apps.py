from django.apps import AppConfig


class CivpostConfig(AppConfig):
    name = "civpost"

    def ready(self):
        from django.db.models import fields

        from .forms import CHOOSE

        # Every select of a model field or a ModelChoiceField starts with 请选择 (Django 6.1's documented hook).
        fields.BLANK_CHOICE_LABEL = CHOOSE
