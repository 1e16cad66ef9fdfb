from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.accounts.validators import normalize_phone
from apps.audit.models import record
from apps.audit.workflow import run_transition
from apps.collectives.models import Collective
from apps.exports.registry import Workbook, staff_export
from apps.organizations.enums import Action, Level
from apps.organizations.models import Node
from apps.organizations.scope import staff_scope
from civpost import bulk
from civpost.exports import dated_filename, xlsx_response
from civpost.lists import ScalingPaginator

from . import exports, rollups, services, workflow
from .bulk import ACTIONS as BULK_ACTIONS
from .forms import AnnualSummaryForm, AuthoriseForm, CampaignForm, FlagForm, HoursStepForm, PeriodForm, PointsRuleForm, ReportForm
from .models import ActivityReport, AnnualSummary, Campaign, HoursCheck, PointsRule, ReportAuthorisation, ReportPhoto

PAGE_SIZE = 30


# The collective's side ----------------------------------------------------------------------------


def _collective_for_filing(request, pk):
    collective = get_object_or_404(Collective.objects.with_places(), pk=pk)
    if not services.may_file(request.user, collective):
        raise Http404
    return collective


@login_required
def my_reports(request, pk):
    collective = _collective_for_filing(request, pk)
    reports = collective.reports.select_related("campaign").prefetch_related("photos")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    rate = PointsRule.current()
    return render(
        request,
        "activities/my_reports.html",
        {
            "collective": collective,
            "page": page,
            "campaigns": Campaign.objects.for_collective(collective),
            "member_hours": services.member_hours(collective),
            "rate": rate,
            "is_leader": collective.leader_account_id == request.user.pk,
            "authorisations": collective.report_authorisations.select_related("user"),
            "authorise_form": AuthoriseForm(),
            "year": timezone.localdate().year,
        },
    )


@login_required
def service_records(request, pk):
    """The collective's volunteer hours, one row per member and service, for the 全国志愿服务信息系统."""
    collective = _collective_for_filing(request, pk)
    return xlsx_response(dated_filename(f"{collective.name}-志愿服务记录"), exports.service_records_sheet(collective))


@login_required
def report_create(request, pk):
    collective = _collective_for_filing(request, pk)
    initial = {"campaign": request.GET.get("campaign"), "held_on": timezone.localdate()}
    return _edit_report(request, collective, ActivityReport(collective=collective), initial)


@login_required
def report_edit(request, pk, report_pk):
    collective = _collective_for_filing(request, pk)
    report = get_object_or_404(collective.reports, pk=report_pk)
    if not services.may_edit(request.user, report):
        messages.error(request, _("Reports can be changed for 30 days after they are filed."))
        return redirect("activities:my_reports", pk=pk)
    return _edit_report(request, collective, report, None)


def _edit_report(request, collective, report, initial):
    form = ReportForm(
        request.POST or None, request.FILES or None, instance=report, initial=initial,
        collective=collective, campaigns=Campaign.objects.for_collective(collective),
    )
    if request.method == "POST":
        if form.is_valid():
            workflow.save_report(form, request.user)
            messages.success(request, _("Report saved."))
            return redirect("activities:my_reports", pk=collective.pk)
        messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    photos = report.photos.all() if report.pk else []
    return render(request, "activities/report_form.html", {"form": form, "collective": collective, "report": report, "photos": photos})


@login_required
@require_POST
def photo_delete(request, pk, report_pk, photo_pk):
    collective = _collective_for_filing(request, pk)
    photo = get_object_or_404(ReportPhoto, pk=photo_pk, report_id=report_pk, report__collective=collective)
    if not services.may_edit(request.user, photo.report):
        raise PermissionDenied
    services.remove_photo(photo)
    messages.success(request, _("Photo removed."))
    return redirect("activities:report_edit", pk=pk, report_pk=report_pk)


@login_required
@require_POST
def authorise(request, pk):
    collective = get_object_or_404(Collective, pk=pk, leader_account=request.user)
    form = AuthoriseForm(request.POST)
    user = User.objects.filter(phone=normalize_phone(request.POST.get("phone", ""))).first() if form.is_valid() else None
    if user is None:
        messages.error(request, _("No account uses that mobile phone. Ask the person to sign up first."))
    else:
        with transaction.atomic():
            _authorisation, created = ReportAuthorisation.objects.get_or_create(collective=collective, user=user)
            if created:
                record(collective, actor=request.user, action="authorise_reporter", comment=user.get_full_name())
        messages.success(request, _("%(name)s may now file reports for the collective.") % {"name": user.get_full_name()})
    return redirect("activities:my_reports", pk=pk)


