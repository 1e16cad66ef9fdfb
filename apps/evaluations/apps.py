from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "apps.evaluations"
    verbose_name = _("Honour rounds")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from apps.collectives.models import Collective
        from apps.organizations.models import Industry, Node, Region

        from . import public
        from .models import Application, Honor, Notice, Round
        from .public import application_changed, listed_data_changed

        # The public lists of notices are cached under a version these changes bump (public.py).
        for signal, event in ((post_save, "saved"), (post_delete, "deleted")):
            for model in (Notice, Round, Honor, Node):
                signal.connect(listed_data_changed, sender=model, dispatch_uid=f"notices_{model._meta.model_name}_{event}")
            signal.connect(application_changed, sender=Application, dispatch_uid=f"notices_application_{event}")
            # The named lists are cached under versions these changes bump (public.py).
            signal.connect(public.named_list_title_changed, sender=Honor, dispatch_uid=f"named_list_honor_{event}")
            signal.connect(public.named_list_round_changed, sender=Round, dispatch_uid=f"named_list_round_{event}")
            for model in (Node, Region, Industry):
                signal.connect(public.named_list_names_changed, sender=model, dispatch_uid=f"named_lists_{model._meta.model_name}_{event}")
        post_save.connect(public.named_list_collective_changed, sender=Collective, dispatch_uid="named_list_collective_saved")
        from . import receivers  # noqa: F401  (keeps each application's copy of its collective's committee)
