import hashlib
import io
from functools import partial
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, Q, When
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_POST

from apps.audit.models import record
from apps.audit.workflow import run_transition
from apps.collectives.models import Collective
from apps.exports.registry import Workbook, staff_export
from apps.organizations.enums import Action
from apps.organizations.models import Node
from apps.organizations.scope import staff_scope
from civpost import bulk, versions
from civpost.exports import XLSX_CONTENT_TYPE, dated_filename, write_xlsx
from civpost.forms import normalize_code, show_errors
from civpost.lists import PAGE_SIZES, ScalingPaginator, page_size, sort_order
from civpost.ratelimit import limit_reached, too_many_requests

from . import certificates, eligibility, exports, printed_form, public, queries, selection, verification, workflow
from .actions import BoundStep
from .bulk import ACTIONS as BULK_ACTIONS
from .dates import add_working_days
from .eligibility import check_eligibility
from .enums import AppStatus, InspectionStatus, RoundStage
from .forms import (
    DEFAULT_RUBRIC,
    ApplicationForm,
    AttachmentForm,
    CertificateLookupForm,
    ConflictForm,
    ObjectionForm,
    QuotaFormSet,
    ResolveObjectionForm,
    RoundForm,
    RubricFormSet,
    ScoreFilterForm,
    ScoreForm,
    SpecialRecommendationForm,
)
from .models import Application, Attachment, Honor, Inspection, Notice, Objection, ReviewAssignment, Round
from .uploads import EXTENSIONS, download_response

PAGE_SIZE = 30
NOTICE_PAGE_SIZE = 100
# How long a rendered list of notices is kept: it is renewed at once when a notice changes (its version); this bounds
# only the room that lists of other versions and query strings take in the cache.
PUBLIC_LIST_TTL = 600
OBJECTIONS_PER_HOUR = 5




def _require_staff(request, action=Action.VIEW):
    scope = staff_scope(request)
    if not scope.can(action):
        raise PermissionDenied
    return scope


# Rounds (staff) --------------------------------------------------------------------------------


@login_required
def round_list(request):
    scope = _require_staff(request)
    rounds = queries.visible_rounds(scope).select_related("node").order_by("-application_opens", "-pk")
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    # The submitted applications of the page's rounds only: one GROUP BY on the (round, status) index, not a join of
    # every visible round with all its applications.
    submitted = dict(
        Application.objects.filter(round__in=[round.pk for round in page])
        .exclude(status=AppStatus.DRAFT)
        .values("round")
        .annotate(n=Count("pk"))
        .values_list("round", "n")
    )
    for round in page:
        round.submitted = submitted.get(round.pk, 0)
    admin_nodes = scope.root_nodes(Action.MANAGE_NODE)
    return render(request, "evaluations/round_list.html", {"page": page, "can_create": bool(admin_nodes) or request.user.is_superuser})


def _admin_nodes(request):
    scope = staff_scope(request)
    if request.user.is_superuser:
        return Node.objects.filter(kind="league")
    return Node.objects.filter(pk__in=[node.pk for node in scope.managed_committees()])


@login_required
def round_create(request):
    nodes = _admin_nodes(request)
    if not nodes.exists():
        raise PermissionDenied
    node_id = request.POST.get("node") or request.GET.get("node")
    node = get_object_or_404(nodes, pk=node_id) if node_id else nodes.order_by("path").first()
    return _edit_round(request, Round(node=node, created_by=request.user), nodes)


@login_required
def round_edit(request, pk):
    round = get_object_or_404(Round.objects.select_related("node"), pk=pk)
    if not workflow.ROUND_STEPS.permitted(request.user, round, "edit", staff_scope(request)):
        raise PermissionDenied
    if not workflow.ROUND_STEPS.state_allows(round, "edit"):
        messages.error(request, _("Only a round being prepared can be changed."))
        return redirect(round)
    return _edit_round(request, round, None)


