"""Whether a collective may apply in a round: every rule of domain.md §4 as a passed/failed check with its reason.

The 号长 sees these checks live on /my/; `workflow.submit` runs them again on the server.
"""

from django.db.models import Count
from django.utils.translation import gettext as _

from apps.activities.models import ActivityReport
from apps.collectives.models import Status
from apps.complaints.models import Complaint, Warning
from apps.collectives.rules import Check, check_composition

from .dates import shift_months
from .enums import HonorStatus
from .models import level_below
from .titles import LEVEL_TITLES


def check_eligibility(collective, round, honors=None, creation_registered=None, recent_reports=None, supervision=None):
    """`honors`, `creation_registered`, `recent_reports` and `supervision` may be passed in by list pages that fetched
    them in bulk."""
    reference = round.reference_date
    honors = list(collective.honors.all()) if honors is None else honors
    checks = [_in_scope(collective, round)]
    checks += check_composition(list(collective.members.all()), round.composition_rules(), reference)
    checks += [
        _aspiring_period(collective, round),
        _promises(collective),
        _not_already_named(honors, round),
    ]
    if round.lower_level_years and level_below(round.level):
        checks.append(_lower_level(honors, round))
    if round.revocation_bar_years:
        checks.append(_no_recent_revocation(honors, round))
    if supervision is None:
        supervision = supervision_counts([collective], round)[collective.pk]
    checks.append(_no_open_warning(supervision["open_warnings"]))
    if round.complaint_bar_months:
        checks.append(_no_upheld_complaint(supervision["upheld_complaints"], round))
    if round.min_recent_reports:
        if recent_reports is None:
            recent_reports = recent_report_counts([collective], round.reference_date)[collective.pk]
        checks.append(_recent_reports(recent_reports, round))
    if round.requires_creation_registration:
        if creation_registered is None:
            creation_registered = round.creation_registrations.filter(collective=collective).exists()
        checks.append(
            Check(
                _("Creation registration (创建备案)"),
                creation_registered,
                _("Registered for this round") if creation_registered else _("Not registered for this round"),
            )
        )
    return checks


def is_eligible(checks):
    return all(check.passed for check in checks)


def _in_scope(collective, round):
    inside = collective.status == Status.REGISTERED and collective.registering_node.path.startswith(round.node.path)
    return Check(
        _("Registered aspiring collective under %(node)s") % {"node": round.node.name},
        inside,
        collective.registering_node.name if inside else _("Not a registered aspiring collective of this committee"),
    )


def _aspiring_period(collective, round):
    months = round.aspiring_months
    since = collective.registered_on
    passed = since is not None and shift_months(since, months) <= round.reference_date
    return Check(
        _("At least %(months)s months as an aspiring collective") % {"months": months},
        passed,
        _("Registered on %(date)s") % {"date": since.isoformat()} if since else _("Not registered yet"),
    )


def _promises(collective):
    missing = []
    if not collective.promise_lines:
        missing.append(_("service promises"))
    if not collective.supervision_phone:
        missing.append(_("supervision phone"))
    if not collective.pledge_accepted_at:
        missing.append(_("credit pledge"))
    return Check(
        _("Promises, supervision phone and credit pledge published"),
        not missing,
        _("Missing: %(items)s") % {"items": "、".join(missing)} if missing else _("All published"),
    )


def _not_already_named(honors, round):
    held = [h for h in honors if h.status == HonorStatus.NAMED and h.level == round.level]
    return Check(
        _("Does not already hold this level"),
        not held,
        _("Holds %(title)s since %(year)s") % {"title": held[0].title, "year": held[0].year} if held else _("Not held"),
    )


def _lower_level(honors, round):
    lower = level_below(round.level)
    years = round.lower_level_years
    latest_start = shift_months(round.reference_date, -12 * years)
    held = [h for h in honors if h.status == HonorStatus.NAMED and h.level == lower]
    long_enough = [h for h in held if h.named_on <= latest_start]
    if long_enough:
        detail = _("Named on %(date)s") % {"date": long_enough[0].named_on.isoformat()}
    elif held:
        detail = _("Named on %(date)s: less than %(years)s years") % {"date": held[0].named_on.isoformat(), "years": years}
    else:
        detail = _("Not held")
    return Check(
        _("Has held the %(title)s for at least %(years)s years") % {"title": LEVEL_TITLES[lower], "years": years},
        bool(long_enough),
        detail,
    )


def recent_report_counts(collectives, reference_date):
    """{collective id: activity reports held in the 12 months up to the reference date}, hidden ones excluded."""
    counts = dict(
        ActivityReport.objects.filter(
            collective__in=collectives,
            flagged=False,
            held_on__gt=shift_months(reference_date, -12),
            held_on__lte=reference_date,
        )
        .values_list("collective_id")
        .annotate(n=Count("pk"))
    )
    return {collective.pk: counts.get(collective.pk, 0) for collective in collectives}


def supervision_counts(collectives, round):
    """{collective id: {"open_warnings": n, "upheld_complaints": n}}: open warnings and rectifications, and
    complaints upheld within the round's bar period before its reference date, in two queries."""
    since = shift_months(round.reference_date, -round.complaint_bar_months)
    warnings = dict(
        Warning.objects.open().filter(collective__in=collectives).values_list("collective_id").annotate(n=Count("pk"))
    )
    upheld = dict(
        Complaint.objects.upheld()
        .filter(collective__in=collectives, closed_at__date__gt=since)
        .values_list("collective_id")
        .annotate(n=Count("pk"))
    )
    return {c.pk: {"open_warnings": warnings.get(c.pk, 0), "upheld_complaints": upheld.get(c.pk, 0)} for c in collectives}


def _no_open_warning(count):
    return Check(
        _("No open warning or rectification"),
        not count,
        _("%(count)s open") % {"count": count} if count else _("None"),
    )


def _no_upheld_complaint(count, round):
    return Check(
        _("No complaint upheld in the last %(months)s months") % {"months": round.complaint_bar_months},
        not count,
        _("%(count)s upheld") % {"count": count} if count else _("None"),
    )


def _recent_reports(count, round):
    return Check(
        _("At least %(count)s activity reports in the last 12 months") % {"count": round.min_recent_reports},
        count >= round.min_recent_reports,
        _("%(count)s reports filed") % {"count": count},
    )


def _no_recent_revocation(honors, round):
    years = round.revocation_bar_years
    since = shift_months(round.reference_date, -12 * years)
    revoked = [h for h in honors if h.status == HonorStatus.REVOKED and h.revoked_on and h.revoked_on > since]
    return Check(
        _("No title revoked in the last %(years)s years") % {"years": years},
        not revoked,
        _("Revoked on %(date)s") % {"date": revoked[0].revoked_on.isoformat()} if revoked else _("None"),
    )

