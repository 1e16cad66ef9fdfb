"""The honour workflow: the one place that declares the states, the transitions out of each, who may
perform each, what each checks, and what each records and notifies (domain.md §5.3–5.7).

Application:
    draft/returned ──submit──▶ pending@node ──recommend──▶ pending@parent … ──recommend──▶ review
                                 │  ├─return──▶ returned            (the last node below the round's)
                                 │  └─decline─▶ declined
    review ──publish notice──▶ notice (proposed) | not_selected (the rest, and those still pending at a committee)
    notice ──objection upheld──▶ withdrawn
    notice ──name──▶ named (an Honor with its certificate number)

Round:  draft ──open──▶ open ──close──▶ review ──publish notice──▶ notice ──name──▶ named
                          └─extend (a later closing date; the reference date stays)

Inspection (现场考核, planned by the round's admins on an application in review or on notice):
    planned ──record findings (the team lead)──▶ visited ──conclude (the round's admins)──▶ concluded
    planned | visited ──cancel (the round's admins)──▶ cancelled


Special recommendation (特别推荐), a step of a round open or in review: an admin of a committee on a collective's
way up recommends it with a reason and material, outside the normal path; the application starts at the step
after that committee (pending@parent, or review) and climbs the same chain, within the round's special quota.
Sent back and submitted again, it starts at the committee that made it.

The national cycle: a filing round (创建备案, odd years)  draft ──open──▶ filing ──close_filing──▶ filed; in `filing`
its collectives' 号长 file (file_creation_registration). The naming round linked to it (认定, even years) accepts
only the collectives filed in it, or specially recommended.

ROUND_STEPS, APPLICATION_STEPS and INSPECTION_STEPS at the end declare, step by step, who may take it, in which states, with which
form: pages show a button when `may` says so, views answer 403 when the permission is missing, and every function
here asks the same table again on the locked row (permission first, then state). Every function writes the
audit record in the same transaction and notifies after commit. Views call these; they never set a state.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.audit import labels
from apps.audit import workflow as audit
from apps.audit.models import record
from apps.audit.workflow import TransitionError, change_state
from apps.notifications.services import notify
from apps.organizations.enums import Action, NodeKind
from apps.organizations.models import Membership, Node, NumberSequence
from apps.organizations.scope import StaffScope, may_manage

from .actions import ROUND_STAGE_REFUSAL, Step, Steps
from .dates import add_working_days
from .eligibility import check_eligibility, is_eligible
from .enums import LEVEL_CODES, AppStatus, InspectionStatus, ObjectionStatus, RoundStage
from . import selection
from .forms import (
    AssignForm,
    BulkAssignForm,
    ConfirmForm,
    ExtendWindowForm,
    CancelInspectionForm,
    ConcludeInspectionForm,
    InspectionFindingsForm,
    PlanInspectionForm,
    NameForm,
    ProposeFilteredForm,
    ProposeForm,
    ProposeTopForm,
    RecommendForm,
    SendBackForm,
    SpecialRecommendationForm,
)
from .models import LEVEL_ORDER, Application, Attachment, CreationRegistration, Honor, Inspection, Notice, Objection, ReviewAssignment, Round
from apps.accounts.models import User
from .queries import eligible_experts, inspectors
from .signals import inspection_requires_rectification




# Who may do what (the permissions of the step tables at the end) ---------------------------------------


def is_round_admin(user, round, scope=None):
    return may_manage(user, round.node, scope)


def is_application_round_admin(user, application, scope=None):
    return is_round_admin(user, application.round, scope)


def may_recommend(user, application, scope=None):
    """Staff of the committees on the application's way up; while it waits on one, only that committee's."""
    scope = scope or StaffScope(user)
    if application.current_node_id:
        return scope.acts_at(Action.RECOMMEND, application.current_node)
    nodes = chain(application.collective.registering_node, application.round.node)
    return any(scope.acts_at(Action.RECOMMEND, node) for node in nodes)


def may_recommend_specially(user, round, scope=None):
    """The round's admins, and the admins of the committees below its committee (a county's in a city's round)."""
    scope = scope or StaffScope(user)
    below = any(node.path.startswith(round.node.path) for node in scope.root_nodes(Action.MANAGE_NODE))
    return below or is_round_admin(user, round, scope)


def special_recommending_node(user, collective, round, scope=None):
    """The committee a special recommendation comes from: the lowest on the collective's way up the user
    administers, or the round's own for its admins; None when the collective is outside the user's committees."""
    scope = scope or StaffScope(user)
    for node in chain(collective.registering_node, round.node):
        if scope.acts_at(Action.MANAGE_NODE, node):
            return node
    return round.node if is_round_admin(user, round, scope) else None


def is_leader(user, application, scope=None):
    return application.collective.leader_account_id == user.pk


def may(user, subject, step, scope=None):
    """May the user take this step on this round or application now? Pages ask it for each button."""
    return STEPS[type(subject)].may(user, subject, step, scope)


def chain(registering_node, round_node):
    """The nodes that recommend in turn, from the registering node up to (not including) the round's node.

    An industry unit stands in for the whole regional chain: it alone recommends to the round's node.
    """
    if registering_node.pk == round_node.pk:
        return []
    if registering_node.kind == NodeKind.INDUSTRY_UNIT:
        return [registering_node]
    ancestors = list(Node.objects.get_ancestors(registering_node)) + [registering_node]
    below_round = [node for node in ancestors if len(node.path) > len(round_node.path)]
    return list(reversed(below_round))


def _next_node(application):
    nodes = chain(application.collective.registering_node, application.round.node)
    if application.current_node is None:
        return nodes[0] if nodes else None
    index = [node.pk for node in nodes].index(application.current_node_id)
    return nodes[index + 1] if index + 1 < len(nodes) else None


def _first_node(application):
    """Where a submitted application starts its climb: its registering committee. A special recommendation sent back
    and submitted again goes back to the committee that made it, which decides again: the committees below it never
    spoke for it (at the round's own committee: straight into its review)."""
    if application.special_by_id:
        return None if application.special_by_id == application.round.node_id else application.special_by
    application.current_node = None
    return _next_node(application)


