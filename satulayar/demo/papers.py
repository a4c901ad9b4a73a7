"""Small real papers for the demo's leave requests (and the tests): a one-page PDF letter and a JPEG scan,
built byte for byte from their text so the same seed gives the same files."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def letter_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with these lines in Helvetica, with a correct cross-reference table."""
    text = "".join(f"({_escape(line)}) Tj T* " for line in lines).encode("latin-1", "replace")
    stream = b"BT /F1 11 Tf 14 TL 72 770 Td " + text + b"ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def scan_jpeg(lines: list[str]) -> bytes:
    """A small greyscale 'scan' of these lines as a JPEG."""
    image = Image.new("L", (420, 24 + 18 * len(lines)), 250)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((16, 12 + 18 * row), line, fill=20)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def doctor_letter(name: str, days: int, as_jpeg: bool = False) -> SimpleUploadedFile:
    """A surat keterangan dokter for `name`, resting `days` days, as an upload."""
    lines = ["SURAT KETERANGAN DOKTER", "", f"Yang bertanda tangan menerangkan bahwa {name}",
             f"perlu beristirahat karena sakit selama {days} hari.", "", "dr. Puskesmas (data demo)"]
    if as_jpeg:
        return SimpleUploadedFile("surat-dokter.jpg", scan_jpeg(lines), content_type="image/jpeg")
    return SimpleUploadedFile("surat-dokter.pdf", letter_pdf(lines), content_type="application/pdf")
