"""Everything the portal holds about a person and the collectives they lead (PIPL Art. 45: the right to a copy),
as JSON and as an Excel workbook with one sheet per kind of record.

Each section is a query narrowed to the person (their account, the collectives they lead, what they filed or
received) before anything is read: one query per section, whatever the number of records.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.activities.models import ActivityReport, AnnualSummary, ReportAuthorisation, VolunteerHours
from apps.activities.services import REMOVED_MEMBERS
from apps.collectives.models import Collective, Member, MemberDataConsent
from apps.complaints.models import Complaint
from apps.evaluations.models import Application, Honor, Objection
from apps.notifications.models import Notification
from apps.rechecks.models import RectificationReport
from civpost.exports import Column, Sheet

from .models import DeletionRequest


@dataclass
class Section:
    key: str  # the JSON key
    title: str  # the sheet's name
    columns: list  # (key, header, getter)
    rows: object  # a queryset or a list

    def records(self):
        return [{key: _plain(get(row)) for key, _header, get in self.columns} for row in self.rows]

    def sheet(self):
        return Sheet(self.title, [Column(header, get, 18) for _key, header, get in self.columns], self.rows)


def _plain(value):
    if isinstance(value, Promise):
        return str(value)
    return value


def field(path):
    def get(row):
        for name in path.split("__"):
            row = None if row is None else getattr(row, name)
        return row

    return get


def display(name):
    return lambda row: getattr(row, f"get_{name}_display")()


def sections(user):
    """The person's data, section by section, in the order of the workbook."""
    collectives = Collective.objects.filter(leader_account=user)
    contacts = [value for value in (user.phone, user.email) if value]
    filed_by_contact = Q(contact__in=contacts) if contacts else Q(pk__in=[])
    return [
        Section(
            "account",
            _("Account"),
            [
                ("username", _("Username"), field("username")),
                ("real_name", _("Real name"), field("real_name")),
                ("phone", _("Mobile phone"), field("phone")),
                ("email", _("Email"), field("email")),
                ("date_joined", _("Registered at"), field("date_joined")),
                ("last_login", _("Last login"), field("last_login")),
            ],
            [user],
        ),
        Section(
            "collectives",
            _("Collectives"),
            [
                ("id", _("Number in the portal"), field("pk")),
                ("name", _("Collective name"), field("name")),
                ("workplace_unit", _("Workplace unit"), field("workplace_unit")),
                ("industry", _("Industry"), field("industry__name")),
                ("region", _("Region"), field("region__name")),
                ("address", _("Address"), field("address")),
                ("registering_committee", _("Registering committee"), field("registering_node__name")),
                ("status", _("Status"), display("status")),
                ("registration_number", _("Registration number"), field("registration_number")),
                ("registered_on", _("Registered on"), field("registered_on")),
                ("has_league_branch", _("Has a youth league branch"), field("has_league_branch")),
                ("supervision_phone", _("Supervision phone"), field("supervision_phone")),
                ("pledge_accepted_at", _("Credit pledge accepted at"), field("pledge_accepted_at")),
                ("member_count", _("Members"), field("member_count")),
                ("volunteer_hours", _("Volunteer hours"), field("volunteer_hours")),
                ("created_at", _("Created at"), field("created_at")),
            ],
            collectives.select_related("industry", "region", "registering_node").order_by("pk"),
        ),
        Section(
            "promises",
            _("Service promises"),
            [("collective", _("Collective"), lambda row: row[0]), ("promise", _("Service promise"), lambda row: row[1])],
            [(c.name, line) for c in collectives.order_by("pk") for line in c.promise_lines],
        ),
        Section(
            "members",
            _("Members"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("name", _("Full name"), field("name")),
                ("birth_date", _("Birth date"), field("birth_date")),
                ("position", _("Position"), field("position")),
                ("is_leader", _("号长"), field("is_leader")),
            ],
            Member.objects.filter(collective__in=collectives).select_related("collective").order_by("collective", "pk"),
        ),
        Section(
            "member_data_consents",
            _("Consents to the members' data"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("given_at", _("At"), field("given_at")),
                ("where", _("Where"), display("channel")),
                ("statement", _("Statement confirmed"), field("statement")),
            ],
            MemberDataConsent.objects.filter(given_by=user).select_related("collective").order_by("pk"),
        ),
        Section(
            "reports",
            _("Activity reports"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("kind", _("Kind"), display("kind")),
                ("title", _("Title"), field("title")),
                ("held_on", _("Date"), field("held_on")),
                ("place", _("Place"), field("place")),
                ("participants", _("Participants"), field("participants")),
                ("beneficiaries", _("People served"), field("beneficiaries")),
                ("narrative", _("What was done"), field("narrative")),
                ("volunteer_hours", _("Volunteer hours"), field("volunteer_hours")),
                ("public", _("Shown on the public page"), field("is_public")),
                ("hidden_by_committee", _("Flagged as inappropriate"), field("flagged")),
                ("created_at", _("Created at"), field("created_at")),
            ],
            ActivityReport.objects.filter(collective__in=collectives).select_related("collective").order_by("pk"),
        ),
        Section(
            "volunteer_hours",
            _("Volunteer hours"),
            [
                ("collective", _("Collective"), field("report__collective__name")),
                ("report", _("Report"), field("report__title")),
                ("held_on", _("Date"), field("report__held_on")),
                ("member", _("Member"), lambda row: row.member.name if row.member else REMOVED_MEMBERS),
                ("hours", _("Hours"), field("hours")),
            ],
            VolunteerHours.objects.filter(report__collective__in=collectives)
            .select_related("report__collective", "member")
            .order_by("report", "pk"),
        ),
        Section(
            "annual_summaries",
            _("Annual summaries"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("year", _("Year"), field("year")),
                ("summary", _("Summary"), field("narrative")),
            ],
            AnnualSummary.objects.filter(collective__in=collectives).select_related("collective").order_by("pk"),
        ),
        Section(
            "applications",
            _("Applications"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("round", _("Round"), field("round__title")),
                ("status", _("Status"), display("status")),
                ("submitted_at", _("Submitted at"), field("submitted_at")),
                ("deeds", _("Deeds"), field("deeds")),
                ("self_assessment", _("Self-assessment"), lambda row: row.self_assessment),
            ],
            Application.objects.filter(collective__in=collectives).select_related("collective", "round").order_by("pk"),
        ),
        Section(
            "titles",
            _("Titles"),
            [
                ("collective", _("Collective"), field("collective__name")),
                ("level", _("Level"), display("level")),
                ("year", _("Year"), field("year")),
                ("certificate_number", _("Certificate number"), field("certificate_number")),
                ("named_on", _("Named on"), field("named_on")),
                ("named_by", _("Named by"), field("named_by__name")),
                ("status", _("Status"), display("status")),
            ],
            Honor.objects.filter(collective__in=collectives).select_related("collective", "named_by").order_by("pk"),
        ),
        Section(
            "rectification_reports",
            _("Rectification reports"),
            [
                ("collective", _("Collective"), field("rectification__collective__name")),
                ("filed_at", _("Filed at"), field("filed_at")),
                ("text", _("What was done"), field("text")),
                ("evidence", _("Evidence"), field("evidence_name")),
                ("verdict", _("The committee's comment"), field("verdict")),
            ],
            RectificationReport.objects.filter(rectification__collective__in=collectives).select_related("rectification__collective").order_by("pk"),
        ),
        Section(
            "complaints_filed",
            _("Complaints filed"),
            [
                ("tracking_code", _("Tracking code"), field("tracking_code")),
                ("about", _("About"), field("collective__name")),
                ("what_happened", _("What happened"), field("what_happened")),
                ("happened_on", _("When it happened"), field("happened_on")),
                ("name", _("Name given"), field("name")),
                ("contact", _("Contact given"), field("contact")),
                ("status", _("Status"), display("status")),
                ("filed_at", _("Filed at"), field("created_at")),
            ],
            Complaint.objects.filter(filed_by_contact).select_related("collective").order_by("pk"),
        ),
        Section(
            "objections_filed",
            _("Objections filed"),
            [
                ("about", _("Collective objected to"), field("application__collective__name")),
                ("text", _("Objection"), field("text")),
                ("name", _("Name given"), field("name")),
                ("contact", _("Contact given"), field("contact")),
                ("status", _("Status"), display("status")),
                ("filed_at", _("Filed at"), field("created_at")),
            ],
            Objection.objects.filter(filed_by_contact).select_related("application__collective").order_by("pk"),
        ),
        Section(
            "report_authorisations",
            _("Authorised to report for"),
            [("collective", _("Collective"), field("collective__name")), ("since", _("Since"), field("created_at"))],
            ReportAuthorisation.objects.filter(user=user).select_related("collective").order_by("pk"),
        ),
        Section(
            "notifications",
            _("Notifications"),
            [
                ("subject", _("Subject"), field("subject")),
                ("body", _("Message"), field("body")),
                ("sent_at", _("Sent at"), field("created_at")),
                ("read_at", _("Read at"), field("read_at")),
            ],
            Notification.objects.filter(recipient=user).order_by("pk"),
        ),
        Section(
            "deletion_requests",
            _("Account deletion requests"),
            [
                ("reason", _("Reason"), field("reason")),
                ("status", _("Status"), display("status")),
                ("requested_at", _("Requested at"), field("created_at")),
                ("comment", _("Committee's comment"), field("decision_comment")),
            ],
            DeletionRequest.objects.filter(account=user).order_by("pk"),
        ),
    ]


def as_json(user):
    return {section.key: section.records() for section in sections(user)}


def as_sheets(user):
    return [section.sheet() for section in sections(user)]