# Application transitions ---------------------------------------------------------------------


def _locked(application_pk):
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round__node", "collective__registering_node", "collective__leader_account", "current_node")
        .get(pk=application_pk)
    )


def submit(application_pk, user):
    with transaction.atomic():
        application = _locked(application_pk)
        APPLICATION_STEPS.require(user, application, "submit")
        round = application.round
        if not round.accepts_applications():
            raise TransitionError(_("The application window of this round is closed."))
        problems = submission_problems(application)
        if problems:
            raise TransitionError(" ".join(problems))
        application.current_node = _first_node(application)
        application.submitted_at = timezone.now()
        change_state(application, user, "submit", AppStatus.PENDING if application.current_node else AppStatus.REVIEW)
        target = application.current_node or round.node
        _notify_node(target, application, _("A new application is waiting for your committee: %(name)s"))
    return application


def submission_problems(application):
    problems = []
    if not is_eligible(check_eligibility(application.collective, application.round, application.is_special)):
        problems.append(_("The collective does not meet every eligibility rule of this round."))
    if not application.deeds.strip():
        problems.append(_("Describe the collective's deeds."))
    items = list(application.round.rubric_items.all())
    if any(str(item.pk) not in application.self_assessment for item in items):
        problems.append(_("Assess the collective against every rubric item."))
    return problems


def recommend(application_pk, user, rank, comment=""):
    with transaction.atomic():
        application = _locked(application_pk)
        APPLICATION_STEPS.require(user, application, "recommend")
        node = application.current_node
        application.recommendations.create(node=node, decision="recommend", rank=rank, comment=comment, actor=user)
        application.current_node = _next_node(application)
        to_state = AppStatus.PENDING if application.current_node else AppStatus.REVIEW
        change_state(application, user, "recommend", to_state, comment)
        _notify_leader(application, _("%(node)s recommended your application") % {"node": node.name})
        _notify_node(application.current_node or application.round.node, application, _("A new application is waiting for your committee: %(name)s"))
    return application


def send_back(application_pk, user, decision, comment):
    """Return for revision or decline: both end the climb at this node, with a comment."""
    with transaction.atomic():
        application = _locked(application_pk)
        APPLICATION_STEPS.require(user, application, "send_back")
        comment = comment.strip()
        if not comment:
            raise TransitionError(_("Please give the reason in a comment."))
        node = application.current_node
        application.recommendations.create(node=node, decision=decision, comment=comment, actor=user)
        application.current_node = None
        to_state = AppStatus.RETURNED if decision == "return" else AppStatus.DECLINED
        change_state(application, user, decision, to_state, comment)
        _notify_leader(application, _("%(node)s: %(decision)s") % {"node": node.name, "decision": to_state.label}, comment)
    return application


# Expert review ---------------------------------------------------------------------------------


def conflict_of_interest(expert, application):
    """An expert may not score a collective they lead or one registered with a committee they work for."""
    return has_conflict(expert.pk, application, experts_nodes([expert.pk]))


def experts_nodes(expert_pks):
    """{expert pk: the nodes they work for now}, in one query: what `has_conflict` checks applications against."""
    nodes = {pk: set() for pk in expert_pks}
    for user_id, node_id in Membership.objects.current().filter(user__in=expert_pks).values_list("user_id", "node_id"):
        nodes[user_id].add(node_id)
    return nodes


def has_conflict(expert_pk, application, nodes):
    collective = application.collective
    return collective.leader_account_id == expert_pk or collective.registering_node_id in nodes[expert_pk]


def assign(application_pk, user, experts):
    with transaction.atomic():
        application = _locked(application_pk)
        APPLICATION_STEPS.require(user, application, "assign")
        allowed = set(eligible_experts(application.round).values_list("user_id", flat=True))
        created = []
        for expert in experts:
            if expert.pk not in allowed:
                raise TransitionError(_("%(name)s is not an expert reviewer of this round.") % {"name": expert.get_full_name()})
            if conflict_of_interest(expert, application):
                raise TransitionError(
                    _("%(name)s has a conflict of interest with this collective and cannot review it.")
                    % {"name": expert.get_full_name()}
                )
            assignment, new = ReviewAssignment.objects.get_or_create(
                application=application, expert=expert, defaults={"assigned_by": user, "round_id": application.round_id}
            )
            if new:
                created.append(expert)
        if created:
            selection.refresh_scores(Application.objects.filter(pk=application.pk))
            names = "、".join(e.get_full_name() or e.username for e in created)
            record(application, actor=user, action="assign", comment=names)
            notify(created, _("You have an application to review: %(name)s") % {"name": application.collective.name}, url="/workbench/reviews/")
    return created


def submit_scores(assignment_pk, user, scores, comment):
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update(of=("self",)).select_related("application__round").get(pk=assignment_pk)
        application = assignment.application
        if assignment.expert_id != user.pk:
            raise PermissionError("score")
        if assignment.submitted_at or assignment.conflict_declared:
            raise TransitionError(_("This review has already been submitted."))
        _refuse_if_review_over(application)
        if conflict_of_interest(user, application):
            raise TransitionError(_("You have a conflict of interest with this collective and cannot review it."))
        items = {str(item.pk): item for item in application.round.rubric_items.all()}
        if set(scores) != set(items) or any(not 0 <= scores[k] <= items[k].max_points for k in items):
            raise TransitionError(_("Score every rubric item within its maximum."))
        assignment.scores = scores
        assignment.score_total = sum(scores.values())
        assignment.comment = comment
        assignment.submitted_at = timezone.now()
        assignment.save()
        selection.refresh_scores(Application.objects.filter(pk=application.pk))
        record(application, actor=user, action="score", comment=_("Total %(total)s") % {"total": sum(scores.values())})
    return assignment


def _refuse_if_review_over(application):
    """Experts score (or step aside) as applications reach the round's committee, until the notice is published."""
    if application.status != AppStatus.REVIEW or application.round.stage not in (RoundStage.OPEN, RoundStage.REVIEW):
        raise TransitionError(_("The review of this application has ended."))