@login_required
@require_POST
def revoke_authorisation(request, pk, authorisation_pk):
    collective = get_object_or_404(Collective, pk=pk, leader_account=request.user)
    authorisation = get_object_or_404(ReportAuthorisation, pk=authorisation_pk, collective=collective)
    with transaction.atomic():
        authorisation.delete()
        record(collective, actor=request.user, action="revoke_reporter", comment=authorisation.user.get_full_name())
    messages.success(request, _("Authorisation withdrawn."))
    return redirect("activities:my_reports", pk=pk)


@login_required
def annual_summary(request, pk, year):
    collective = get_object_or_404(Collective, pk=pk, leader_account=request.user)
    if not collective.honor_level:
        messages.error(request, _("Annual summaries are filed by named 青年文明号."))
        return redirect("collectives:my_collective", pk=pk)
    summary = AnnualSummary.objects.filter(collective=collective, year=year).first() or AnnualSummary(collective=collective, year=year)
    form = AnnualSummaryForm(request.POST or None, instance=summary)
    if request.method == "POST" and form.is_valid():
        summary = form.save(commit=False)
        summary.filed_by = request.user
        summary.save()
        messages.success(request, _("Annual summary saved."))
        return redirect("activities:my_reports", pk=pk)
    year_totals = rollups.totals(collective.reports.filter(held_on__year=year))
    return render(request, "activities/annual_summary.html", {"collective": collective, "form": form, "year": year, "totals": year_totals})


# Committees ------------------------------------------------------------------------------------------


def _scope_nodes(request, action=Action.VIEW):
    scope = staff_scope(request)
    if not scope.can(action):
        raise PermissionDenied
    return scope


def _chosen_node(request, scope):
    """The node whose subtree a roll-up covers: ?node= within the user's scope, else their first node."""
    nodes = scope.nodes(Action.VIEW)
    node_id = request.GET.get("node")
    if node_id and node_id.isdigit():
        return get_object_or_404(nodes, pk=node_id)
    roots = scope.root_nodes(Action.VIEW)
    if roots:
        return roots[0]
    return Node.objects.filter(level=Level.NATIONAL).order_by("path").first()


@login_required
def campaign_list(request):
    scope = _scope_nodes(request)
    campaigns = scope.filter(Campaign.objects.select_related("node"), Action.VIEW, "node")
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/campaign_list.html", {"page": page, "can_create": scope.can(Action.MANAGE_NODE)})


@login_required
def campaign_create(request):
    scope = _scope_nodes(request, Action.MANAGE_NODE)
    nodes = scope.root_nodes(Action.MANAGE_NODE) or list(Node.objects.filter(level=Level.NATIONAL)[:1])
    node_id = request.POST.get("node") or request.GET.get("node")
    node = next((n for n in nodes if str(n.pk) == node_id), nodes[0])
    form = CampaignForm(request.POST or None, instance=Campaign(node=node, created_by=request.user))
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                campaign = form.save()
                record(campaign, actor=request.user, action="launch", comment=campaign.title)
            messages.success(request, _("Campaign launched. The collectives of %(node)s see it on their page.") % {"node": node.name})
            return redirect(campaign)
        messages.error(request, _("Please correct the errors marked below. Nothing has been saved yet."))
    return render(request, "activities/campaign_form.html", {"form": form, "nodes": nodes, "node": node})


def _visible_campaign(request, pk):
    scope = _scope_nodes(request)
    campaign = get_object_or_404(Campaign.objects.select_related("node"), pk=pk)
    # Staff of the campaign's committee see all of it; staff below see their own part of it.
    if scope.can(Action.VIEW, campaign.node):
        return campaign, campaign.node, scope
    roots = [root for root in scope.root_nodes(Action.VIEW) if root.path.startswith(campaign.node.path)]
    if not roots and not request.user.is_superuser:
        raise Http404
    return campaign, roots[0] if roots else campaign.node, scope


@login_required
def campaign_detail(request, pk):
    campaign, node, scope = _visible_campaign(request, pk)
    totals, by_child, by_industry = rollups.campaign_summary(node, campaign)
    participation = rollups.campaign_participation(node, campaign)
    counts = rollups.participation_counts(node, campaign)
    show = "missing" if request.GET.get("show") == "missing" else "reported"
    listed = participation[show].select_related("registering_node").order_by("registering_node__path", "pk")
    page = ScalingPaginator(listed, PAGE_SIZE, count=counts[show]).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/campaign_detail.html",
        {
            "campaign": campaign,
            "node": node,
            "totals": totals,
            "by_child": by_child,
            "by_industry": by_industry,
            "reported_count": counts["reported"],
            "missing_count": counts["missing"],
            "show": show,
            "page": page,
            "bulk_actions": [action for action in BULK_ACTIONS.values() if show == "missing" and scope.can(action.permission)],
        },
    )


