"""Small helpers shared by both publishers' templates: escaping, dates, links, binary assets."""

from __future__ import annotations

import html
import json
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from newsmill.pipeline.demo.model import Para, Response

HTML_UTF8 = "text/html; charset=UTF-8"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def iso(dt: datetime) -> str:
    """W3C datetime keeping the publisher's own offset, as sites print it."""
    return dt.isoformat(timespec="seconds")


def rfc822(dt: datetime) -> str:
    return format_datetime(dt)


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def long_date(dt: datetime) -> str:
    return f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}"


def us_date(dt: datetime) -> str:
    return f"{MONTHS[dt.month - 1]} {dt.day}, {dt.year}"


def json_ld(data: Any) -> str:
    # "</" inside a script element would end it early, whatever JSON thinks of it.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def inline(para: Para, resolve: Callable[[str], str]) -> str:
    """Paragraph text as HTML, with its links wrapped; the visible text is unchanged."""
    rest = para.text
    out: list[str] = []
    for phrase, href in para.links:
        before, found, after = rest.partition(phrase)
        if not found:
            raise ValueError(f"link phrase {phrase!r} not in paragraph {para.text[:40]!r}")
        out.append(esc(before))
        out.append(f'<a href="{attr(resolve(href))}">{esc(phrase)}</a>')
        rest = after
    out.append(esc(rest))
    return "".join(out)


def html_response(
    text: str,
    *,
    status: int = 200,
    encoding: str = "utf-8",
    last_modified: datetime | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    label = "UTF-8" if encoding == "utf-8" else encoding
    return Response(
        status=status,
        body=text.encode(encoding),
        content_type=f"text/html; charset={label}",
        last_modified=last_modified,
        headers=headers,
    )


def xml_response(text: str, content_type: str, last_modified: datetime | None) -> Response:
    return Response(200, text.encode("utf-8"), content_type, last_modified)


def text_response(text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(200, text.encode("utf-8"), content_type)


def redirect(location: str, status: int = 301) -> Response:
    body = f'<html><body>Moved to <a href="{attr(location)}">{esc(location)}</a></body></html>'
    return Response(status, body.encode("utf-8"), HTML_UTF8, headers=(("Location", location),))


def png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1x1 PNG; pages reference images, and a crawler that follows them gets real bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pdf(lines: list[str]) -> bytes:
    """A small but well-formed PDF (correct xref offsets), so it is a real non-HTML document."""
    text_ops = ["BT", "/F1 14 Tf", "72 760 Td", "18 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({safe}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
    out += f"{trailer}startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)