def declare_conflict(assignment_pk, user, comment):
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update(of=("self",)).select_related("application__round").get(pk=assignment_pk)
        if assignment.expert_id != user.pk:
            raise PermissionError("declare")
        if assignment.submitted_at or assignment.conflict_declared:
            raise TransitionError(_("This review has already been submitted."))
        _refuse_if_review_over(assignment.application)
        assignment.conflict_declared = True
        assignment.comment = comment
        assignment.save()
        selection.refresh_scores(Application.objects.filter(pk=assignment.application_id))
        record(assignment.application, actor=user, action="conflict", comment=comment)


# On-site inspection (现场考核) -------------------------------------------------------------------------
# The lead may correct the findings until the committee concludes. A conclusion that the collective must rectify is
# recorded on the inspection (rectification_needed) and announced: the re-checks app orders the rectification in the
# same transaction (signals.inspection_requires_rectification).


def is_inspection_round_admin(user, inspection, scope=None):
    return is_round_admin(user, inspection.round, scope)


def is_inspection_lead(user, inspection, scope=None):
    return inspection.lead_id == user.pk


def may_see_inspection(user, inspection, scope=None):
    """Its team and the round's admins."""
    return is_inspection_round_admin(user, inspection, scope) or inspection.team.filter(pk=user.pk).exists()


def plan_inspection(application_pk, user, planned_on, team, lead):
    with transaction.atomic():
        application = _locked(application_pk)
        APPLICATION_STEPS.require(user, application, "inspect")
        allowed = set(inspectors(application.round).values_list("user_id", flat=True))
        nodes = experts_nodes([person.pk for person in team])
        for person in team:
            if person.pk not in allowed:
                raise TransitionError(_("%(name)s is neither an expert nor staff of this round's committees.") % {"name": person.get_full_name()})
            if has_conflict(person.pk, application, nodes):
                raise TransitionError(
                    _("%(name)s has a conflict of interest with this collective and cannot inspect it.") % {"name": person.get_full_name()}
                )
        if lead not in team:
            raise TransitionError(_("The lead must be one of the team."))
        inspection = Inspection.objects.create(application=application, planned_on=planned_on, lead=lead, recorded_by=user)
        inspection.team.set(team)
        names = "、".join(person.get_full_name() or person.username for person in team)
        record(inspection, actor=user, action="plan", to_state=InspectionStatus.PLANNED, comment=names)
        record(application, actor=user, action="plan", comment=_("Planned for %(date)s: %(team)s") % {"date": planned_on.isoformat(), "team": names})
        notify(
            team,
            _("On-site inspection of %(name)s on %(date)s") % {"name": application.collective.name, "date": planned_on.isoformat()},
            url=inspection.get_absolute_url(),
        )
    return inspection


def _locked_inspection(inspection_pk):
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("application__round__node", "application__collective")
        .get(pk=inspection_pk)
    )


def record_findings(inspection_pk, user, inspected_on, findings, score):
    with transaction.atomic():
        inspection = _locked_inspection(inspection_pk)
        INSPECTION_STEPS.require(user, inspection, "record")
        findings = findings.strip()
        if not findings:
            raise TransitionError(_("Write the findings."))
        before = {"inspected_on": inspection.inspected_on, "score": inspection.score}
        inspection.inspected_on, inspection.findings, inspection.score = inspected_on, findings, score
        changes = {field: (old, getattr(inspection, field)) for field, old in before.items() if old != getattr(inspection, field)}
        change_state(inspection, user, "record", InspectionStatus.VISITED, findings, changes=changes)
        notify(
            Membership.objects.staff_at(inspection.round.node, Action.MANAGE_NODE),
            _("Inspection findings recorded: %(name)s") % {"name": inspection.application.collective.name},
            url=inspection.get_absolute_url(),
        )
    return inspection


def conclude_inspection(inspection_pk, user, conclusion, rectification_needed):
    return _end_inspection(inspection_pk, user, "conclude", conclusion, rectification_needed)


def cancel_inspection(inspection_pk, user, reason):
    return _end_inspection(inspection_pk, user, "cancel", reason)


def _end_inspection(inspection_pk, user, step, reason, rectification_needed=False):
    """The round's admins conclude (the reason is the conclusion) or cancel, with the reason told to the team."""
    with transaction.atomic():
        inspection = _locked_inspection(inspection_pk)
        INSPECTION_STEPS.require(user, inspection, step)
        reason = reason.strip()
        if not reason:
            raise TransitionError(_("Please give the reason for the decision."))
        changes = None
        if step == "conclude":
            inspection.conclusion, inspection.rectification_needed = reason, rectification_needed
            changes = {"rectification_needed": (False, True)} if rectification_needed else None
        to_state, subject = {
            "conclude": (InspectionStatus.CONCLUDED, _("Inspection concluded: %(name)s")),
            "cancel": (InspectionStatus.CANCELLED, _("Inspection cancelled: %(name)s")),
        }[step]
        change_state(inspection, user, step, to_state, reason, changes=changes)
        if inspection.rectification_needed:
            inspection_requires_rectification.send(sender=Inspection, inspection=inspection, user=user)
        notify(list(inspection.team.all()), subject % {"name": inspection.application.collective.name}, reason, inspection.get_absolute_url())
    return inspection


# Special recommendation (特别推荐) ------------------------------------------------------------------------


def special_quota_problems(round):
    """What keeps a committee from recommending specially: no quota, or the quota used (declined ones free theirs)."""
    if not round.special_quota:
        return [_("This round takes no special recommendation.")]
    used = round.applications.filter(special_by__isnull=False).exclude(status=AppStatus.DECLINED).count()
    if used >= round.special_quota:
        return [_("The %(quota)s special recommendations of this round are used.") % {"quota": round.special_quota}]
    return []


