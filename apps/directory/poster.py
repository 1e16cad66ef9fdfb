"""The printable A4 poster of a post (亮标识): what the collective puts up at its counter so that the public can hold
it to its promises. An emblem area, the programme's name and the post's current titles (or 争创集体), its name and
unit, its service promises filling the middle of the page at the largest size that fits, the supervision phone, the
credit pledge and the QR code of its public page at the portal's public address (settings.SITE_URL).

A vector PDF in the portal's embedded Chinese font (civpost/pdf.py). No personal data: no 号长, no member.
"""

import io
import math

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from apps.collectives.models import CREDIT_PLEDGE
from apps.evaluations.certificates import certificate_title
from civpost.links import public_address
from civpost.pdf import FONT, Canvas, GOLD, INK, MUTED, RED, draw_centred, ensure_font, fit, qr_png, wrap

WIDTH, HEIGHT = A4
MARGIN = 16 * mm
TEXT_WIDTH = WIDTH - 2 * MARGIN
PAPER = colors.HexColor("#fbf6ee")
LEADING = 1.45


def promise_lines(promises, width, height, largest=30, smallest=9):
    """Numbered, wrapped promise lines and the largest font size at which they fill the box (down to 9 pt, then
    cut): three short promises are printed large, twelve long ones small."""
    for size in range(largest, smallest - 1, -1):
        lines = []
        for number, promise in enumerate(promises, start=1):
            wrapped = wrap(f"{number}. {promise}", size, width - size * 1.2)
            lines.extend([(wrapped[0], 0), *[(line, 1) for line in wrapped[1:]]])
        if len(lines) * size * LEADING <= height:
            return lines, size
    return lines[: int(height // (size * LEADING))], size


def emblem_area(pdf, x, y, radius):
    """The emblem area: a gold ring with a five-pointed star, where a committee may paste the programme's emblem."""
    pdf.saveState()
    pdf.setStrokeColor(GOLD)
    pdf.setFillColor(RED)
    pdf.setLineWidth(2.5)
    pdf.circle(x, y, radius, stroke=1, fill=0)
    pdf.setLineWidth(0.8)
    pdf.circle(x, y, radius * 0.86, stroke=1, fill=0)
    points = []
    for index in range(10):
        r = radius * (0.62 if index % 2 == 0 else 0.25)
        angle = math.pi / 2 + index * math.pi / 5
        points.append((x + r * math.cos(angle), y + r * math.sin(angle)))
    path = pdf.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    pdf.setFillColor(GOLD)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()


def poster_pdf(collective, honors) -> bytes:
    """The A4 portrait poster of a public collective; `honors` are its valid titles, newest first, with named_by and
    its region loaded."""
    ensure_font()
    page_url = public_address(collective.get_absolute_url())
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{collective.name} · {_('Youth Civilization Post')}")
    pdf.setAuthor(collective.workplace_unit)
    pdf.setSubject(_("Service promises and supervision phone"))

    # The red band: the emblem area, the programme's name and the collective's titles, or 争创集体.
    band = 74 * mm
    pdf.setFillColor(RED)
    pdf.rect(0, HEIGHT - band, WIDTH, band, stroke=0, fill=1)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(3)
    pdf.line(0, HEIGHT - band, WIDTH, HEIGHT - band)
    emblem_area(pdf, WIDTH / 2, HEIGHT - 22 * mm, 13 * mm)
    y = draw_centred(pdf, _("Youth Civilization Post"), WIDTH / 2, HEIGHT - 50 * mm, 42, TEXT_WIDTH, color=colors.white)
    titles = "　".join(certificate_title(honor) for honor in honors) or _("Aspiring collective")
    draw_centred(pdf, titles, WIDTH / 2, y - 1 * mm, 22, TEXT_WIDTH, color=colors.HexColor("#ffe9a8"), min_size=11)

    # Who: the collective and its unit.
    y = HEIGHT - band - 17 * mm
    y = draw_centred(pdf, collective.name, WIDTH / 2, y, 32, TEXT_WIDTH, min_size=18)
    y = draw_centred(pdf, collective.workplace_unit, WIDTH / 2, y - 1 * mm, 18, TEXT_WIDTH, color=MUTED, min_size=12)

    # The footer: the supervision phone and the pledge on the left, the QR code on the right.
    qr_size = 52 * mm
    footer_top = MARGIN + 8 * mm + qr_size + 6 * mm

    # The promises fill the box between the name and the footer, vertically centred in it.
    box_top, box_bottom = y - 2 * mm, footer_top + 4 * mm
    pdf.setFillColor(PAPER)
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(1)
    pdf.roundRect(MARGIN, box_bottom, TEXT_WIDTH, box_top - box_bottom, 4 * mm, stroke=1, fill=1)
    heading_y = box_top - 12 * mm
    draw_centred(pdf, _("Our service promises"), WIDTH / 2, heading_y, 22, TEXT_WIDTH, color=RED)
    inner_left, inner_width = MARGIN + 8 * mm, TEXT_WIDTH - 16 * mm
    room = heading_y - 8 * mm - (box_bottom + 6 * mm)
    lines, size = promise_lines(collective.promise_lines, inner_width, room)
    used = len(lines) * size * LEADING
    y = heading_y - 8 * mm - (room - used) / 2 - size
    pdf.setFillColor(INK)
    pdf.setFont(FONT, size)
    for text, continued in lines:
        pdf.drawString(inner_left + (size * 1.2 if continued else 0), y, text)
        y -= size * LEADING

    text_width = TEXT_WIDTH - qr_size - 8 * mm
    y = footer_top - 10 * mm
    pdf.setFillColor(RED)
    pdf.setFont(FONT, 15)
    pdf.drawString(MARGIN, y, _("Supervision phone"))
    phone_size = fit(collective.supervision_phone, 34, text_width, 16)
    pdf.setFillColor(INK)
    pdf.setFont(FONT, phone_size)
    pdf.drawString(MARGIN, y - 14 * mm, collective.supervision_phone)
    y -= 26 * mm
    pdf.setFillColor(RED)
    pdf.setFont(FONT, 15)
    pdf.drawString(MARGIN, y, _("Credit pledge"))
    y -= 9 * mm
    pdf.setFillColor(INK)
    pledge_size = fit(CREDIT_PLEDGE, 16, text_width, 9)
    pdf.setFont(FONT, pledge_size)
    for line in wrap(CREDIT_PLEDGE, pledge_size, text_width):
        pdf.drawString(MARGIN, y, line)
        y -= pledge_size * 1.4

    qr_x, qr_y = WIDTH - MARGIN - qr_size, MARGIN + 8 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(page_url))), qr_x, qr_y, qr_size, qr_size)
    pdf.setFillColor(MUTED)
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 5 * mm, _("Scan to see our public page"))
    pdf.setFont(FONT, 9)
    pdf.drawString(MARGIN, MARGIN - 4 * mm, page_url)
    if collective.registration_number:
        pdf.drawRightString(
            WIDTH - MARGIN,
            MARGIN - 4 * mm,
            _("Registration number: %(number)s") % {"number": collective.registration_number},
        )

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