def _edit_round(request, round, nodes):
    data = request.POST or None
    initial_rubric = [{"name": name, "max_points": points} for name, points in DEFAULT_RUBRIC]
    form = RoundForm(data, instance=round)
    # A new round starts from the default rubric; on POST the rows are whatever the admin sent.
    suggest = round.pk is None and data is None
    rubric = RubricFormSet(data, instance=round, prefix="rubric", initial=initial_rubric if suggest else None)
    if suggest:
        rubric.extra = len(initial_rubric) - 1
    quotas = QuotaFormSet(data, instance=round, prefix="quotas", form_kwargs={"parent_node": round.node})
    if request.method == "POST":
        if form.is_valid() and rubric.is_valid() and quotas.is_valid():
            with transaction.atomic():
                creating = round.pk is None
                round = form.save()
                rubric.instance = quotas.instance = round
                for position, item in enumerate(rubric.save(commit=False)):
                    item.position = position
                    item.save()
                for item in rubric.deleted_objects:
                    item.delete()
                quotas.save()
                if creating:
                    record(round, actor=request.user, action="create", to_state=round.stage)
            messages.success(request, _("Round saved."))
            return redirect(round)
        messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(request, "evaluations/round_form.html", {"form": form, "rubric": rubric, "quotas": quotas, "round": round, "nodes": nodes})


@login_required
def round_detail(request, pk):
    scope = _require_staff(request)
    round = get_object_or_404(queries.visible_rounds(scope).select_related("node", "notice", "filing_round"), pk=pk)
    is_admin = workflow.is_round_admin(request.user, round, scope)
    counts = queries.stage_counts(round)
    context = {
        "round": round,
        "is_admin": is_admin,
        "actions": workflow.ROUND_STEPS.available(request.user, round, scope),
        "counts": [(AppStatus(status).label, count) for status, count in counts.items()],
        "rubric": round.rubric_items.all(),
        "eligibility_settings": eligibility.settings_of(round),
        "quotas": round.quotas.select_related("node"),
        "timeline": workflow.timeline(round),
        "summary_nodes": queries.recommending_nodes(round, scope),
        "cycle": queries.cycle(round),
    }
    if is_admin and round.stage in (RoundStage.REVIEW, RoundStage.NOTICE, RoundStage.NAMED):
        context |= score_table(request, round)
    quota_use = None
    if "propose" in context["actions"]:
        quota_use = selection.quota_use(round)
        context["quota_total"], context["quota_shares"] = quota_use
    # What blocks the next step is worked out for whoever may take it; the others see where the round stands.
    progress = workflow.progress(round, counts, blockers=is_admin, quota_use=quota_use)
    context["progress"] = progress
    context["next_action"] = context["actions"].get(progress.step.name) if progress.step else None
    notice = getattr(round, "notice", None)
    if notice and is_admin:
        context["objections"] = notice.objections.select_related("application__collective", "resolved_by")
        context["resolve_form"] = ResolveObjectionForm()
    return render(request, "evaluations/round_detail.html", context)


SCORE_PAGE_SIZE = 50


def score_table(request, round):
    """One page of the score table, filtered and sorted as the query string says, and the experts' workload."""
    items = list(round.rubric_items.all())
    committees = selection.committees(round)
    table_filter = ScoreFilterForm(request.GET or None, committees=sorted(committees.values(), key=lambda node: node.path))
    filters = table_filter.filters()
    table = selection.filtered(selection.in_table(round), **filters)
    sort = table_filter.ordering()
    ordered = selection.ordered_pks(table, round, items, sort)
    # Counted on the table without its sort keys; a name search tests every row's collective, so it counts only to
    # COUNT_LIMIT ("1,000+"), in the table's order when an index serves it. The back half of the pages is read from
    # the other end of the order.
    search = bool(filters.get("search"))
    in_order = search and sort == selection.INDEXED_SORT
    paginator = ScalingPaginator(ordered, SCORE_PAGE_SIZE, None if search else table.count(), count_in_order=in_order)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "score_items": items,
        "score_rows": selection.rows(page, round, items, committees),
        "page": page,
        "table_filter": table_filter,
        "workload": selection.expert_workload(round),
    }


def run_step(request, steps, subject, name, scope=None, title=None):
    """Take one step of a workflow table for a view: permission (403) before the input and the state (messages).

    True when the step was taken; the success message names the subject by `title`.
    """
    step = steps.get(name)
    if step is None or step.perform is None:
        raise Http404
    if not steps.permitted(request.user, subject, name, scope or staff_scope(request)):
        raise PermissionDenied
    form = step.bind(subject, request.POST)
    if form is not None and not form.is_valid():
        show_errors(request, form)
        return False
    result, done = run_transition(request, step.perform, subject.pk, request.user, **(form.cleaned_data if form else {}))
    if done:
        # A bulk step returns its figures (a dict) for its message; the others are named by `title`.
        messages.success(request, step.success % ({"name": title or str(subject)} | (result if isinstance(result, dict) else {})))
    return done