def recommend_specially(round_pk, user, collective, reason, material, material_type):
    """A committee admin recommends a collective outside the normal path: the round's relaxed rules, the reason and
    the material; recorded as that committee's recommendation, the application then climbs the same chain."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "special_recommend")
        ROUND_STEPS.refuse_if_blocked(round, "special_recommend")
        node = special_recommending_node(user, collective, round)
        if node is None:
            raise TransitionError(_("This collective is not registered under a committee you administer."))
        if not is_eligible(check_eligibility(collective, round, special=True)):
            raise TransitionError(_("The collective does not meet the rules of this round that a special recommendation must still meet."))
        application, _created = Application.objects.select_for_update(of=("self",)).get_or_create(round=round, collective=collective)
        if application.status not in AppStatus.editable():
            raise TransitionError(_("This collective already has an application in this round."))
        application.special_by, application.special_reason = node, reason
        application.deeds = application.deeds or reason
        application.submitted_at = timezone.now()
        application.current_node = None
        if node.pk != round.node_id:
            application.recommendations.create(node=node, decision="recommend", comment=reason, actor=user)
            application.current_node = node
            application.current_node = _next_node(application)
        Attachment.store(application, material, material_type)
        change_state(application, user, "special_recommend", AppStatus.PENDING if application.current_node else AppStatus.REVIEW, reason)
        _notify_leader(application, _("%(node)s specially recommended your collective in %(round)s") % {"node": node.name, "round": round.title})
        _notify_node(application.current_node or round.node, application, _("A special recommendation is waiting for your committee: %(name)s"))
    return application


# The national cycle: creation registration (创建备案) --------------------------------------------------------


def file_creation_registration(round_pk, user, collective):
    """The 号长 files the collective's intent in a filing round, while its window is open."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        if collective.leader_account_id != user.pk:
            raise PermissionError("file")
        if not round.accepts_creation_registration():
            raise TransitionError(_("Creation registration for this round is not open."))
        if collective.status != "registered" or not collective.registering_node.path.startswith(round.node.path):
            raise TransitionError(_("Creation registration for this round is not open to this collective."))
        _registration, created = CreationRegistration.objects.get_or_create(round=round, collective=collective)
        if created:
            record(collective, actor=user, action="creation_registration", comment=round.title)
            notify([user], _("%(name)s is filed in %(round)s") % {"name": collective.name, "round": round.title}, url="/my/")
    return created


def close_filing(round_pk, user):
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "close_filing")
        filed = round.creation_registrations.count()
        _change_round(round, user, "close_filing", RoundStage.FILED, _("%(count)s collectives filed") % {"count": filed})
        # The 号长 of every filed collective learn that the filing stands: they apply in the naming round.
        leaders = User.objects.filter(pk__in=round.creation_registrations.values("collective__leader_account"))
        notify(leaders, _("Creation registration in %(round)s is closed; your collective is filed.") % {"round": round.title}, url="/my/")
    return round


# Round transitions -----------------------------------------------------------------------------


def _locked_round(round_pk):
    return Round.objects.select_for_update(of=("self",)).select_related("node").get(pk=round_pk)


def _change_round(round, user, action, to_stage, comment="", changes=None):
    change_state(round, user, action, to_stage, comment, field="stage", changes=changes, update_fields=["stage"])


def open_round(round_pk, user):
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "open")
        ROUND_STEPS.refuse_if_blocked(round, "open")
        # A filing round (创建备案) opens its filing window; a naming round, its applications.
        _change_round(round, user, "open", RoundStage.FILING if round.is_filing else RoundStage.OPEN)
    return round


def close_applications(round_pk, user):
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "close")
        _change_round(round, user, "close", RoundStage.REVIEW)
    return round


def extend_application_window(round_pk, user, application_closes, reason):
    """Let applications in for longer. The reference date stays: eligibility already computed does not change."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "extend")
        if application_closes <= round.application_closes:
            raise TransitionError(
                _("The new closing date must be after %(date)s.") % {"date": round.application_closes.isoformat()}
            )
        if round.recommendation_closes and application_closes >= round.recommendation_closes:
            raise TransitionError(
                _("Applications must close before recommendations close (%(date)s).")
                % {"date": round.recommendation_closes.isoformat()}
            )
        reason = reason.strip()
        if not reason:
            raise TransitionError(_("Please give the reason for the decision."))
        changes = {"application_closes": (round.application_closes, application_closes)}
        round.application_closes = application_closes
        round.save(update_fields=["application_closes"])
        record(round, actor=user, action="extend", comment=reason, changes=changes)
    return round


def propose(round_pk, user, application, proposed, star_grade):
    """One row of the proposed list (拟命名名单): on it or off it, with its star grade; publishing checks quotas."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "propose")
        application = round.applications.select_for_update(of=("self",)).filter(pk=application.pk, status=AppStatus.REVIEW).first()
        if application is None:
            raise TransitionError(_("This application is not in the review of this round."))
        before = {"proposed": application.proposed, "star_grade": application.star_grade}
        application.proposed = proposed
        application.star_grade = star_grade if round.has_stars and proposed else None
        application.save(update_fields=["proposed", "star_grade", "updated_at"])
        changes = {field: (old, getattr(application, field)) for field, old in before.items() if old != getattr(application, field)}
        record(application, actor=user, action="propose", changes=changes)
    return application


def propose_top(round_pk, user, count):
    """Replace the proposed list by the `count` best mean scores, each committee's share within its quota."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "propose_top")
        shares = {share.node.path: share.quota for share in round.quotas.select_related("node")}
        prefix_lengths = sorted({len(path) for path in shares})
        taken, chosen = Counter(), []
        for pk, path in selection.ranked_for_proposal(round).iterator(chunk_size=2000):
            if len(chosen) == count:
                break
            share = next((path[:length] for length in prefix_lengths if path[:length] in shares), None)
            if share is not None:
                if taken[share] == shares[share]:
                    continue
                taken[share] += 1
            chosen.append(pk)
        _replace_proposed(round, user, chosen, _("Top %(count)s by mean score within the quotas") % {"count": count})
    return round


def propose_filtered(round_pk, user, filters):
    """Add every application the score table's filter shows to the proposed list."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "propose_filtered")
        in_review = round.applications.filter(status=AppStatus.REVIEW)
        before = in_review.filter(proposed=True).count()
        added = selection.filtered(in_review, **filters).filter(proposed=False).update(proposed=True, updated_at=timezone.now())
        _record_selection(round, user, before, before + added, _("All filtered proposed"))
    return round


