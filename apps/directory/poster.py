"""The printable A4 poster of a post (亮标识): what the collective puts up at its counter so that the public can hold
it to its promises. Name, unit, current titles (or 争创集体), service promises, supervision phone, credit pledge and
the QR code of the public page, on one page whatever the length of the promises.

Chinese uses reportlab's CID font STSong-Light, as the certificates do: the PDF reader supplies the glyphs.
"""

import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from apps.collectives.models import CREDIT_PLEDGE
from apps.evaluations.certificates import FONT, GOLD, INK, RED, draw_centred, fit, qr_png, wrap

MUTED = colors.HexColor("#555555")
WIDTH, HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = WIDTH - 2 * MARGIN


def promise_lines(promises, width, height):
    """Numbered, wrapped promise lines and the font size at which they fit the box (down to 9 pt, then cut)."""
    for size in range(22, 8, -1):
        lines = []
        for number, promise in enumerate(promises, start=1):
            wrapped = wrap(f"{number}. {promise}", size, width)
            lines.extend([(wrapped[0], 0), *[(line, 1) for line in wrapped[1:]]])
        if len(lines) * size * 1.5 <= height:
            return lines, size
    return lines[: int(height // (size * 1.5))], size


def poster_pdf(collective, honors, page_url) -> bytes:
    """The A4 portrait poster of a public collective; `honors` are its valid titles, newest first."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{collective.name} · {_('Youth Civilization Post')}")
    pdf.setAuthor(collective.workplace_unit)
    pdf.setSubject(_("Service promises and supervision phone"))
    inner = WIDTH - 2 * MARGIN

    # The red band: the programme's name and the collective's titles, or 争创集体.
    band = 62 * mm
    pdf.setFillColor(RED)
    pdf.rect(0, HEIGHT - band, WIDTH, band, stroke=0, fill=1)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(3)
    pdf.line(0, HEIGHT - band, WIDTH, HEIGHT - band)
    y = draw_centred(pdf, _("Youth Civilization Post"), WIDTH / 2, HEIGHT - 30 * mm, 44, TEXT_WIDTH, color=colors.white)
    titles = "　".join(f"{honor.year} {honor.title}" for honor in honors) or _("Aspiring collective")
    draw_centred(pdf, titles, WIDTH / 2, y - 2 * mm, 22, TEXT_WIDTH, color=colors.HexColor("#ffe9a8"), min_size=12)

    # Who: the collective and its unit.
    y = HEIGHT - band - 20 * mm
    y = draw_centred(pdf, collective.name, WIDTH / 2, y, 30, TEXT_WIDTH, min_size=18)
    y = draw_centred(pdf, collective.workplace_unit, WIDTH / 2, y - 1 * mm, 18, TEXT_WIDTH, color=MUTED, min_size=12)

    # The promises, filling the space above the phone, the pledge and the QR code.
    qr_size = 46 * mm
    footer_top = MARGIN + qr_size + 8 * mm
    y -= 6 * mm
    pdf.setFillColor(RED)
    pdf.setFont(FONT, 18)
    pdf.drawString(MARGIN, y, _("Our service promises"))
    y -= 9 * mm
    lines, size = promise_lines(collective.promise_lines, inner - 6 * mm, y - footer_top)
    pdf.setFillColor(INK)
    pdf.setFont(FONT, size)
    for text, continued in lines:
        pdf.drawString(MARGIN + 3 * mm + (size * 1.2 if continued else 0), y, text)
        y -= size * 1.5

    # Bottom left: the supervision phone and the credit pledge. Bottom right: the QR code of the public page.
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1)
    pdf.line(MARGIN, footer_top - 2 * mm, WIDTH - MARGIN, footer_top - 2 * mm)
    text_width = inner - qr_size - 8 * mm
    y = footer_top - 12 * mm
    pdf.setFillColor(RED)
    pdf.setFont(FONT, 14)
    pdf.drawString(MARGIN, y, _("Supervision phone"))
    phone_size = fit(collective.supervision_phone, 30, text_width, 16)
    pdf.setFillColor(INK)
    pdf.setFont(FONT, phone_size)
    pdf.drawString(MARGIN, y - 12 * mm, collective.supervision_phone)
    y -= 24 * mm
    pdf.setFillColor(RED)
    pdf.setFont(FONT, 14)
    pdf.drawString(MARGIN, y, _("Credit pledge"))
    y -= 8 * mm
    pdf.setFillColor(INK)
    pledge_size = fit(CREDIT_PLEDGE, 14, text_width, 9)
    for line in wrap(CREDIT_PLEDGE, pledge_size, text_width):
        pdf.setFont(FONT, pledge_size)
        pdf.drawString(MARGIN, y, line)
        y -= pledge_size * 1.4

    qr_x, qr_y = WIDTH - MARGIN - qr_size, MARGIN + 4 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(page_url))), qr_x, qr_y, qr_size, qr_size)
    pdf.setFillColor(MUTED)
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 4 * mm, _("Scan to see our public page"))
    pdf.setFont(FONT, 8)
    pdf.drawString(MARGIN, MARGIN - 6 * mm, page_url)
    if collective.registration_number:
        pdf.drawRightString(
            WIDTH - MARGIN,
            MARGIN - 6 * mm,
            _("Registration number: %(number)s") % {"number": collective.registration_number},
        )

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
