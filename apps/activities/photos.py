"""Report photos: verified by decoding, size- and pixel-limited, re-encoded without EXIF (so no GPS location),
with a thumbnail made once at upload and reused on every page."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_MB = 10
MAX_PIXELS = 40_000_000
STORED_LONG_SIDE = 2560
THUMBNAIL_LONG_SIDE = 480


def _open_checked(upload):
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(_("%(name)s is larger than %(limit)s MB.") % {"name": upload.name, "limit": MAX_UPLOAD_MB})
    upload.seek(0)
    try:
        image = Image.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("The image is too large (more than 40 million pixels)."))
        image.load()  # Decodes every pixel: a truncated or fake file fails here, not later on a page.
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": upload.name})
    if image.format not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": upload.name})
    return image


def _jpeg(image, long_side):
    copy = image.copy()
    copy.thumbnail((long_side, long_side))
    buffer = io.BytesIO()
    # No exif= argument: the saved file carries no metadata at all.
    copy.save(buffer, "JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())


def process_photo(upload):
    """Return (photo, thumbnail) as JPEG files ready to save, or raise ValidationError with a clear message."""
    image = _open_checked(upload)
    image = ImageOps.exif_transpose(image).convert("RGB")  # Keep the orientation the camera recorded, then drop EXIF.
    return _jpeg(image, STORED_LONG_SIDE), _jpeg(image, THUMBNAIL_LONG_SIDE)


def check_photo(upload):
    """Validation only (for forms): raises ValidationError for anything that is not a usable photo."""
    _open_checked(upload)
    upload.seek(0)