def clear_selection(round_pk, user):
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "clear_selection")
        _replace_proposed(round, user, [], _("Proposed list cleared"))
    return round


def assign_experts(round_pk, user, experts, per_application, cap):
    """Give every application in review up to `per_application` experts among `experts`, the least loaded first,
    none over `cap` applications in this round, never one with a conflict of interest with the collective (as the
    single assignment refuses it). Each application gets its audit entry; each expert one notification."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "assign_experts")
        allowed = set(eligible_experts(round).values_list("user_id", flat=True))
        experts = sorted((expert for expert in experts if expert.pk in allowed), key=lambda expert: expert.pk)
        if not experts:
            raise TransitionError(_("Choose at least one expert reviewer of this round."))
        pks = [expert.pk for expert in experts]
        by_pk = {expert.pk: expert for expert in experts}
        load = Counter(dict(ReviewAssignment.objects.filter(round=round, expert__in=pks).values("expert").annotate(n=Count("pk")).values_list("expert", "n")))
        nodes = experts_nodes(pks)
        taken = {}
        for application_id, expert_id, conflict in ReviewAssignment.objects.filter(round=round, application__status=AppStatus.REVIEW).values_list("application_id", "expert_id", "conflict_declared"):
            taken.setdefault(application_id, []).append((expert_id, conflict))
        new, given, unfilled = [], {}, 0
        in_review = round.applications.filter(status=AppStatus.REVIEW).select_related("collective").only(
            "pk", "round_id", "collective__leader_account_id", "collective__registering_node_id", "collective__name"
        )
        for application in in_review.order_by("pk").iterator(chunk_size=2000):
            existing = taken.get(application.pk, [])
            missing = per_application - sum(1 for _expert, conflict in existing if not conflict)
            already = {expert_id for expert_id, _conflict in existing}
            candidates = sorted(
                (pk for pk in pks if pk not in already and load[pk] < cap and not has_conflict(pk, application, nodes)),
                key=lambda pk: (load[pk], pk),
            )[: max(missing, 0)]
            for pk in candidates:
                load[pk] += 1
                new.append(ReviewAssignment(application=application, expert_id=pk, assigned_by=user, round=round))
            if candidates:
                given[application] = candidates
            if len(candidates) < missing:
                unfilled += 1
        ReviewAssignment.objects.bulk_create(new, batch_size=2000)
        selection.refresh_scores(Application.objects.filter(pk__in=[application.pk for application in given]))
        for application, chosen in given.items():
            names = "、".join(by_pk[pk].get_full_name() or by_pk[pk].username for pk in chosen)
            record(application, actor=user, action="assign", comment=names)
        counts = Counter(pk for chosen in given.values() for pk in chosen)
        for pk, count in counts.items():
            notify([by_pk[pk]], _("You have %(count)s applications to review in %(round)s") % {"count": count, "round": round.title}, url="/workbench/reviews/")
        record(round, actor=user, action="assign", comment=_("%(count)s assignments to %(applications)s applications") % {"count": len(new), "applications": len(given)})
    return {"assigned": len(new), "applications": len(given), "unfilled": unfilled}


def remind_experts(round_pk, user):
    """One notification to each expert with reviews still open in this round, saying how many; each recorded."""
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "remind_experts")
        open_reviews = (
            ReviewAssignment.objects.filter(round=round, application__status=AppStatus.REVIEW, submitted_at__isnull=True, conflict_declared=False)
            .values("expert")
            .annotate(n=Count("pk"))
            .values_list("expert", "n")
        )
        counts = dict(open_reviews)
        if not counts:
            raise TransitionError(_("No expert has a review left to score."))
        for expert in User.objects.filter(pk__in=counts).order_by("pk"):
            notify(
                [expert],
                _("Reminder: %(count)s applications wait for your scores in %(round)s") % {"count": counts[expert.pk], "round": round.title},
                url="/workbench/reviews/",
            )
            record(round, actor=user, action="remind", comment=_("%(name)s: %(count)s not scored") % {"name": expert.get_full_name() or expert.username, "count": counts[expert.pk]})
    return counts


def _replace_proposed(round, user, chosen, comment):
    """Exactly `chosen` proposed among the applications in review, in two UPDATE statements."""
    in_review = round.applications.filter(status=AppStatus.REVIEW)
    before = in_review.filter(proposed=True).count()
    now = timezone.now()
    in_review.filter(proposed=True).exclude(pk__in=chosen).update(proposed=False, star_grade=None, updated_at=now)
    in_review.filter(proposed=False, pk__in=chosen).update(proposed=True, updated_at=now)
    _record_selection(round, user, before, len(chosen), comment)


def _record_selection(round, user, before, after, comment):
    record(round, actor=user, action="select", comment=comment, changes={"proposed": (before, after)})


def quota_problems(round, quota_use=None):
    """Why the proposed list breaks the round's quotas; empty when it fits. `quota_use`: selection.quota_use(round),
    when the caller has it already."""
    total, shares = quota_use or selection.quota_use(round)
    problems = []
    if total > round.quota:
        problems.append(_("%(count)s proposed, over the quota of %(quota)s.") % {"count": total, "quota": round.quota})
    for share, used in shares:
        if used > share.quota:
            problems.append(
                _("%(count)s proposed from %(node)s, over its quota of %(quota)s.")
                % {"count": used, "node": share.node.name, "quota": share.quota}
            )
    return problems


def opening_problems(round):
    if not round.is_filing and round.rubric_total != 100:
        return [_("The rubric must total 100 points; it totals %(total)s.") % {"total": round.rubric_total}]
    return []


def publishing_problems(round, quota_use=None):
    """What keeps the proposed list from being published: unscored applications, no list, missing star grades,
    quotas broken (a few aggregate queries over the stored review figures, whatever the round's size)."""
    figures = round.applications.filter(status=AppStatus.REVIEW).aggregate(
        n_total=Count("pk"),
        n_unscored=Count("pk", filter=Q(scores_submitted=0) | Q(reviews_open__gt=0)),
        n_proposed=Count("pk", filter=Q(proposed=True)),
        n_ungraded=Count("pk", filter=Q(proposed=True, star_grade__isnull=True)),
    )
    problems = []
    if figures["n_unscored"]:
        problems.append(
            _("%(count)s of %(total)s applications not scored.") % {"count": figures["n_unscored"], "total": figures["n_total"]}
        )
    if not figures["n_proposed"]:
        problems.append(_("Select the proposed list before publishing the notice."))
    elif round.has_stars and figures["n_ungraded"]:
        problems.append(_("Give every proposed collective a star grade."))
    return problems + quota_problems(round, quota_use)


def publish_notice(round_pk, user, today=None, comment=""):
    today = today or timezone.localdate()
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "publish")
        ROUND_STEPS.refuse_if_blocked(round, "publish")
        # Applications still climbing the committees can no longer reach the review: they close as not selected.
        in_review = list(
            round.applications.select_for_update(of=("self",))
            .filter(status__in=[AppStatus.REVIEW, AppStatus.PENDING])
            .select_related("collective__registering_node", "collective__leader_account")
        )
        notice = Notice.objects.create(
            round=round,
            opens_on=today,
            closes_on=add_working_days(today, round.notice_working_days, round.holiday_dates()),
            published_by=user,
        )
        for application in in_review:
            application.current_node = None
            change_state(application, user, "publish", AppStatus.NOTICE if application.proposed else AppStatus.NOT_SELECTED)
        _change_round(round, user, "publish", RoundStage.NOTICE, comment.strip())
        for application in in_review:
            _notify_leader(application, _("Result of %(round)s: %(state)s") % {"round": round.title, "state": application.get_status_display()}, url=notice.get_absolute_url())
    return notice


