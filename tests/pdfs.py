"""Small PDF files built byte by byte for upload tests: a clean one, and ones carrying active content."""

import zlib

CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def _assemble(bodies, trailer_extra=b""):
    """A PDF with a classic cross-reference table of the given object bodies, numbered from 1."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, trailer_extra, xref)
    return bytes(out)


def clean_pdf():
    return _assemble([CATALOG % b"", PAGES, PAGE])


def pdf_with(catalog_entry, *extra_objects):
    """A one-page PDF whose catalogue carries `catalog_entry` (e.g. b"/OpenAction 4 0 R"), objects numbered from 4."""
    return _assemble([CATALOG % catalog_entry, PAGES, PAGE, *extra_objects])


def javascript_on_open():
    return pdf_with(b"/OpenAction 4 0 R", b"<< /S /JavaScript /JS (app.alert(1)) >>")


def launch_action():
    return pdf_with(b"/OpenAction 4 0 R", b"<< /S /Launch /F (cmd.exe) >>")


def embedded_file():
    return pdf_with(
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    )


def hex_escaped_javascript():
    """/J#53 is the name /JS written with a hex escape: a byte search for "/JS" misses it."""
    return pdf_with(b"/OpenAction 4 0 R", b"<< /S /#4A#61vaScript /J#53 (app.alert(1)) >>")


def javascript_in_object_stream():
    """The JavaScript action lives compressed inside an object stream (PDF 1.5), listed by a cross-reference stream:
    its bytes never appear in the file as written."""
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    header = b"4 0 "
    objstm = zlib.compress(header + action)
    out, offsets = bytearray(b"%PDF-1.7\n"), {}
    for number, body in ((1, CATALOG % b"/OpenAction 4 0 R"), (2, PAGES), (3, PAGE)):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[5] = len(out)
    out += b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(objstm))
    out += objstm + b"\nendstream\nendobj\n"
    offsets[6] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, 7):
        if number == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)
