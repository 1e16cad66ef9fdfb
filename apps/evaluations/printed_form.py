"""The 申报表 of one application: the A4 form a committee prints, signs and stamps.

It holds the collective's data, its deeds, the self-assessment per rubric item, the attachments filed, and one row
per committee of the recommendation chain (its opinion, rank and date, or blank boxes while it has not decided)
with room for its stamp. The body is laid out by reportlab's platypus, so long deeds run on over as many pages as
they need; each page repeats the round and the collective at the top and its number at the bottom.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.collectives.rules import youth_share
from apps.organizations.names import region_label
from civpost.pdf import FONT, INK, Canvas, draw_centred, ensure_font

from .certificates import page_number
from .models import Recommendation
from .workflow import chain

MARGIN = 18 * mm
STAMP_HEIGHT = 24 * mm  # a round stamp is up to 42 mm across: it may overlap the borders, as on paper forms
GRID = colors.HexColor("#666666")
LABEL_BACKGROUND = colors.HexColor("#f3f3f3")

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=TA_CENTER, textColor=INK)
SUBTITLE = ParagraphStyle("subtitle", parent=TITLE, fontSize=12, leading=18)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4, textColor=INK)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", textColor=INK)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9.5, leading=14)


def _text(value, style=CELL):
    """A paragraph of plain text: markup characters escaped, line breaks kept."""
    return Paragraph(escape(str(value if value is not None else "")).replace("\n", "<br/>"), style)


def _grid(rows, widths, label_columns=(0,), repeat=0):
    """A bordered table of text cells (a list of flowables stays as it is)."""
    cells = [[value if isinstance(value, list) else _text(value) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=repeat)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("BACKGROUND", (column, 0), (column, -1), LABEL_BACKGROUND) for column in label_columns]
    table.setStyle(TableStyle(style))
    return table


def _collective_table(application, width):
    collective = application.collective
    round = application.round
    members = list(collective.members.all())
    leader = next((m for m in members if m.is_leader), None)
    share = youth_share(members, round.reference_date, round.youth_age)
    half = width / 2
    rows = [
        [capfirst(_("collective name")), collective.name, capfirst(_("registration number")), collective.registration_number or ""],
        [capfirst(_("workplace unit")), collective.workplace_unit, capfirst(_("registered on")), date_format(collective.registered_on) if collective.registered_on else ""],
        [capfirst(_("region")), region_label(collective.region), capfirst(_("industry")), collective.industry.name],
        [capfirst(_("registering committee")), collective.registering_node.name, _("号长"), leader.name if leader else ""],
        [capfirst(_("members")), len(members), _("Share aged %(age)s or under") % {"age": round.youth_age}, f"{share:g}%"],
        [capfirst(_("supervision phone")), collective.supervision_phone, capfirst(_("has a youth league branch")), _("Yes") if collective.has_league_branch else _("No")],
    ]
    return _grid(rows, [half * 0.3, half * 0.7, half * 0.36, half * 0.64], label_columns=(0, 2))


def _assessment_table(application, width):
    items = list(application.round.rubric_items.all())
    scores = application.self_assessment
    rows = [[_("Rubric item"), _("Maximum points"), _("Self-assessment")]]
    rows += [[item.name, item.max_points, scores.get(str(item.pk), "")] for item in items]
    given = [scores[str(item.pk)] for item in items if isinstance(scores.get(str(item.pk)), int | float)]
    rows.append([_("Total"), sum(item.max_points for item in items), sum(given) if given else ""])
    return _grid(rows, [width * 0.6, width * 0.2, width * 0.2], label_columns=(), repeat=1)


def _attachment_lines(application):
    attachments = list(application.attachments.all())
    if not attachments:
        return [_text(_("No attachment."), BODY)]
    return [_text(f"{number}. {a.original_name}（{a.size // 1024 + 1} KB）", BODY) for number, a in enumerate(attachments, start=1)]


def _stamp_cell():
    """Room for a signature and a round stamp above （盖章）: the row is at least this tall, taller for a long opinion."""
    return [Spacer(0, STAMP_HEIGHT), _text(_("(stamp)"))]


def _recommendation_table(application, width):
    """One row per committee of the chain up to the round's, its latest decision or blank boxes, and a stamp cell."""
    round = application.round
    nodes = [*chain(application.collective.registering_node, round.node), round.node]
    latest = {}
    for decision in application.recommendations.all():  # in the order they were made: the last one of a node wins
        latest[decision.node_id] = decision
    rows = [[_("Committee"), _("Recommendation opinion"), capfirst(_("rank")), _("Date"), _("Stamp")]]
    for node in nodes:
        decision = latest.get(node.pk)
        if decision is None:
            rows.append([node.name, "", "", "", _stamp_cell()])
            continue
        opinion = decision.comment or decision.get_decision_display()
        if decision.decision != Recommendation.Decision.RECOMMEND:
            opinion = f"{decision.get_decision_display()}：{decision.comment}"
        rows.append([node.name, opinion, decision.rank or "", date_format(timezone.localdate(decision.created_at)), _stamp_cell()])
    widths = [width * 0.2, width * 0.42, width * 0.08, width * 0.14, width * 0.16]
    return _grid(rows, widths, label_columns=(), repeat=1)


def _special_recommendation(application):
    """特别推荐 is decided on relaxed rules: the form says so at the top, with who recommended it and why."""
    if not application.special_by_id:
        return []
    line = _("Specially recommended by %(committee)s: %(reason)s") % {"committee": application.special_by.name, "reason": application.special_reason}
    return [_text(_("Special recommendation"), HEADING), _text(line, BODY)]


def _page_header(application):
    def draw(pdf, doc):
        width, height = doc.pagesize
        text = f"{application.round.title} · {application.collective.name}"
        draw_centred(pdf, text, width / 2, height - 10 * mm, 9, width - 2 * MARGIN, min_size=7, color=colors.grey)
        page_number(pdf, doc)

    return draw


def application_form_pdf(application) -> bytes:
    """The A4 portrait 申报表 of an application (with_related: round, collective and its places loaded)."""
    ensure_font()
    buffer = io.BytesIO()
    collective = application.collective
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{application.round.title} {_('Application form')} {collective.name}",
        author=collective.name,
    )
    width = doc.width
    story = [
        _text(_("Application form"), TITLE),
        _text(application.round.title, SUBTITLE),
        Spacer(0, 6 * mm),
        *_special_recommendation(application),
        _text(_("The collective"), HEADING),
        _collective_table(application, width),
        _text(_("Deeds"), HEADING),
        *[_text(paragraph, BODY) for paragraph in application.deeds.splitlines() if paragraph.strip()],
        _text(_("Self-assessment"), HEADING),
        _assessment_table(application, width),
        _text(_("Attachments"), HEADING),
        *_attachment_lines(application),
        _text(_("Recommendation by the committees"), HEADING),
        _recommendation_table(application, width),
        Spacer(0, 8 * mm),
        KeepTogether(
            [
                _text(_("Applying collective (stamp):"), BODY),
                Spacer(0, 8 * mm),
                _text(_("号长 (signature):") + "　" * 12 + _("Date:"), BODY),
            ]
        ),
    ]
    header = _page_header(application)
    doc.build(story, onFirstPage=header, onLaterPages=header, canvasmaker=Canvas)
    return buffer.getvalue()