def file_objection(objection):
    """An objection from the public to an entry of the notice (`objection.notice`), saved while the notice is open."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("round").get(pk=objection.notice_id)
        if not notice.is_open() or notice.round.stage != RoundStage.NOTICE:
            raise TransitionError(_("The notice period is over; objections are no longer accepted."))
        objection.save()
        record(objection, actor=None, action="file", to_state=ObjectionStatus.OPEN)
    return objection


def resolve_objection(objection_pk, user, upheld, reason):
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related("notice__round__node").get(pk=objection_pk)
        round = objection.notice.round
        if not is_round_admin(user, round):
            raise PermissionError("resolve")
        if objection.status != ObjectionStatus.OPEN:
            raise TransitionError(_("This objection has already been resolved."))
        if round.stage != RoundStage.NOTICE:
            raise TransitionError(ROUND_STAGE_REFUSAL % {"state": round.get_stage_display()})
        reason = reason.strip()
        if not reason:
            raise TransitionError(_("Please give the reason for the decision."))
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = reason
        objection.resolved_by = user
        objection.resolved_at = timezone.now()
        objection.save()
        record(objection, actor=user, action="resolve", from_state=ObjectionStatus.OPEN, to_state=objection.status, comment=reason)
        application = _locked(objection.application_id)
        if upheld and application.status == AppStatus.NOTICE:
            change_state(application, user, "withdraw", AppStatus.WITHDRAWN, reason)
            _notify_leader(application, _("Your collective was withdrawn from the notice list after an objection."), reason)
    return objection


def naming_problems(round, today=None):
    today = today or timezone.localdate()
    notice = getattr(round, "notice", None)
    problems = []
    if notice is None:
        return [_("The notice has not been published.")]
    if today <= notice.closes_on:
        problems.append(_("The notice period runs until %(date)s.") % {"date": notice.closes_on.isoformat()})
    open_count = notice.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_count:
        problems.append(_("%(count)s objection(s) are still open.") % {"count": open_count})
    return problems


def name(round_pk, user, today=None, decision_reference="", comment=""):
    today = today or timezone.localdate()
    with transaction.atomic():
        round = _locked_round(round_pk)
        ROUND_STEPS.require(user, round, "name")
        ROUND_STEPS.refuse_if_blocked(round, "name", today=today)
        honors = []
        for application in round.applications.select_for_update(of=("self",)).filter(status=AppStatus.NOTICE).select_related("collective__leader_account").order_by("pk"):
            honors.append(_create_honor(round, application, today, decision_reference))
            change_state(application, user, "name", AppStatus.NAMED)
            _notify_leader(application, _("Congratulations: %(name)s is named %(title)s") % {"name": application.collective.name, "title": honors[-1].title}, url=honors[-1].get_absolute_url())
        changes = {"decision_reference": ("", decision_reference)} if decision_reference else None
        _change_round(round, user, "name", RoundStage.NAMED, comment.strip(), changes=changes)
    return honors


def refresh_honor_level(collective):
    """Keep the collective's highest valid title (Collective.honor_level) in step with its honours."""
    levels = set(Honor.objects.valid().filter(collective=collective).values_list("level", flat=True))
    collective.honor_level = next((level for level in reversed(LEVEL_ORDER) if level in levels), "")
    if collective.honor_level:
        collective.delisted_on = None  # Named again: back on the public lists.
    collective.save(update_fields=["honor_level", "delisted_on"])


def _create_honor(round, application, today, decision_reference=""):
    code = f"{LEVEL_CODES[round.level]}{round.node.region_id}"
    serial = NumberSequence.next_value(key=f"certificate:{code}", year=round.year)
    honor = Honor.objects.create(
        collective=application.collective,
        round=round,
        application=application,
        level=round.level,
        star_grade=application.star_grade if round.has_stars else None,
        year=round.year,
        edition=round.edition,
        certificate_number=f"{code}-{round.year}-{serial:05d}",
        named_on=today,
        named_by=round.node,
        decision_reference=decision_reference,
    )
    refresh_honor_level(application.collective)
    return honor


# Notifications ---------------------------------------------------------------------------------


def _notify_leader(application, subject, body="", url=None):
    notify([application.collective.leader_account], subject, body, url or f"/my/applications/{application.pk}/", about=(application, "status"))


