"""Printable documents of naming: the certificate (荣誉证书) with its verification QR code, and the named list.

Both are vector PDFs in the portal's embedded Chinese font (civpost/pdf.py), in the wording committees issue: the
certificate says the collective 被授予“2025年度安庆市青年文明号”称号。特发此证。, with the issuing committee, the
date and a seal area, the decision reference (文号) when known, the number and the QR code of its public
verification page at the portal's public address. Neither carries personal data: no 号长, no member.
"""

import io
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.organizations.enums import Level
from apps.organizations.names import region_label
from civpost.links import public_address
from civpost.pdf import FONT, Canvas, GOLD, INK, MUTED, RED, draw_centred, ensure_font, fit, qr_png, wrap

from .resources import with_related
from .titles import LEVEL_TITLES, STAR_PREFIXES


def certificate_title(honor):
    """The title as the committee confers it: 2025年度安庆市青年文明号, 2025年度第22届三星级全国青年文明号."""
    if honor.level == Level.NATIONAL:
        post = str(LEVEL_TITLES[Level.NATIONAL])
    else:
        # Translators: the place of the naming committee before the programme's name: 安庆市青年文明号.
        post = _("%(place)s Youth Civilization Post") % {"place": honor.named_by.region.name}
    # Translators: the year a title is conferred for, before its name on the certificate: 2025年度 (no space).
    parts = [_("Year %(year)s ") % {"year": honor.year}]
    if honor.edition:
        # Translators: the edition (届) of a title on the certificate: 第22届 (no space).
        parts.append(_("Edition %(edition)s ") % {"edition": honor.edition})
    if honor.star_grade:
        # Translators: the star grade before the title on the certificate: 三星级 (no space).
        parts.append(_("%(stars)s ") % {"stars": STAR_PREFIXES[honor.star_grade]})
    return "".join([*parts, post])


def seal_area(pdf, x, y, radius):
    """A faint dashed circle where the committee stamps its seal over its name and the date."""
    pdf.saveState()
    pdf.setStrokeColor(colors.HexColor("#e3b3ae"))
    pdf.setLineWidth(0.8)
    pdf.setDash(3, 3)
    pdf.circle(x, y, radius)
    pdf.restoreState()


def certificate_pdf(honor) -> bytes:
    """The A4 landscape certificate of an honor (its collective, named_by and named_by.region loaded), with the QR
    code of its public verification page."""
    ensure_font()
    collective = honor.collective
    verify_url = public_address(honor.get_absolute_url())
    title = certificate_title(honor)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{_('Certificate of Honour')} {honor.certificate_number}")
    pdf.setAuthor(honor.named_by.name)
    pdf.setSubject(title)

    # A double frame: a heavy red outer line and a thin gold inner one.
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(6)
    pdf.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1.5)
    pdf.rect(20 * mm, 20 * mm, width - 40 * mm, height - 40 * mm)

    centre, text_width = width / 2, width - 90 * mm
    left = 45 * mm
    draw_centred(pdf, _("Certificate of Honour"), centre, height - 52 * mm, 46, text_width, color=RED)

    # The addressee on its own line, then the conferral indented two characters, as committees write it.
    y = height - 82 * mm
    addressee = f"{collective.workplace_unit}{collective.name}："
    size = 22 if len(wrap(addressee, 22, text_width)) <= 2 else 16
    pdf.setFillColor(INK)
    pdf.setFont(FONT, size)
    for line in wrap(addressee, size, text_width):
        pdf.drawString(left, y, line)
        y -= size * 1.5
    # Translators: the sentence of the certificate after the collective: 被授予“2025年度安庆市青年文明号”称号。特发此证。
    body = "\u3000\u3000" + _("has been awarded the title “%(title)s”. This certificate is hereby issued.") % {"title": title}
    y -= 4 * mm
    pdf.setFont(FONT, 22)
    for line in wrap(body, 22, text_width):
        pdf.drawString(left, y, line)
        y -= 22 * 1.7

    # The issuing committee and the date, bottom right, under the seal area.
    signature_x = width - 88 * mm
    seal_area(pdf, signature_x, 52 * mm, 21 * mm)
    pdf.setFillColor(INK)
    pdf.setFont(FONT, fit(honor.named_by.name, 18, 80 * mm, 11))
    pdf.drawCentredString(signature_x, 56 * mm, honor.named_by.name)
    pdf.setFont(FONT, 15)
    pdf.drawCentredString(signature_x, 46 * mm, date_format(honor.named_on, "DATE_FORMAT"))
    if honor.decision_reference:
        pdf.setFont(FONT, 11)
        pdf.setFillColor(MUTED)
        pdf.drawCentredString(signature_x, 37 * mm, _("Decision reference: %(reference)s") % {"reference": honor.decision_reference})

    # The QR code of the verification page, bottom left, the certificate number and the address beside it.
    qr_size = 30 * mm
    qr_x, qr_y = 30 * mm, 30 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), qr_x, qr_y, qr_size, qr_size)
    text_x = qr_x + qr_size + 4 * mm
    pdf.setFillColor(INK)
    pdf.setFont(FONT, 11)
    pdf.drawString(text_x, qr_y + 20 * mm, _("Certificate number: %(number)s") % {"number": honor.certificate_number})
    pdf.setFillColor(MUTED)
    pdf.setFont(FONT, 9)
    pdf.drawString(text_x, qr_y + 13 * mm, _("Scan to verify, or check it at:"))
    pdf.setFont(FONT, 8)
    pdf.drawString(text_x, qr_y + 8 * mm, verify_url)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def page_number(pdf, doc):
    pdf.saveState()
    pdf.setFont(FONT, 9)
    pdf.setFillColor(colors.grey)
    pdf.drawCentredString(doc.pagesize[0] / 2, 10 * mm, _("Page %(page)s") % {"page": doc.page})
    pdf.restoreState()


