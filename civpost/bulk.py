"""Bulk decisions on the staff queues, and the confirmation page of every irreversible step.

A queue posts the ticked rows' ids (at most one page, MAX_TICKED) or, for "all rows matching the filter", only the
filter's query string: never one field per row of a national list. One confirmation page says what will happen to
how many items, with one comment box; then each item goes through the same workflow step as the single action
(the same permission check, state check, audit entry and notification), in its own transaction, so one refusal does
not undo the others. A result page says how many were done and which were refused, with the reason for each.

Runs of more than SYNC_LIMIT items go to the task worker (`manage.py db_worker`); the result page shows their
progress and reloads itself until they finish.
"""

import logging
from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.models import BulkRun
from apps.audit.workflow import TransitionError
from apps.organizations.scope import staff_scope

logger = logging.getLogger(__name__)

MAX_TICKED = 100  # ticked rows: one page of the largest page size (civpost.lists.PAGE_SIZES)
MAX_MATCHING = 20_000  # "all matching" beyond this: narrow the filter first (a national registration backlog fits)
SAMPLE = 20  # rows of an "all matching" selection named on the confirmation page
# Larger runs go to the task worker. Measured on PostgreSQL (2 shared cores, under load): 53 ms per approval, so 200
# items answer in about 10 s, well inside gunicorn's timeout, and 2,000 (about 110 s) would not.
SYNC_LIMIT = 200
PROGRESS_EVERY = 25  # items between two progress writes

NO_COMMENT, OPTIONAL_COMMENT, REQUIRED_COMMENT = "none", "optional", "required"


@dataclass(frozen=True)
class BulkAction:
    """One decision a queue offers on many rows, carried out item by item by its workflow step."""

    key: str  # "<app>.<name>": the app's `bulk` module declares it
    label: str  # the button on the queue and the confirmation page
    summary: str  # what will happen, with %(count)s
    permission: str  # the staff Action the step needs somewhere; the step checks each item's own node
    perform: Callable  # (pk, user, comment, rank, **context): the workflow step; raises PermissionError or TransitionError
    items: Callable  # () -> the subjects' queryset, with what their str() reads
    comment: str = OPTIONAL_COMMENT
    ranked: bool = False  # takes a rank per item, in the order chosen
    irreversible: bool = False

    @property
    def name(self):
        return self.key.split(".", 1)[1]


_ACTIONS = {}


def register(*actions):
    """Declare an app's bulk actions; returns them by name for the app's queue view."""
    for bulk_action in actions:
        _ACTIONS[bulk_action.key] = bulk_action
    return {bulk_action.name: bulk_action for bulk_action in actions}


def get_action(key):
    if key not in _ACTIONS:
        import_module(f"apps.{key.split('.', 1)[0]}.bulk")  # the task worker has not loaded the app's views
    return _ACTIONS[key]


# The confirmation page ------------------------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """The one comment of a bulk decision, and the ranks of a ranked one."""

    comment = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    first_rank = forms.IntegerField(label=gettext_lazy("Rank of the first"), min_value=1, max_value=10000, initial=1)

    def __init__(self, *args, action, ranked_pks=(), **kwargs):
        super().__init__(*args, **kwargs)
        if action.comment == NO_COMMENT:
            del self.fields["comment"]
        elif action.comment == REQUIRED_COMMENT:
            self.fields["comment"].required = True
            self.fields["comment"].label = _("Reason (sent to each applicant)")
        if not action.ranked or ranked_pks:
            del self.fields["first_rank"]
        for index, pk in enumerate(ranked_pks, 1):
            self.fields[f"rank_{pk}"] = forms.IntegerField(label=_("Rank"), min_value=1, max_value=10000, initial=index)

    def ranks(self, pks):
        """{pk: rank}: as typed for ticked rows, in the queue's order from the first rank for all matching rows."""
        if f"rank_{pks[0]}" in self.fields:
            return {str(pk): self.cleaned_data[f"rank_{pk}"] for pk in pks}
        if "first_rank" in self.fields:
            return {str(pk): self.cleaned_data["first_rank"] + index for index, pk in enumerate(pks)}
        return {}


def confirmation(request, *, title, summary, form, back, button, hidden=(), rows=(), more=0, irreversible=False):
    """The one confirmation page, for a single step and for a bulk decision: what will happen, to which items, the
    decision's input (its one comment box) and the button that does it."""
    return render(
        request,
        "bulk/confirm.html",
        {
            "title": title,
            "summary": summary,
            "form": form,
            "back": back,
            "button": button,
            "hidden": hidden,
            "rows": rows,
            "more": more,
            "irreversible": irreversible,
        },
    )


def is_confirmed(request):
    return request.method == "POST" and request.POST.get("confirmed") == "1"


# A queue's bulk view -----------------------------------------------------------------------------------------


def _selection(request, visible, matching):
    """(pks in the queue's order, everything?, query string) of the request."""
    if request.POST.get("all") == "1":
        query = request.POST.get("query", "")
        request.GET = QueryDict(query)  # the queue's filter reads the request's query string
        return list(matching(request).values_list("pk", flat=True)[: MAX_MATCHING + 1]), True, query
    ids = []
    for value in request.POST.getlist("ids"):
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    ids = ids[:MAX_TICKED]
    found = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in found], False, request.POST.get("query", "")


