"""Printable documents of naming: the certificate (荣誉证书) with its verification QR code, and the named list.

Chinese text uses reportlab's built-in CID font STSong-Light: PDF readers supply its glyphs, so nothing is
downloaded or embedded and no system font is needed.
"""

import io
from xml.sax.saxutils import escape

import qrcode
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from qrcode.image.pil import PilImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.organizations.names import region_label

from .resources import with_related

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

RED = colors.HexColor("#b3261e")
GOLD = colors.HexColor("#c9a227")
INK = colors.HexColor("#222222")


def qr_png(url: str) -> bytes:
    """A PNG QR code of url, error correction M (15 %), a two-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer)
    return buffer.getvalue()


def wrap(text, size, max_width):
    """Lines of text that fit max_width at this size; Chinese has no spaces, so it breaks between characters."""
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, FONT, size) > max_width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def fit(text, size, max_width, min_size):
    """The largest size from `size` down to `min_size` at which text fits one line (else min_size)."""
    while size > min_size and pdfmetrics.stringWidth(text, FONT, size) > max_width:
        size -= 1
    return size


def draw_centred(pdf, text, centre, y, size, max_width, min_size=None, color=INK):
    """Draw text centred on (centre, y), shrunk down to min_size and then wrapped to fit; return the y below it."""
    size = fit(text, size, max_width, min_size or size)
    pdf.setFont(FONT, size)
    pdf.setFillColor(color)
    for line in wrap(text, size, max_width):
        pdf.drawCentredString(centre, y, line)
        y -= size * 1.35
    return y


def certificate_pdf(honor, verify_url: str) -> bytes:
    """The A4 landscape certificate of an honor, with a QR code of its public verification page."""
    collective = honor.collective
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{_('Certificate of Honour')} {honor.certificate_number}")
    pdf.setAuthor(honor.named_by.name)
    pdf.setSubject(honor.title)

    # A double frame: a heavy red outer line and a thin gold inner one.
    pdf.setStrokeColor(RED)
    pdf.setLineWidth(6)
    pdf.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1.5)
    pdf.rect(20 * mm, 20 * mm, width - 40 * mm, height - 40 * mm)

    centre, text_width = width / 2, width - 80 * mm
    draw_centred(pdf, _("Certificate of Honour"), centre, height - 62 * mm, 46, text_width, color=RED)

    y = height - 95 * mm
    y = draw_centred(pdf, collective.workplace_unit, centre, y, 20, text_width, min_size=14)
    y = draw_centred(pdf, collective.name, centre, y - 4 * mm, 30, text_width, min_size=18)
    # Translators: the sentence of the certificate, e.g. 被命名为三星级全国青年文明号.
    named = _("has been named %(title)s") % {"title": honor.title}
    draw_centred(pdf, named, centre, y - 8 * mm, 24, text_width, min_size=16)

    # The naming committee and the date, bottom right.
    signature_x = width - 85 * mm
    pdf.setFillColor(INK)
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(signature_x, 52 * mm, honor.named_by.name)
    pdf.setFont(FONT, 15)
    pdf.drawCentredString(signature_x, 43 * mm, date_format(honor.named_on, "DATE_FORMAT"))

    # The QR code of the verification page, bottom left, with the certificate number under it.
    qr_size = 30 * mm
    qr_x, qr_y = 30 * mm, 34 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), qr_x, qr_y, qr_size, qr_size)
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 4 * mm, _("Scan to verify"))
    pdf.setFont(FONT, 10)
    pdf.drawString(
        qr_x,
        qr_y - 10 * mm,
        _("Certificate number: %(number)s") % {"number": honor.certificate_number},
    )

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
    """The A4 portrait named list (命名名单) of a round, one row per honor in the order given."""
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
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, alignment=TA_CENTER, textColor=colors.white)

    def row(values, style):
        return [Paragraph(escape(str(value)), style) for value in values]

    columns = [_("No."), _("certificate number"), _("collective"), _("workplace unit"), _("region"), _("title")]
    rows = [row(map(capfirst, columns), head)]
    for number, honor in enumerate(with_related(honors), start=1):
        collective = honor.collective
        rows.append(
            row(
                [
                    number,
                    honor.certificate_number,
                    collective.name,
                    collective.workplace_unit,
                    region_label(collective.region),
                    honor.title,
                ],
                cell,
            )
        )

    table = Table(rows, colWidths=[12 * mm, 32 * mm, 40 * mm, 36 * mm, 26 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), RED),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f1ef")]),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    heading = [Paragraph(escape(round.title), title_style), Paragraph(escape(_("Named list")), subtitle_style)]
    doc.build(
        [*heading, Spacer(0, 6 * mm), table],
        onFirstPage=page_number,
        onLaterPages=page_number,
    )
    return buffer.getvalue()