@login_required
def campaign_remind(request, pk):
    """Remind the ticked collectives that have not reported, or all of them, after one confirmation."""
    campaign, node, _scope = _visible_campaign(request, pk)
    missing = rollups.campaign_participation(node, campaign)["missing"]
    return bulk.decide(
        request,
        BULK_ACTIONS,
        visible=missing,
        matching=lambda request: missing.order_by("registering_node__path", "pk"),
        back=reverse("activities:campaign_detail", args=[campaign.pk]),
        context={"campaign": campaign.pk},
    )


@staff_export("activities.campaign", gettext_lazy("Campaign progress"))
def campaign_export(request, pk):
    """The campaign's progress as Excel: the totals of the page, and who has and has not reported."""
    campaign, node, _scope = _visible_campaign(request, pk)
    _totals, by_child, by_industry = rollups.campaign_summary(node, campaign)
    participation = rollups.campaign_participation(node, campaign)
    sheets = [
        *exports.totals_sheets(by_child, by_industry),
        exports.collective_sheet(_("Reported"), participation["reported"]),
        exports.collective_sheet(_("Not yet reported"), participation["missing"]),
    ]
    return Workbook(f"{campaign.title}.xlsx", sheets, node)


def _rollup_period(request):
    """The scope, the committee, the period form and the period of a roll-up: the page and its export read the same."""
    scope = _scope_nodes(request)
    node = _chosen_node(request, scope)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"starts_on": date(today.year, 1, 1), "ends_on": today})
    starts_on, ends_on = (form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]) if form.is_valid() else (date(today.year, 1, 1), today)
    return scope, node, form, starts_on, ends_on, today


@staff_export("activities.rollup", gettext_lazy("Activity roll-up"))
def rollup_export(request):
    """The roll-up as Excel: the totals of the page and the volunteer hours ranking of the period."""
    _scope, node, _form, starts_on, ends_on, today = _rollup_period(request)
    _totals, by_child, by_industry = rollups.period_summary(node, starts_on, ends_on, today)
    ranking, _count = rollups.volunteer_ranking(node, starts_on, ends_on, today)
    sheets = [*exports.totals_sheets(by_child, by_industry), exports.ranking_sheet(ranking)]
    return Workbook(f"{node.name}-{starts_on:%Y%m%d}-{ends_on:%Y%m%d}.xlsx", sheets, node)


@login_required
def rollup(request):
    """The same roll-up for any period, without a campaign."""
    if request.GET.get("format") == "xlsx":
        return rollup_export(request)
    scope, node, form, starts_on, ends_on, today = _rollup_period(request)
    totals, by_child, by_industry = rollups.period_summary(node, starts_on, ends_on, today)
    ranked, count = rollups.volunteer_ranking(node, starts_on, ends_on, today)
    ranking = ScalingPaginator(ranked, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/rollup.html",
        {
            "node": node,
            "nodes": scope.root_nodes(Action.VIEW),
            "form": form,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "totals": totals,
            "by_child": by_child,
            "by_industry": by_industry,
            "ranking": ranking,
            "children": Node.objects.get_children(node),
        },
    )


@login_required
def staff_reports(request):
    """Reports of the subtree, newest first, for reading and moderation. At national size (5,000,000 reports) the
    scope is the reports' own copy of their committee's path, the order walks report_recent_idx, and the count stops
    at COUNT_LIMIT: nobody pages through more, they filter."""
    scope = _scope_nodes(request)
    reports = ActivityReport.objects.filter(scope.path_q(Action.VIEW, "node_path")).select_related("collective", "campaign")
    if request.GET.get("flagged"):
        reports = reports.filter(flagged=True)
    if request.GET.get("hours") == "check":
        reports = reports.filter(hours_check__in=HoursCheck.open())
    page = ScalingPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/staff_reports.html", {"page": page})


