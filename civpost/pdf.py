"""What every PDF of the portal shares (certificate, named list, poster, 申报表): the embedded Chinese font, the
programme's colours, text that fits a width, and QR codes.

The font is a TrueType CJK font (settings.PDF_FONT, by default WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, Apache-2.0 or GPLv3 with the font exception): reportlab embeds the subset of glyphs each
document uses, so the documents print the same on any PC or at any print shop, with no font of the reader's.
`make install` installs the package; reportlab's TTFont reads TrueType outlines only (not CFF/OTF).
"""

import io
import threading

import qrcode
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from qrcode.image.pil import PilImage
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas


FONT = "CivpostCJK"

RED = colors.HexColor("#b3261e")
GOLD = colors.HexColor("#c9a227")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#555555")

_lock = threading.Lock()


def ensure_font():
    """Register the embedded font once per process (before the first document draws text)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    with _lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        path, index = settings.PDF_FONT, settings.PDF_FONT_INDEX
        try:
            font = TTFont(FONT, str(path), subfontIndex=index)
        except OSError as error:
            raise ImproperlyConfigured(
                f"PDF_FONT {path} cannot be read ({error}): install fonts-wqy-microhei (make install) or set PDF_FONT."
            ) from error
        pdfmetrics.registerFont(font)


def Canvas(*args, **kwargs):  # noqa: N802 - reportlab's canvasmaker, called like the class it stands for
    """A reportlab canvas whose initial font is the embedded one: a page never names a font that is not embedded
    (reportlab's default initial font, Helvetica, would be listed unembedded). Pass it as doc.build(canvasmaker=)."""
    ensure_font()
    kwargs["initialFontName"] = FONT  # platypus passes its own (Helvetica): replace it
    return canvas.Canvas(*args, **kwargs)


def qr_png(url: str) -> bytes:
    """A PNG QR code of url, error correction M (15 %), a two-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=PilImage).save(buffer)
    return buffer.getvalue()


# Punctuation that never starts a line (Chinese line breaking, GB/T 15834): it stays at the end of the line before.
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


def wrap(text, size, max_width):
    """Lines of text that fit max_width at this size; Chinese has no spaces, so it breaks between characters, never
    before a closing punctuation mark."""
    lines, line = [], ""
    for char in text:
        if line and char not in NO_LINE_START and pdfmetrics.stringWidth(line + char, FONT, size) > max_width:
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
