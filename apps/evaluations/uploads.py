"""Checking uploaded files by their content, not their name: PDF, JPEG and PNG only, with size limits, and PDFs
without anything a reader would run (scripts, launch actions, embedded files, forms with their own code)."""

import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

MAX_PIXELS = 40_000_000  # A 30,000×30,000 "image" is a decompression bomb, not a photo.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

# PDF names that make a reader run or open something: JavaScript, launching programs, embedded files, additional
# actions on open/close/mouse events, Flash/3D content and XFA forms (which carry their own scripts).
ACTIVE_PDF_NAMES = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/AA", "/RichMedia", "/XFA"}
# The same names in the raw bytes, for objects a damaged file hides from its cross-reference table.
ACTIVE_PDF_BYTES = re.compile(rb"/(?:JS|JavaScript|Launch|EmbeddedFiles?|AA|RichMedia|XFA)(?=[\s/<>\[\]()%]|$)")


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
    if content_type == "application/pdf":
        check_pdf(upload)
    return content_type


def check_pdf(upload):
    """Refuse a PDF that carries active content, found by walking every object (compressed object streams
    included, names decoded) and by a scan of the raw bytes; or one that cannot be read or is encrypted."""
    upload.seek(0)
    try:
        if ACTIVE_PDF_BYTES.search(upload.read()) or _has_active_objects(upload):
            raise ValidationError(
                _("%(name)s contains scripts, launch actions or embedded files. Print it to a new PDF (or save it as "
                  "“PDF/A”) and upload that one.") % {"name": upload.name},
                code="active_pdf",
            )
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError):
        raise ValidationError(_("%(name)s is damaged or encrypted and cannot be checked.") % {"name": upload.name}, code="bad_pdf")
    finally:
        upload.seek(0)


def _has_active_objects(upload):
    upload.seek(0)
    reader = PdfReader(upload, strict=False)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    numbers = {number for objects in reader.xref.values() for number in objects} | set(reader.xref_objStm)
    return any(_is_active(reader.get_object(number)) for number in numbers)


def _is_active(value):
    """Does this object, or a dictionary or array written inside it, name active content? Indirect references are
    not followed: every indirect object is checked on its own."""
    if isinstance(value, DictionaryObject):
        return any(key in ACTIVE_PDF_NAMES or _is_active(item) for key, item in value.items())
    if isinstance(value, ArrayObject):
        return any(_is_active(item) for item in value)
    return isinstance(value, NameObject) and value in ACTIVE_PDF_NAMES


def download_response(file, content_type, filename):
    """A stored upload served as a download: a browser never renders a PDF or an image from it in the portal's origin."""
    response = FileResponse(file.open("rb"), content_type=content_type, as_attachment=True)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