def _notify_node(node, application, subject):
    notify(
        Membership.objects.staff_at(node, Action.RECOMMEND),
        subject % {"name": application.collective.name},
        url=f"/workbench/applications/{application.pk}/",
        about=(application, "current_node_id"),
    )


# The audit trail, ready for display ----------------------------------------------------------------

ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "submit": gettext_lazy("Submitted"),
    "recommend": gettext_lazy("Recommended"),
    "return": gettext_lazy("Returned for revision"),
    "decline": gettext_lazy("Not recommended"),
    "assign": gettext_lazy("Experts assigned"),
    "score": gettext_lazy("Scores submitted"),
    "conflict": gettext_lazy("Conflict of interest declared"),
    "inspect": gettext_lazy("On-site inspection recorded"),  # before inspections had teams (kept for their history)
    "plan": gettext_lazy("On-site inspection planned"),
    "record": gettext_lazy("Inspection findings recorded"),
    "conclude": gettext_lazy("Inspection concluded"),
    "cancel": gettext_lazy("Inspection cancelled"),
    "select": gettext_lazy("Proposed list saved"),
    "propose": gettext_lazy("Proposed list changed"),
    "remind": gettext_lazy("Experts reminded"),
    "open": gettext_lazy("Applications opened"),
    "extend": gettext_lazy("Application window extended"),
    "close": gettext_lazy("Applications closed"),
    "publish": gettext_lazy("Public notice published"),
    "file": gettext_lazy("Objection filed"),
    "resolve": gettext_lazy("Objection resolved"),
    "withdraw": gettext_lazy("Withdrawn after objection"),
    "name": gettext_lazy("Named"),
    "special_recommend": gettext_lazy("Specially recommended (特别推荐)"),
    "close_filing": gettext_lazy("Creation registration closed"),
}
labels.register(
    actions={
        "creation_registration": gettext_lazy("Creation registration (创建备案)"),
        "imported": gettext_lazy("Imported"),  # the action name and label of every import (apps/imports)
    }
)

# Rounds, applications and objections share some state names ("open"): label them by the subject's own states.
STATE_LABELS = {
    Round: dict(RoundStage.choices),
    Application: dict(AppStatus.choices),
    Objection: dict(ObjectionStatus.choices),
    Inspection: dict(InspectionStatus.choices),
}


def timeline(subject):
    return audit.timeline(subject, ACTION_LABELS, STATE_LABELS[type(subject)])


# The steps as data: what each state allows, who may, with what input -----------------------------------------

ROUND_STEPS = Steps(
    "stage",
    "evaluations:round_transition",
    gettext_lazy("This round is now “%(state)s”; the action is no longer possible."),
    Step("edit", gettext_lazy("Edit round"), is_round_admin, (RoundStage.DRAFT,), view="evaluations:round_edit"),
    Step(
        "open", gettext_lazy("Open applications"), is_round_admin, (RoundStage.DRAFT,), open_round,
        success=gettext_lazy("Applications are open."), blockers=opening_problems,
    ),
    Step(
        "close_filing", gettext_lazy("Close creation registration"), is_round_admin, (RoundStage.FILING,), close_filing,
        success=gettext_lazy("Creation registration is closed."),
    ),
    Step(
        "special_recommend", gettext_lazy("Recommend specially (特别推荐)"), may_recommend_specially,
        (RoundStage.OPEN, RoundStage.REVIEW), recommend_specially, form=SpecialRecommendationForm,
        success=gettext_lazy("Specially recommended: %(name)s"), view="evaluations:special_recommendation",
        blockers=special_quota_problems,
    ),
    Step(
        "extend", gettext_lazy("Extend the application window"), is_round_admin, (RoundStage.OPEN,), extend_application_window,
        form=ExtendWindowForm, success=gettext_lazy("The application window is extended."), panel=True,
    ),
    Step(
        "close", gettext_lazy("Close applications and start the review"), is_round_admin, (RoundStage.OPEN,), close_applications,
        success=gettext_lazy("Applications are closed; the review has begun."),
    ),
    Step(
        "propose", gettext_lazy("Save"), is_round_admin, (RoundStage.REVIEW,), propose,
        form=ProposeForm, success=gettext_lazy("Proposed list saved."),
    ),
    Step(
        "propose_top", gettext_lazy("Propose the top by mean score within the quotas"), is_round_admin, (RoundStage.REVIEW,),
        propose_top, form=ProposeTopForm, success=gettext_lazy("Proposed list saved."),
    ),
    Step(
        "propose_filtered", gettext_lazy("Propose all filtered"), is_round_admin, (RoundStage.REVIEW,), propose_filtered,
        form=ProposeFilteredForm, success=gettext_lazy("Proposed list saved."),
    ),
    Step(
        "clear_selection", gettext_lazy("Clear the proposed list"), is_round_admin, (RoundStage.REVIEW,), clear_selection,
        success=gettext_lazy("The proposed list is cleared."),
    ),
    Step(
        "assign_experts", gettext_lazy("Assign experts to every application"), is_round_admin, (RoundStage.REVIEW,), assign_experts,
        form=BulkAssignForm,
        success=gettext_lazy("Experts assigned: %(assigned)s reviews to %(applications)s applications; %(unfilled)s applications still lack experts."),
    ),
    Step(
        "remind_experts", gettext_lazy("Remind experts with unscored reviews"), is_round_admin, (RoundStage.REVIEW,), remind_experts,
        success=gettext_lazy("The experts are reminded."),
    ),
    Step(
        "publish", gettext_lazy("Publish the public notice"), is_round_admin, (RoundStage.REVIEW,), publish_notice,
        form=ConfirmForm, success=gettext_lazy("The public notice is published."), blockers=publishing_problems, confirm=True,
    ),
    Step(
        "name", gettext_lazy("Name the list"), is_round_admin, (RoundStage.NOTICE,), name,
        form=NameForm, success=gettext_lazy("The list is named. Certificates are ready."), blockers=naming_problems, confirm=True,
    ),
)