@login_required
def staff_report(request, report_pk):
    scope = _scope_nodes(request)
    report = get_object_or_404(
        scope.filter(ActivityReport.objects.select_related("collective__registering_node", "campaign"), Action.VIEW, "collective__registering_node"),
        pk=report_pk,
    )
    return render(
        request,
        "activities/staff_report.html",
        {
            "report": report,
            "photos": report.photos.all(),
            "hours": report.hours.select_related("member"),
            "can_moderate": services.may_moderate(request.user, report, scope),
            "flag_form": FlagForm(),
            "hours_steps": workflow.steps_available(request.user, report, scope),
            "hours_form": HoursStepForm(),
        },
    )


@login_required
@require_POST
def staff_hours_step(request, report_pk, step):
    """Ask for evidence of a report's hours, verify them or do not recognise them."""
    if step not in workflow.HOURS_STEPS:
        raise Http404
    form = HoursStepForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, _("The comment is too long."))
    elif run_transition(request, workflow.take_step, report_pk, request.user, step, comment)[1]:
        messages.success(request, _("Done: %(step)s.") % {"step": workflow.HOURS_STEPS[step].label})
    return redirect("activities:staff_report", report_pk=report_pk)


@login_required
@require_POST
def staff_flag(request, report_pk):
    scope = _scope_nodes(request)
    report = get_object_or_404(ActivityReport.objects.select_related("collective__registering_node", "collective__leader_account"), pk=report_pk)
    if not services.may_moderate(request.user, report, scope):
        raise Http404
    if request.POST.get("action") == "unflag":
        services.unflag(report, request.user)
        messages.success(request, _("The report is public again."))
    else:
        form = FlagForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason: the collective will see it."))
            return redirect("activities:staff_report", report_pk=report.pk)
        services.flag(report, request.user, form.cleaned_data["reason"])
        messages.success(request, _("The report is hidden from the public."))
    return redirect("activities:staff_report", report_pk=report.pk)


@login_required
def summaries(request):
    """Named collectives of the subtree and whether they filed their annual summary."""
    scope = _scope_nodes(request)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    named = scope.filter(Collective.objects.named().select_related("registering_node"), Action.VIEW, "registering_node")
    filed = AnnualSummary.objects.filter(year=year).values("collective_id")
    show = "missing" if request.GET.get("show") == "missing" else "filed"
    chosen = named.exclude(pk__in=filed) if show == "missing" else named.filter(pk__in=filed)
    page = Paginator(chosen.order_by("registering_node__path", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    texts = dict(AnnualSummary.objects.filter(year=year, collective__in=list(page)).values_list("collective_id", "narrative"))
    rows = [(collective, texts.get(collective.pk)) for collective in page]
    return render(
        request,
        "activities/summaries.html",
        {
            "year": year,
            "page": page,
            "rows": rows,
            "show": show,
            "filed_count": named.filter(pk__in=filed).count(),
            "missing_count": named.exclude(pk__in=filed).count(),
        },
    )


@login_required
def points_rule(request):
    """The national committee sets the volunteer points rate."""
    scope = staff_scope(request)
    national = Node.objects.filter(level=Level.NATIONAL, kind="league").first()
    if national is None or not scope.acts_at(Action.MANAGE_NODE, national):
        raise PermissionDenied
    today = timezone.localdate()
    form = PointsRuleForm(request.POST or None, initial={"points_per_hour": PointsRule.current(), "effective_from": today})
    if request.method == "POST" and form.is_valid():
        workflow.set_points_rate(request.user, form.cleaned_data["points_per_hour"], form.cleaned_data["effective_from"])
        messages.success(request, _("Points rate saved."))
        return redirect("activities:points_rule")
    return render(request, "activities/points_rule.html", {"form": form, "rules": PointsRule.objects.select_related("updated_by")[:20]})


# Public ------------------------------------------------------------------------------------------------


def photo(request, photo_pk, variant):
    """Photos are served through this view, not as plain media files: an internal or hidden report's photos are
    seen only by its collective and its committees."""
    photo = get_object_or_404(ReportPhoto.objects.select_related("report__collective__registering_node"), pk=photo_pk)
    report = photo.report
    public = report.is_public and not report.flagged and report.collective.status == "registered"
    if not public and not (
        request.user.is_authenticated
        and (services.may_file(request.user, report.collective) or staff_scope(request).can(Action.VIEW, report.collective.registering_node))
    ):
        raise Http404
    file = photo.thumbnail if variant == "thumb" else photo.image
    response = FileResponse(file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
    return response



def public_report(request, pk, report_pk):
    report = get_object_or_404(
        ActivityReport.objects.public().select_related("collective", "campaign").filter(collective__status="registered"),
        pk=report_pk,
        collective_id=pk,
    )
    return render(request, "activities/public_report.html", {"report": report, "photos": report.photos.all()})
