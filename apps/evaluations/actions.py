"""Steps as data: for rounds and applications, each thing a user can do, who may do it, in which states, with what
input. `workflow.py` declares the two tables (ROUND_STEPS, APPLICATION_STEPS); pages ask them which buttons to
show, views ask them before reading any input, and each workflow function asks them again inside its transaction.

Permission comes first, whatever the state: a user who may not act at all gets a 403 and never learns what state
the subject is in. Only then is the state checked, with a message for those who may act but not now.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.audit.workflow import TransitionError, require_state
from apps.organizations.scope import StaffScope


# An application step refused because its round has moved on (a recommendation after the notice is published).
ROUND_STAGE_REFUSAL = gettext_lazy("This round is now “%(state)s”; the action is no longer possible.")


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # what the button says
    permission: Callable  # (user, subject, scope) -> bool, whatever the state
    states: tuple = ()  # the subject's states that allow it; empty: any state
    perform: Callable | None = None  # the workflow function: perform(subject_pk, user, **form.cleaned_data)
    form: type | None = None  # its input, if it takes any: form(data, subject=subject)
    success: str = ""  # the message once done
    view: str = ""  # a step with a page of its own names its URL; the others post to the table's route
    panel: bool = False  # shown as a card of its own on the subject's page, with its form: no template change
    # What keeps the step from being taken although the state allows it: blockers(subject, **context) -> [message].
    # The workflow function refuses with them and the page shows them beside the disabled button: one rule.
    blockers: Callable | None = None
    confirm: bool = False  # irreversible: the page links to a confirmation page (GET on its URL) with a comment
    round_stages: tuple = ()  # an application's step: the stages of its round that allow it; empty: any stage

    def bind(self, subject, data=None):
        return self.form(data, subject=subject) if self.form else None


class Steps:
    """The steps of one kind of subject, in the order pages show them."""

    def __init__(self, state_field, route, refusal, *steps):
        self.state_field = state_field
        self.route = route  # URL name taking (subject pk, step name)
        self.refusal = refusal  # the message when the state does not allow a step, with %(state)s
        self._steps = {step.name: step for step in steps}

    def __iter__(self):
        return iter(self._steps.values())

    def __getitem__(self, name):
        return self._steps[name]

    def get(self, name):
        return self._steps.get(name)

    def routed(self):
        """Names of the steps served by the table's one route (the others have a page of their own)."""
        return [step.name for step in self if step.perform and not step.view]

    def permitted(self, user, subject, name, scope=None):
        """May the user take this step at all, in whatever state the subject is?"""
        return self[name].permission(user, subject, scope or StaffScope(user))

    def state_allows(self, subject, name):
        return self._state_allows(subject, self[name]) and self._round_allows(subject, self[name])

    def _state_allows(self, subject, step):
        return not step.states or getattr(subject, self.state_field) in step.states

    @staticmethod
    def _round_allows(subject, step):
        return not step.round_stages or subject.round.stage in step.round_stages

    def may(self, user, subject, name, scope=None):
        """May the user take this step now: the question behind every button."""
        return self.permitted(user, subject, name, scope) and self.state_allows(subject, name)

    def require(self, user, subject, name):
        """The same question inside the workflow's transaction, on the locked row: permission first, then state."""
        if not self.permitted(user, subject, name):
            raise PermissionError(name)
        if self[name].states:
            require_state(subject, self[name].states, self.refusal, self.state_field)
        if not self._round_allows(subject, self[name]):
            raise TransitionError(ROUND_STAGE_REFUSAL % {"state": subject.round.get_stage_display()})

    def blockers(self, subject, name, **context):
        """Why the step cannot be taken now although the state allows it; empty when nothing blocks it."""
        blockers = self[name].blockers
        return list(blockers(subject, **context)) if blockers else []

    def refuse_if_blocked(self, subject, name, **context):
        """Inside the workflow's transaction, after `require`: the same reasons the page shows, as a refusal."""
        problems = self.blockers(subject, name, **context)
        if problems:
            raise TransitionError(" ".join(str(problem) for problem in problems))

    def available(self, user, subject, scope=None):
        """{name: BoundStep} of the steps the user may take now, for the page to show."""
        scope = scope or StaffScope(user)
        return {step.name: BoundStep(step, subject, self.route) for step in self if self.may(user, subject, step.name, scope)}


@dataclass
class BoundStep:
    """A step ready to render on a subject's page: its label, where it posts, its empty form."""

    step: Step
    subject: object
    route: str

    @property
    def label(self):
        return self.step.label

    @property
    def url(self):
        if self.step.view:
            return reverse(self.step.view, args=[self.subject.pk])
        return reverse(self.route, args=[self.subject.pk, self.step.name])

    @cached_property
    def form(self):
        return self.step.bind(self.subject)