APPLICATION_STEPS = Steps(
    "status",
    None,
    gettext_lazy("This application is now “%(state)s”; the action is no longer possible."),
    # The 号长 writes and submits while the round takes applications; after it closes, the application stands as sent.
    Step(
        "edit", gettext_lazy("Edit"), is_leader, tuple(AppStatus.editable()), view="evaluations:edit_application",
        round_stages=(RoundStage.OPEN,),
    ),
    Step(
        "submit", gettext_lazy("Submit"), is_leader, tuple(AppStatus.editable()), submit, view="evaluations:edit_application",
        round_stages=(RoundStage.OPEN,),
    ),
    # Applications climb, and are reviewed, while the round is open and under review; once its notice is out,
    # nothing joins the review.
    Step(
        "recommend", gettext_lazy("Recommend"), may_recommend, (AppStatus.PENDING,), recommend,
        form=RecommendForm, success=gettext_lazy("Recommended: %(name)s"), view="evaluations:application_recommend",
        round_stages=(RoundStage.OPEN, RoundStage.REVIEW),
    ),
    Step(
        "send_back", gettext_lazy("Record decision"), may_recommend, (AppStatus.PENDING,), send_back,
        form=SendBackForm, success=gettext_lazy("Decision recorded: %(name)s"), view="evaluations:application_send_back",
        round_stages=(RoundStage.OPEN, RoundStage.REVIEW),
    ),
    Step(
        "assign", gettext_lazy("Assign"), is_application_round_admin, (AppStatus.REVIEW,), assign,
        form=AssignForm, success=gettext_lazy("Experts assigned: %(name)s"), view="evaluations:application_assign",
        round_stages=(RoundStage.OPEN, RoundStage.REVIEW),
    ),
    Step(
        "inspect", gettext_lazy("Plan the inspection"), is_application_round_admin, (AppStatus.REVIEW, AppStatus.NOTICE), plan_inspection,
        form=PlanInspectionForm, success=gettext_lazy("Inspection planned: %(name)s"), view="evaluations:application_inspection",
        round_stages=(RoundStage.OPEN, RoundStage.REVIEW, RoundStage.NOTICE),
    ),
)

# An inspection planned before the notice may be finished after it, and one left open when the list is named may
# still be concluded or cancelled: nothing is stuck.
INSPECTION_ROUND_STAGES = (RoundStage.OPEN, RoundStage.REVIEW, RoundStage.NOTICE, RoundStage.NAMED)

INSPECTION_STEPS = Steps(
    "status",
    "evaluations:inspection_transition",
    gettext_lazy("This inspection is now “%(state)s”; the action is no longer possible."),
    Step(
        "record", gettext_lazy("Record the findings"), is_inspection_lead, (InspectionStatus.PLANNED, InspectionStatus.VISITED),
        record_findings, form=InspectionFindingsForm, success=gettext_lazy("Inspection findings recorded."), panel=True,
        round_stages=INSPECTION_ROUND_STAGES,
    ),
    Step(
        "conclude", gettext_lazy("Conclude the inspection"), is_inspection_round_admin, (InspectionStatus.VISITED,),
        conclude_inspection, form=ConcludeInspectionForm, success=gettext_lazy("The inspection is concluded."), panel=True,
        round_stages=INSPECTION_ROUND_STAGES,
    ),
    Step(
        "cancel", gettext_lazy("Cancel the inspection"), is_inspection_round_admin, (InspectionStatus.PLANNED, InspectionStatus.VISITED),
        cancel_inspection, form=CancelInspectionForm, success=gettext_lazy("The inspection is cancelled."), panel=True,
        round_stages=INSPECTION_ROUND_STAGES,
    ),
)

STEPS = {Round: ROUND_STEPS, Application: APPLICATION_STEPS, Inspection: INSPECTION_STEPS}


# The step bar of a round: where it stands, its next step and what blocks it ------------------------------------

PHASES = [
    ("draft", pgettext_lazy("round phase", "Preparation")),
    ("open", pgettext_lazy("round phase", "Applications")),
    ("recommendation", pgettext_lazy("round phase", "Recommendation")),
    ("review", pgettext_lazy("round phase", "Review")),
    ("notice", pgettext_lazy("round phase", "Public notice")),
    ("named", pgettext_lazy("round phase", "Naming")),
]
NEXT_STEP = {
    RoundStage.DRAFT: "open",
    RoundStage.FILING: "close_filing",
    RoundStage.OPEN: "close",
    RoundStage.REVIEW: "publish",
    RoundStage.NOTICE: "name",
}
FILING_PHASES = [
    ("draft", pgettext_lazy("round phase", "Preparation")),
    ("filing", pgettext_lazy("round phase", "Creation registration")),
    ("filed", pgettext_lazy("round phase", "Filed")),
]


@dataclass
class Progress:
    phases: list  # [(label, "done" | "current" | "todo")]
    step: object  # the next step (actions.Step) or None once named
    blockers: list  # why it cannot be taken now: the reasons its workflow function refuses with
    waiting: int  # applications still on their way up the committees

    @property
    def ready(self):
        return self.step is not None and not self.blockers


def progress(round, counts, blockers=True, **context):
    """The round's step bar. `counts` are its applications by status (queries.stage_counts): while some still
    wait on a committee, a round in review is at the recommendation phase. `blockers`: also say what blocks the
    next step (for those who may take it), with `context` for its blockers function (today, quota_use)."""
    waiting = counts.get(AppStatus.PENDING, 0)
    phase = round.stage
    if phase == RoundStage.REVIEW and waiting:
        phase = "recommendation"
    all_phases = FILING_PHASES if round.is_filing else PHASES
    names = [name for name, _label in all_phases]
    at = names.index(phase)
    finished = round.stage in (RoundStage.NAMED, RoundStage.FILED)
    phases = [(label, "done" if i < at or finished else "current" if i == at else "todo") for i, (_n, label) in enumerate(all_phases)]
    name = NEXT_STEP.get(round.stage)
    step = ROUND_STEPS[name] if name else None
    accepted = {"name": ("today",), "publish": ("quota_use",)}.get(name, ())
    context = {key: value for key, value in context.items() if key in accepted and value is not None}
    return Progress(phases, step, ROUND_STEPS.blockers(round, name, **context) if name and blockers else [], waiting)
