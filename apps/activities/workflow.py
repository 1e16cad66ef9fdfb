"""Campaign reminders: the one step that asks a collective which has not reported on a campaign to report.

Staff who moderate the reports of the collective's committee (or one above it) remind it; a collective that has
reported by then is not reminded. The reminder is recorded on the collective and sent to its 号长.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit import labels
from apps.audit.models import record
from apps.audit.workflow import TransitionError
from apps.collectives.models import Collective
from apps.notifications.services import notify
from apps.organizations.enums import Action
from apps.organizations.scope import StaffScope

from .models import ActivityReport, Campaign


def may_remind(user, collective, campaign, scope=None):
    node = collective.registering_node
    return node.path.startswith(campaign.node.path) and (scope or StaffScope(user)).can(Action.MODERATE_REPORTS, node)


def remind(collective_pk, user, campaign_pk, comment=""):
    with transaction.atomic():
        collective = (
            Collective.objects.select_for_update(of=("self",)).select_related("registering_node", "leader_account").get(pk=collective_pk)
        )
        campaign = Campaign.objects.select_related("node").get(pk=campaign_pk)
        if not may_remind(user, collective, campaign):
            raise PermissionError("remind")
        if ActivityReport.objects.filter(campaign=campaign, collective=collective).exists():
            raise TransitionError(_("%(name)s has already reported on this campaign.") % {"name": collective.name})
        body = _("%(node)s asks every collective to report on the campaign by %(date)s.") % {"node": campaign.node.name, "date": campaign.ends_on}
        notify(
            [collective.leader_account],
            _("Reminder: %(campaign)s is waiting for your report") % {"campaign": campaign.title},
            "\n".join(filter(None, [body, comment.strip()])),
            "/my/",
        )
        record(collective, actor=user, action="remind", comment=campaign.title)
    return collective


labels.register(actions={"remind": gettext_lazy("Reminded to report on a campaign")})
