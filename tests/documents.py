"""The portal's PDFs read as documents, with poppler-utils as a reader would (`make install` installs it):
the text pdftotext extracts, the fonts pdffonts lists, and the QR codes the images hold."""

import io
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy
from PIL import Image, ImageOps


def pdftotext(pdf: bytes, layout=False) -> str:
    """The document's text in reading order (without -layout, each drawn string on its own run)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def flat(text: str) -> str:
    """The text without white space: table cells and long lines wrap anywhere."""
    return "".join(text.split())


def pdffonts(pdf: bytes) -> list[dict]:
    """One row per font the document uses: its name, type and whether it is embedded."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        output = subprocess.run(["pdffonts", file.name], capture_output=True, check=True, text=True).stdout
    rows = []
    for line in output.splitlines()[2:]:
        # name, type (one or two words), encoding, emb, sub, uni, object number, generation
        words = line.split()
        rows.append({"name": words[0], "emb": words[-5], "sub": words[-4], "uni": words[-3]})
    return rows


def decode_qr_pixels(image):
    """The QR code's text, or "". OpenCV's classic detector misses some codes drawn edge to edge (which ones depends on
    the text, here the certificate number: 8 in 2,000 numbers even with a margin and a larger scale); its ArUco-based
    detector reads those, and none was missed by both."""
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for scale in (1, 4):
            framed = ImageOps.expand(image.resize((image.width * scale, image.height * scale), Image.NEAREST), border=16 * scale, fill=255)
            text, _points, _ = detector.detectAndDecode(numpy.array(framed))
            if text:
                return text
    return ""


def qr_codes(pdf: bytes) -> list[str]:
    """The text of every QR code among the document's images (extracted by pdfimages)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdfimages", "-png", str(path), str(Path(folder) / "image")], check=True)
        texts = []
        for image in sorted(Path(folder).glob("image-*.png")):
            text = decode_qr_pixels(Image.open(io.BytesIO(image.read_bytes())).convert("L"))
            if text:
                texts.append(text)
        return texts


def assert_fonts_embedded(pdf: bytes):
    fonts = pdffonts(pdf)
    assert fonts, "the document draws no text"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert all(font["uni"] == "yes" for font in fonts), fonts  # the text can be copied and searched