@login_required
def round_transition(request, pk, name):
    """Every step of workflow.ROUND_STEPS that has no page of its own; the URL admits only their names. An
    irreversible step (`confirm`) answers GET with its confirmation page, which posts back here."""
    round = get_object_or_404(Round.objects.select_related("node"), pk=pk)
    if request.method == "POST":
        run_step(request, workflow.ROUND_STEPS, round, name)
        return redirect(_back_to_round(request, round))
    steps = workflow.ROUND_STEPS
    if request.method != "GET" or not steps[name].confirm:
        return HttpResponseNotAllowed(["POST"])
    if not steps.permitted(request.user, round, name, staff_scope(request)):
        raise PermissionDenied
    if not steps.state_allows(round, name):
        messages.error(request, steps.refusal % {"state": round.get_stage_display()})
        return redirect(round)
    context = {
        "round": round,
        "action": BoundStep(steps[name], round, steps.route),
        "blockers": steps.blockers(round, name),
        "outcome": _outcome(round, name),
    }
    return render(request, "evaluations/round_confirm.html", context)


def _outcome(round, name):
    """What the irreversible step will do, in figures, for its confirmation page."""
    counts = queries.stage_counts(round)
    if name == "publish":
        proposed = round.applications.filter(status=AppStatus.REVIEW, proposed=True).count()
        today = timezone.localdate()
        closes = add_working_days(today, round.notice_working_days, round.holiday_dates())
        return [
            _("%(count)s proposed collectives go on the public notice, from %(opens)s to %(closes)s.")
            % {"count": proposed, "opens": today.isoformat(), "closes": closes.isoformat()},
            _("%(count)s other applications in review become “not selected”.") % {"count": counts.get(AppStatus.REVIEW, 0) - proposed},
            _("Every applicant is notified. This cannot be undone."),
        ]
    return [
        _("%(count)s collectives on the notice are named and receive their certificates.") % {"count": counts.get(AppStatus.NOTICE, 0)},
        _("Every named collective is notified. This cannot be undone."),
    ]


def _back_to_round(request, round):
    """Back to the round's page as it was: the table's page, filter and sort come back in `next`."""
    back = request.POST.get("next", "")
    if back.startswith(round.get_absolute_url()) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return round.get_absolute_url()


@login_required
def special_recommendation(request, pk):
    """A special recommendation (特别推荐) of a round: its form (with the supporting material) and its step."""
    round = get_object_or_404(Round.objects.select_related("node"), pk=pk)
    steps = workflow.ROUND_STEPS
    if not steps.permitted(request.user, round, "special_recommend", staff_scope(request)):
        raise PermissionDenied
    if not steps.state_allows(round, "special_recommend"):
        messages.error(request, steps.refusal % {"state": round.get_stage_display()})
        return redirect(round)
    form = SpecialRecommendationForm(request.POST or None, request.FILES or None, subject=round)
    if request.method == "POST":
        if form.is_valid():
            application, done = run_transition(request, workflow.recommend_specially, round.pk, request.user, **form.cleaned_data)
            if done:
                messages.success(request, steps["special_recommend"].success % {"name": application.collective.name})
                return redirect(round)
        else:
            messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    context = {"round": round, "form": form, "blockers": steps.blockers(round, "special_recommend"), "relaxed": eligibility.relaxed_rules(round)}
    return render(request, "evaluations/special_recommendation.html", context)


@login_required
@require_POST
def objection_resolve(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("notice__round__node"), pk=pk)
    if not workflow.is_round_admin(request.user, objection.notice.round, staff_scope(request)):
        raise PermissionDenied
    form = ResolveObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give the reason."))
        return redirect(objection.notice.round)
    _result, done = run_transition(request, workflow.resolve_objection, objection.pk, request.user, form.cleaned_data["decision"] == "uphold", form.cleaned_data["reason"])
    if done:
        messages.success(request, _("The objection is resolved."))
    return redirect(objection.notice.round)