def decide(request, actions, *, visible, matching, back, context=None):
    """The bulk view of a queue. `actions` are the queue's BulkActions by name, `visible` the rows the user may see,
    `matching(request)` the rows of the queue's filter on request.GET, `back` the queue's URL, `context` what the
    step needs besides the item ({"campaign": pk})."""
    bulk_action = actions.get(request.POST.get("action", ""))
    if request.method != "POST" or bulk_action is None:
        raise Http404
    if not staff_scope(request).can(bulk_action.permission):
        raise PermissionDenied
    pks, everything, query = _selection(request, visible, matching)
    back = f"{back}?{query}" if query else back
    if not pks:
        messages.error(request, _("Tick at least one row, or choose all rows matching the filter."))
        return redirect(back)
    if len(pks) > MAX_MATCHING:
        messages.error(request, _("More than %(count)s rows match: narrow the filter first.") % {"count": MAX_MATCHING})
        return redirect(back)
    ranked_pks = pks if bulk_action.ranked and not everything else ()
    confirmed = is_confirmed(request)
    form = ConfirmForm(request.POST if confirmed else None, action=bulk_action, ranked_pks=ranked_pks, initial={"comment": request.POST.get("comment", "")})
    if confirmed and form.is_valid():
        params = {
            "comment": form.cleaned_data.get("comment", ""),
            "ranks": form.ranks(pks),
            "context": context or {},
            "language": translation.get_language(),
        }
        run = start(request.user, bulk_action, pks, params, back)
        return redirect("bulk_result", pk=run.pk)
    shown = pks if ranked_pks else pks[:SAMPLE]
    names = {item.pk: str(item) for item in bulk_action.items().filter(pk__in=shown)}
    rows = [(names[pk], form[f"rank_{pk}"] if ranked_pks else None) for pk in shown if pk in names]
    if everything:
        hidden = [("all", "1"), ("query", query)]
    else:
        hidden = [("query", query)] + [("ids", pk) for pk in pks]
    return confirmation(
        request,
        title=bulk_action.label,
        summary=bulk_action.summary % {"count": len(pks)},
        form=form,
        back=back,
        button=_("%(action)s: %(count)s") % {"action": bulk_action.label, "count": len(pks)},
        hidden=[("action", bulk_action.name), *hidden],
        rows=rows,
        more=len(pks) - len(shown),
        irreversible=bulk_action.irreversible,
    )


# Running ------------------------------------------------------------------------------------------------------


def start(user, bulk_action, pks, params, back_url):
    """Record the run and carry it out: here if it is small, in the task worker if not."""
    run = BulkRun.objects.create(actor=user, action=bulk_action.key, item_ids=pks, params=params, total=len(pks), back_url=back_url)
    if len(pks) > SYNC_LIMIT:
        transaction.on_commit(lambda: bulk_job.enqueue(run.pk))
    else:
        execute(run.pk)
    return run


def refusal(error):
    if isinstance(error, PermissionError):
        return _("You may not take this decision here: the item is not at a committee you act for.")
    if isinstance(error, ObjectDoesNotExist):
        return _("This item no longer exists.")
    return str(error)


def execute(run_pk):
    """Each item through the action's workflow step, each in its own transaction; refusals kept with their reason."""
    run = BulkRun.objects.select_related("actor").get(pk=run_pk)
    if run.state != BulkRun.State.QUEUED:
        return run
    bulk_action = get_action(run.action)
    BulkRun.objects.filter(pk=run.pk).update(state=BulkRun.State.RUNNING)
    comment, ranks = run.params.get("comment", ""), run.params.get("ranks", {})
    done, refused = 0, []
    with translation.override(run.params.get("language") or settings.LANGUAGE_CODE):
        for index, pk in enumerate(run.item_ids, 1):
            try:
                bulk_action.perform(pk, run.actor, comment, ranks.get(str(pk)), **run.params.get("context", {}))
            except (PermissionError, TransitionError, ObjectDoesNotExist) as error:
                refused.append([pk, "", refusal(error)])
            else:
                done += 1
            if index % PROGRESS_EVERY == 0:
                BulkRun.objects.filter(pk=run.pk).update(done=done, refused=refused)
        names = {item.pk: str(item) for item in bulk_action.items().filter(pk__in=[pk for pk, _name, _reason in refused])}
    refused = [[pk, names.get(pk, f"#{pk}"), reason] for pk, _name, reason in refused]
    BulkRun.objects.filter(pk=run.pk).update(done=done, refused=refused, state=BulkRun.State.FINISHED, finished_at=timezone.now())
    return run


@task()
def bulk_job(run_pk):
    try:
        execute(run_pk)
    except Exception:
        logger.exception("Bulk run %s failed", run_pk)
        BulkRun.objects.filter(pk=run_pk).update(state=BulkRun.State.FAILED, finished_at=timezone.now())
        raise


@login_required
def result(request, pk):
    run = get_object_or_404(BulkRun, pk=pk, actor=request.user)
    return render(request, "bulk/result.html", {"run": run, "action": get_action(run.action)})
