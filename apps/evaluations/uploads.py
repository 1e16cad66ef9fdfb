"""Checking uploaded files by their content, not their name: PDF, JPEG and PNG only, with size limits."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # A 30,000×30,000 "image" is a decompression bomb, not a photo.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def sniff_content_type(upload):
    """The real type of an uploaded file, or None when it is none of PDF, JPEG, PNG."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "application/pdf"
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The image is too large (more than 40 million pixels)."), code="pixels")
            image.verify()
            return IMAGE_TYPES.get(image.format)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        return None
    finally:
        upload.seek(0)


def validate_upload(upload, max_megabytes):
    """Return the checked content type or raise a ValidationError with a clear message."""
    if upload.size > max_megabytes * 1024 * 1024:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s MB.") % {"name": upload.name, "limit": max_megabytes}, code="size"
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name}, code="type"
        )
    return content_type