@login_required
def objection_evidence(request, pk):
    """Evidence sent with an objection: for the round's admins only, like the objector's contact."""
    objection = get_object_or_404(Objection.objects.select_related("notice__round__node"), pk=pk)
    if not objection.evidence or not workflow.is_round_admin(request.user, objection.notice.round, staff_scope(request)):
        raise Http404
    content_type = {extension: content for content, extension in EXTENSIONS.items()}[objection.evidence_extension]
    return download_response(objection.evidence, content_type, f"objection-{objection.pk}.{objection.evidence_extension}")


# Applications (staff) --------------------------------------------------------------------------

QUEUE_TABS = {
    "waiting": (queries.waiting_on, gettext_lazy("Waiting on my committee")),
    "review": (queries.in_review_for, gettext_lazy("In review in my rounds")),
    "all": (queries.visible_applications, gettext_lazy("All in my area")),
}
# The tabs whose count is shown: both are narrow (one status at the user's own committees or rounds) and read an
# index. "All in my area" is the whole subtree's history; its list counts only to COUNT_LIMIT ("1,000+").
COUNTED_TABS = ("waiting", "review")
# Sort keys of the queue's column headers; each order is backed by an index (Application.Meta.indexes).
QUEUE_ORDERS = {"updated": ["updated_at", "id"], "round": ["round_id", "id"]}
# The round filter lists the latest rounds the user sees (and the chosen one), not all 2,000 of them.
ROUND_CHOICES = 30


def _queue_applications(request, scope):
    """The tab, filters and sort order of the queue on the request: the page and its export read the same."""
    tab = request.GET.get("tab") if request.GET.get("tab") in QUEUE_TABS else "waiting"
    applications = QUEUE_TABS[tab][0](scope).with_related()
    round_id = request.GET.get("round", "")
    if round_id.isdigit():
        applications = applications.filter(round_id=round_id)
    q = request.GET.get("q", "").strip()
    if q:
        applications = applications.filter(Q(collective__name__icontains=q) | Q(collective__workplace_unit__icontains=q))
    sort, order = sort_order(request, QUEUE_ORDERS, "-updated")
    return tab, applications.order_by(*order), round_id, q, sort


def _round_choices(scope, round_id):
    rounds = queries.visible_rounds(scope).exclude(stage=RoundStage.DRAFT).only("pk", "title")
    latest = list(rounds.order_by("-application_opens", "-pk")[:ROUND_CHOICES])
    if round_id.isdigit() and all(r.pk != int(round_id) for r in latest):
        latest += list(rounds.filter(pk=round_id))
    return latest


@login_required
def application_queue(request):
    scope = _require_staff(request)
    tab, applications, round_id, q, sort = _queue_applications(request, scope)
    counts = {key: QUEUE_TABS[key][0](scope).count() for key in COUNTED_TABS}
    tabs = [(key, label, counts.get(key)) for key, (_query, label) in QUEUE_TABS.items()]
    exact = counts[tab] if tab in counts and not (q or round_id.isdigit()) else None
    page = ScalingPaginator(applications, page_size(request), exact).get_page(request.GET.get("page"))
    context = {"page": page, "tabs": tabs, "tab": tab, "rounds": _round_choices(scope, round_id), "round_id": round_id, "q": q}
    if tab == "waiting":
        context["bulk_actions"] = [action for action in BULK_ACTIONS.values() if scope.can(action.permission)]
    return render(request, "evaluations/application_queue.html", context | {"sort": sort, "page_sizes": PAGE_SIZES})


@login_required
def application_bulk(request):
    """Recommend (ranked in the order chosen), return or decline the ticked applications or all those matching the
    queue's filter, after one confirmation."""
    scope = _require_staff(request)
    return bulk.decide(
        request,
        BULK_ACTIONS,
        visible=queries.visible_applications(scope),
        matching=lambda request: _queue_applications(request, scope)[1],
        back=reverse("evaluations:application_queue"),
    )


@staff_export("evaluations.applications", gettext_lazy("Applications"))
def application_export(request):
    """The queue as Excel, exactly as filtered on the page, with each committee's rank and the experts' mean score."""
    scope = _require_staff(request)
    _tab, applications, _round_id, _q, _sort = _queue_applications(request, scope)
    return Workbook(dated_filename(_("Applications")), [exports.application_sheet(applications)])