def named_list_pdf(round, honors) -> bytes:
    """The A4 portrait named list (命名名单) of a round, one row per honor in the order given, under the issuing
    committee, the date of naming and the decision reference (文号) when known."""
    ensure_font()
    honors = list(with_related(honors))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{round.title} {_('Named list')}",
        author=round.node.name,
    )
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=TA_CENTER)
    subtitle_style = ParagraphStyle("subtitle", parent=title_style, fontSize=15, leading=22)
    facts_style = ParagraphStyle("facts", fontName=FONT, fontSize=10.5, leading=16, alignment=TA_CENTER, textColor=INK)
    sign_style = ParagraphStyle("sign", fontName=FONT, fontSize=12, leading=20, alignment=2, textColor=INK)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, alignment=TA_CENTER, textColor=colors.white)

    def row(values, style):
        return [Paragraph(escape(str(value)), style) for value in values]

    columns = [_("No."), _("certificate number"), _("collective"), _("workplace unit"), _("region"), _("title")]
    rows = [row(map(capfirst, columns), head)]
    for number, honor in enumerate(honors, start=1):
        collective = honor.collective
        rows.append(
            row(
                [
                    number,
                    honor.certificate_number,
                    collective.name,
                    collective.workplace_unit,
                    region_label(collective.region),
                    certificate_title(honor),
                ],
                cell,
            )
        )

    table = Table(rows, colWidths=[10 * mm, 35 * mm, 38 * mm, 34 * mm, 25 * mm, 38 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), RED),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f1ef")]),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    named_on = honors[0].named_on if honors else None
    reference = next((honor.decision_reference for honor in honors if honor.decision_reference), "")
    facts = [_("Issued by: %(committee)s") % {"committee": round.node.name}]
    if named_on:
        facts.append(_("Named on: %(date)s") % {"date": date_format(named_on, "DATE_FORMAT")})
    if reference:
        facts.append(_("Decision reference: %(reference)s") % {"reference": reference})
    story = [
        Paragraph(escape(round.title), title_style),
        Paragraph(escape(_("Named list")), subtitle_style),
        Spacer(0, 2 * mm),
        Paragraph(escape("\u3000\u3000".join(facts)), facts_style),
        Spacer(0, 5 * mm),
        table,
        Spacer(0, 10 * mm),
        Paragraph(escape(round.node.name), sign_style),
    ]
    if named_on:
        story.append(Paragraph(escape(date_format(named_on, "DATE_FORMAT")), sign_style))
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number, canvasmaker=Canvas)
    return buffer.getvalue()
