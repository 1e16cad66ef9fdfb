"""The eligibility registry (eligibility.RULES): every rule reaches the 号长's checklist, the staff's application page
and the round's settings card; the round form offers every setting; /my/ loads the facts in bulk."""

from datetime import timedelta

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst

from apps.collectives.rules import Check
from apps.evaluations import eligibility as eligibility_module
from apps.evaluations.eligibility import RULES, SETTINGS, SPECIAL_RELAXED, Rule, Setting, check_eligibility, eligibility, members
from apps.evaluations.models import Round

from .conftest import committee
from .evaluation_factories import ApplicationFactory, RoundFactory, eligible_collective
from .factories import MembershipFactory
from .test_evaluations_flow import round_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_rule_round():
    """An open provincial round of 安徽 in which every rule of the registry applies."""
    today = timezone.localdate()
    round = RoundFactory(
        node=committee("340000"),
        lower_level_years=1,
        revocation_bar_years=2,
        complaint_bar_months=12,
        min_recent_reports=1,
        filing_round=RoundFactory(node=committee("340000"), kind="filing", stage="filed", application_closes=today - timedelta(days=5)),
    )
    assert all(rule.applies(round) for rule in RULES)
    return round


def rule_labels(collective, round):
    """The labels each rule gives its checks, rule by rule, computed from the registry itself."""
    facts = {rule.facts: rule.facts([collective], round) for rule in RULES if rule.facts}
    return [[check.label for check in rule.checks(collective, round, facts)] for rule in RULES]


def test_every_rule_is_on_the_leaders_checklist_and_the_staff_application_page(login, every_rule_round):
    collective = eligible_collective()
    page = login(collective.leader_account).get(reverse("collectives:my")).content.decode()
    labels = rule_labels(collective, every_rule_round)
    assert len(labels) == len(RULES)
    for rule_labels_ in labels:
        assert rule_labels_, "a rule that gives no check"
        for label in rule_labels_:
            assert escape(label) in page, label

    application = ApplicationFactory(round=every_rule_round, collective=collective, status="review")
    staff_page = login(MembershipFactory(role="admin", node=committee("340000")).user).get(
        reverse("evaluations:application_detail", args=[application.pk])
    ).content.decode()
    leader_page = login(collective.leader_account).get(reverse("evaluations:my_application", args=[application.pk])).content.decode()
    for label in (label for labels_ in labels for label in labels_):
        assert escape(label) in staff_page and escape(label) in leader_page, label


def test_every_setting_is_in_the_round_form_and_on_the_settings_card(login, every_rule_round):
    admin = login(MembershipFactory(role="admin", node=committee("340000")).user)
    form_page = admin.get(reverse("evaluations:round_create")).content.decode()
    card = admin.get(every_rule_round.get_absolute_url()).content.decode()
    # Every rule's settings, and which of them a special recommendation (特别推荐) is spared.
    declared = {getattr(setting, "name", setting) for rule in RULES for setting in rule.settings} | {SPECIAL_RELAXED.name}
    assert SETTINGS and {setting.name for setting in SETTINGS} == declared
    for name, label in [(setting.name, setting.label) for setting in SETTINGS] + [
        ("reference_date", Round._meta.get_field("reference_date").verbose_name)
    ]:
        assert f'name="{name}"' in form_page, name
        assert f"<dt>{escape(capfirst(label))}</dt>" in card, name


def test_the_workspace_loads_each_fact_once_per_round_whatever_the_number_of_collectives(every_rule_round):
    def queries_for(collectives):
        template = Template("{% load evaluations %}{% rounds_panel collectives %}")
        with CaptureQueriesContext(connection) as captured:
            template.render(Context({"collectives": collectives}))
        return len(captured)

    one = [eligible_collective()]
    three = one + [eligible_collective() for _ in range(2)]
    assert queries_for(one) == queries_for(three)


def test_bulk_and_single_checks_agree(every_rule_round):
    collectives = [eligible_collective(), eligible_collective(registered_on=timezone.localdate())]
    bulk = eligibility(collectives, every_rule_round)
    for collective in collectives:
        assert bulk[collective.pk] == eligibility([collective], every_rule_round)[collective.pk]


@pytest.fixture
def declared_rule(monkeypatch):
    """A rule added the cheap way: its setting declared in the registry with a form field, no Round column."""
    setting = Setting("min_members_over_thirty", forms.IntegerField(label="至少几名30岁以上成员", min_value=0), default=0)

    def check(collective, round, members):
        wanted = setting.value(round)
        return Check("30岁以上成员", len(members) >= wanted, f"{len(members)}/{wanted}")

    rule = Rule(check, (setting,), members, lambda round: setting.value(round))
    monkeypatch.setattr(eligibility_module, "RULES", [*RULES, rule])
    monkeypatch.setattr(eligibility_module, "SETTINGS", [*SETTINGS, setting])
    return setting


def test_a_declared_setting_is_offered_saved_shown_and_checked_without_a_column(login, declared_rule):
    node = committee("340800")
    admin = login(MembershipFactory(role="admin", node=node).user)
    assert 'name="min_members_over_thirty"' in admin.get(reverse("evaluations:round_create")).content.decode()

    response = admin.post(reverse("evaluations:round_create"), round_post(min_members_over_thirty="50"))
    round = Round.objects.get()
    assert response.status_code == 302 and round.rule_settings["min_members_over_thirty"] == 50
    assert "<dt>至少几名30岁以上成员</dt><dd>50</dd>" in admin.get(round.get_absolute_url()).content.decode()

    check = next(c for c in check_eligibility(eligible_collective(), round) if c.label == "30岁以上成员")
    assert not check.passed

    refused = admin.post(reverse("evaluations:round_edit", args=[round.pk]), round_post(min_members_over_thirty="-1"))
    assert refused.status_code == 200 and Round.objects.get().rule_settings["min_members_over_thirty"] == 50


def test_a_declared_setting_has_its_default_until_the_admin_sets_it(declared_rule):
    round = RoundFactory()
    assert round.rule_settings == {} and declared_rule.value(round) == 0
    assert not any(c.label == "30岁以上成员" for c in check_eligibility(eligible_collective(), round))