@staff_export("evaluations.recommendation_summary", gettext_lazy("Recommendation summary"))
def recommendation_summary(request, pk, node_pk):
    """The 推荐汇总表 of one committee in a round, for staff of that committee or above it."""
    scope = _require_staff(request)
    round = get_object_or_404(queries.visible_rounds(scope), pk=pk)
    node = get_object_or_404(queries.recommending_nodes(round, scope), pk=node_pk)
    sheet = exports.recommendation_summary_sheet(round, node, queries.recommended_by(round, node))
    return Workbook(f"{round.title}-{node.name}-{_('Recommendation summary')}.xlsx", [sheet], node)


@staff_export("evaluations.proposed_list", gettext_lazy("Proposed list"))
def proposed_list_export(request, pk):
    """The proposed list with the experts' mean scores: for the round's admins, who see the score table."""
    round = get_object_or_404(Round.objects.select_related("node"), pk=pk)
    if not workflow.is_round_admin(request.user, round, staff_scope(request)):
        raise PermissionDenied
    applications = queries.proposed_list(round).with_related().order_by("collective__registering_node__path", "pk")
    return Workbook(f"{round.title}-{_('Proposed list')}.xlsx", [exports.proposed_list_sheet(round, applications)], round.node)


def _staff_application(request, pk):
    scope = _require_staff(request)
    return get_object_or_404(queries.visible_applications(scope).with_related(), pk=pk), scope


@login_required
def application_detail(request, pk):
    application, scope = _staff_application(request, pk)
    round = application.round
    is_admin = workflow.is_round_admin(request.user, round, scope)
    context = {
        "application": application,
        "collective": application.collective,
        "members": application.collective.members.all(),
        "checks": check_eligibility(application.collective, round, application.is_special),
        "assessment": _assessment_rows(application),
        "attachments": application.attachments.all(),
        "recommendations": application.recommendations.select_related("node", "actor"),
        "inspections": application.inspections.select_related("lead"),
        "timeline": workflow.timeline(application),
        "is_admin": is_admin,
        "actions": workflow.APPLICATION_STEPS.available(request.user, application, scope),
    }
    if is_admin:
        context["assignments"] = application.assignments.select_related("expert")
    return render(request, "evaluations/application_detail.html", context)


def _assessment_rows(application):
    return [(item, application.self_assessment.get(str(item.pk))) for item in application.round.rubric_items.all()]


def _application_step(request, pk, name, done_url):
    application, scope = _staff_application(request, pk)
    if run_step(request, workflow.APPLICATION_STEPS, application, name, scope, application.collective.name):
        return redirect(done_url)
    return redirect("evaluations:application_detail", pk=pk)


@login_required
@require_POST
def application_recommend(request, pk):
    """A recommendation cannot be taken back: the first post shows the confirmation page with the rank and comment."""
    application, scope = _staff_application(request, pk)
    steps = workflow.APPLICATION_STEPS
    if not steps.permitted(request.user, application, "recommend", scope):
        raise PermissionDenied
    if not bulk.is_confirmed(request) and steps.state_allows(application, "recommend"):
        return bulk.confirmation(
            request,
            title=steps["recommend"].label,
            summary=BULK_ACTIONS["recommend"].summary % {"count": 1},
            form=steps["recommend"].bind(application, request.POST),
            back=reverse("evaluations:application_detail", args=[pk]),
            button=steps["recommend"].label,
            rows=[(application.collective.name, None)],
            irreversible=True,
        )
    return _application_step(request, pk, "recommend", "evaluations:application_queue")


@login_required
@require_POST
def application_send_back(request, pk):
    return _application_step(request, pk, "send_back", "evaluations:application_queue")


@login_required
@require_POST
def application_assign(request, pk):
    return _application_step(request, pk, "assign", reverse("evaluations:application_detail", args=[pk]))


@login_required
@require_POST
def application_inspection(request, pk):
    return _application_step(request, pk, "inspect", reverse("evaluations:application_detail", args=[pk]))


# On-site inspection (现场考核): its team and the round's admins ---------------------------------------------


def _inspection(request, pk):
    inspection = get_object_or_404(
        Inspection.objects.select_related("application__round__node", "application__collective__registering_node", "lead", "recorded_by"),
        pk=pk,
    )
    if not workflow.may_see_inspection(request.user, inspection, staff_scope(request)):
        raise PermissionDenied
    return inspection


@login_required
def inspection_list(request):
    """The inspections the user is on the team of, those still to do first."""
    inspections = (
        Inspection.objects.filter(team=request.user)
        .select_related("application__collective", "application__round", "lead")
        .order_by(Case(When(status__in=[InspectionStatus.PLANNED, InspectionStatus.VISITED], then=0), default=1), "planned_on", "pk")
    )
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/inspection_list.html", {"page": page})


@login_required
def inspection_detail(request, pk):
    inspection = _inspection(request, pk)
    scope = staff_scope(request)
    context = {
        "inspection": inspection,
        "application": inspection.application,
        "team": inspection.team.order_by("real_name", "pk"),
        "timeline": workflow.timeline(inspection),
        "is_admin": workflow.is_inspection_round_admin(request.user, inspection, scope),
        "actions": workflow.INSPECTION_STEPS.available(request.user, inspection, scope),
    }
    return render(request, "evaluations/inspection_detail.html", context)


@login_required
@require_POST
def inspection_transition(request, pk, name):
    inspection = get_object_or_404(Inspection.objects.select_related("application__round__node", "application__collective"), pk=pk)
    run_step(request, workflow.INSPECTION_STEPS, inspection, name, title=inspection.application.collective.name)
    return redirect(inspection)


# Expert review -----------------------------------------------------------------------------------


@login_required
def review_list(request):
    assignments = (
        ReviewAssignment.objects.filter(expert=request.user)
        .select_related("application__collective", "application__round")
        .order_by("submitted_at", "-assigned_at")
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/review_list.html", {"page": page})


@login_required
def review_detail(request, pk):
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("application__collective", "application__round"), pk=pk, expert=request.user
    )
    application = assignment.application
    items = list(application.round.rubric_items.all())
    form = ScoreForm(request.POST if request.POST.get("action") == "score" else None, items=items)
    conflict_form = ConflictForm(request.POST if request.POST.get("action") == "conflict" else None, prefix="conflict")
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            _result, done = run_transition(request, workflow.submit_scores, assignment.pk, request.user, form.scores(), form.cleaned_data["comment"])
            if done:
                messages.success(request, _("Your scores are submitted."))
                return redirect("evaluations:review_list")
        elif conflict_form.is_bound and conflict_form.is_valid():
            _result, done = run_transition(request, workflow.declare_conflict, assignment.pk, request.user, conflict_form.cleaned_data["comment"])
            if done:
                messages.success(request, _("Conflict of interest declared; the round's admin will assign someone else."))
                return redirect("evaluations:review_list")
        else:
            messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(
        request,
        "evaluations/review_detail.html",
        {
            "assignment": assignment,
            "application": application,
            "collective": application.collective,
            "assessment": _assessment_rows(application),
            "attachments": application.attachments.all(),
            "form": form,
            "conflict_form": conflict_form,
        },
    )


# The 号长's side -----------------------------------------------------------------------------------


def _own_application(request, pk):
    return get_object_or_404(
        Application.objects.with_related(), pk=pk, collective__leader_account=request.user
    )


@login_required
@require_POST
def apply(request, round_pk, collective_pk):
    collective = get_object_or_404(Collective, pk=collective_pk, leader_account=request.user)
    round = get_object_or_404(Round, pk=round_pk)
    existing = Application.objects.filter(round=round, collective=collective).first()
    if existing:
        return redirect("evaluations:my_application", pk=existing.pk)
    if not round.accepts_applications():
        messages.error(request, _("The application window of this round is closed."))
        return redirect("collectives:my")
    with transaction.atomic():
        application = Application.objects.create(round=round, collective=collective)
        record(application, actor=request.user, action="create", to_state=application.status)
    return redirect("evaluations:edit_application", pk=application.pk)


@login_required
@require_POST
def register_for_round(request, round_pk, collective_pk):
    """The 号长 files the collective in a filing round (创建备案)."""
    collective = get_object_or_404(Collective.objects.select_related("registering_node"), pk=collective_pk, leader_account=request.user)
    round = get_object_or_404(Round, pk=round_pk)
    _created, done = run_transition(request, workflow.file_creation_registration, round.pk, request.user, collective)
    if done:
        messages.success(request, _("Registered for %(round)s.") % {"round": round.title})
    return redirect("collectives:my")


@login_required
def my_application(request, pk):
    application = _own_application(request, pk)
    return render(
        request,
        "evaluations/my_application.html",
        {
            "application": application,
            "checks": check_eligibility(application.collective, application.round, application.is_special),
            "assessment": _assessment_rows(application),
            "attachments": application.attachments.all(),
            "decisions": application.recommendations.exclude(decision="recommend").select_related("node"),
            "timeline": workflow.timeline(application),
            "can_edit": workflow.may(request.user, application, "edit"),
            "honor": Honor.objects.filter(application=application).first(),
        },
    )


@login_required
def edit_application(request, pk):
    application = _own_application(request, pk)
    if not workflow.may(request.user, application, "edit"):
        messages.error(request, _("This application cannot be changed now."))
        return redirect("evaluations:my_application", pk=pk)
    action = request.POST.get("action")
    form = ApplicationForm(request.POST or None, instance=application)
    upload = AttachmentForm(request.POST or None, request.FILES or None, application=application)
    if request.method == "POST":
        # One form: the text and a new attachment are saved together, so an upload never loses typed text.
        if form.is_valid() and upload.is_valid():
            with transaction.atomic():
                form.save()
                upload.save()
            if action == "submit":
                _result, done = run_transition(request, workflow.submit, application.pk, request.user)
                if done:
                    messages.success(request, _("Submitted. You can follow every step here."))
                    return redirect("evaluations:my_application", pk=pk)
                return redirect("evaluations:edit_application", pk=pk)
            messages.success(request, _("Saved."))
            return redirect("evaluations:edit_application", pk=pk)
        messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(
        request,
        "evaluations/application_form.html",
        {
            "application": application,
            "form": form,
            "upload": upload,
            "attachments": application.attachments.all(),
            "checks": check_eligibility(application.collective, application.round, application.is_special),
        },
    )


@login_required
@require_POST
def delete_attachment(request, pk, attachment_pk):
    application = _own_application(request, pk)
    if not workflow.may(request.user, application, "edit"):
        raise PermissionDenied
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, _("Attachment removed."))
    return redirect("evaluations:edit_application", pk=pk)


@login_required
def download_attachment(request, pk, attachment_pk):
    """Attachments are served only to the 号长, the staff who may see the application, and its experts."""
    attachment = get_object_or_404(Attachment.objects.select_related("application__collective"), pk=attachment_pk, application_id=pk)
    application = attachment.application
    allowed = (
        application.collective.leader_account_id == request.user.pk
        or queries.visible_applications(staff_scope(request)).filter(pk=application.pk).exists()
        or application.assignments.filter(expert=request.user).exists()
    )
    if not allowed:
        raise Http404
    return download_response(attachment.file, attachment.content_type, attachment.original_name)




@login_required
def application_form(request, pk):
    """The 申报表 PDF, for the collective's 号长 and for staff who may see the application."""
    application = get_object_or_404(Application.objects.with_related(), pk=pk)
    allowed = (
        application.collective.leader_account_id == request.user.pk
        or queries.visible_applications(staff_scope(request)).filter(pk=application.pk).exists()
    )
    if not allowed:
        raise Http404
    pdf = printed_form.application_form_pdf(application)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{application.collective.name}-{_('Application form')}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


# Public ----------------------------------------------------------------------------------------------


def notice_list(request):
    """Served from the cache: rendered once per version of the notices (public.py), day (which notices are still open,
    and their order), language and query string, then read without a query. Rendering it takes three queries
    whatever the number of notices and entries: the count, the page, its notices' entries (counted for the page
    only: annotating every notice made the database count the entries of all of them)."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    key = f"notices:list:{timezone.localdate()}:{get_language()}:{query}"
    content = versions.cached(key, [public.NOTICES_KEY], lambda: _notice_list_content(request), PUBLIC_LIST_TTL)
    return render(request, "evaluations/notice_list.html", {"content": mark_safe(content)})


def _notice_list_content(request):
    page = Paginator(Notice.objects.listed(), PAGE_SIZE).get_page(request.GET.get("page"))
    public.count_entries(page)
    return render_to_string("evaluations/includes/notice_list_content.html", {"page": page}, request)


def notice_detail(request, pk):
    """The notice's entries a page at a time, searchable by name or unit. A national notice holds thousands of
    entries: the objection form is about one of them, chosen by its row's link (?entry=), never a list of all."""
    notice = get_object_or_404(Notice.objects.select_related("round__node"), pk=pk)
    query = request.GET.get("q", "").strip()[:50]
    entries = (
        notice.round.applications.filter(status__in=AppStatus.on_notice_list())
        .select_related("collective__region__parent", "collective__industry")
        .order_by("collective__region_id", "pk")
    )
    if query:
        entries = entries.filter(Q(collective__name__icontains=query) | Q(collective__workplace_unit__icontains=query))
    form, contested = None, None
    if notice.is_open():
        open_entries = notice.round.applications.filter(status=AppStatus.NOTICE).select_related("collective")
        form = ObjectionForm(request.POST or None, request.FILES or None, entries=open_entries)
        contested = _contested_entry(open_entries, request.POST.get("application") or request.GET.get("entry"))
        if request.method == "POST":
            if limit_reached(request, "objection", OBJECTIONS_PER_HOUR, 3600):
                return too_many_requests(request, _("Too many objections from your network in the last hour. Please try again later."))
            if form.is_valid():
                done = True
                if not form.is_spam():  # a bot is thanked the same, and nothing is saved
                    _objection, done = run_transition(request, workflow.file_objection, form.save(notice))
                if done:
                    messages.success(request, _("Your objection was received. The committee will look into it before naming."))
                return redirect(notice.get_absolute_url())
            messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
        elif contested:
            form.initial["application"] = contested.pk
    elif request.method == "POST":
        messages.error(request, _("The notice period is over; objections are no longer accepted."))
    page = Paginator(entries, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/notice_detail.html", {"notice": notice, "page": page, "form": form, "contested": contested, "query": query})


def _contested_entry(open_entries, chosen):
    """The open entry an objection is about (from its row's link or the posted form), None when there is none."""
    if not (chosen and str(chosen).isdigit()):
        return None
    return open_entries.filter(pk=chosen).first()


def verify_lookup(request):
    """证书查验 without a number: the form; submitted (GET), the number's page."""
    form = CertificateLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("evaluations:verify", number=form.cleaned_data["number"])
    return render(request, "evaluations/verify.html", {"form": form})


def verify(request, number):
    number = normalize_code(number)
    honor = verification.find(number)
    context = {"honor": honor, "number": number, "form": CertificateLookupForm(initial={"number": number})}
    if honor is None:
        context["not_found"] = verification.not_found(number)
        context["example"] = verification.EXAMPLE
    return render(request, "evaluations/verify.html", context, status=200 if honor else 404)


# Certificates and the named list ----------------------------------------------------------------


@login_required
def certificate(request, pk):
    """The certificate PDF, for the collective's 号长 and for staff who may see the collective.

    Only titles named through the portal have one: an imported historical title has its paper certificate, issued
    by the naming committee, and the verification page confirms it with the naming decision's reference.
    """
    honor = get_object_or_404(Honor.objects.select_related("collective", "named_by__region", "round"), pk=pk, round__isnull=False)
    scope = staff_scope(request)
    if honor.collective.leader_account_id != request.user.pk and not scope.can(Action.VIEW, honor.collective.registering_node):
        raise Http404
    response = HttpResponse(certificates.certificate_pdf(honor), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename={honor.certificate_number}.pdf"
    return response


def named_list(request, pk, fmt):
    """The named list (命名名单) of a round, public once the round is named: built once per version of what it shows,
    then served from the cache (public.named_list_file)."""
    round = get_object_or_404(Round.objects.select_related("node"), pk=pk, stage=RoundStage.NAMED)
    content = public.named_list_file(round, fmt, partial(_named_list_content, round, fmt))
    content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else "application/pdf"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=f"{round.title}.{fmt}", content_type=content_type)


def _named_list_content(round, fmt):
    """The named list built afresh (public.named_list_file caches it): every title of the round, by number."""
    honors = round.honors.order_by("certificate_number")
    if fmt == "pdf":
        return certificates.named_list_pdf(round, honors)
    file = io.BytesIO()
    write_xlsx(file, exports.named_list_sheet(round, honors))
    return file.getvalue()
