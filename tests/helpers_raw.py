"""Raw captures made in a test: WARC files of article pages, put in a store's raw/ as a crawl
would have archived them."""

from __future__ import annotations

import io

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.storage import Store

SITE = "harbour"
BASE = "https://harbour.example/news/"
TOPICS = [
    ("ferry", "The island ferry will run a second boat on weekdays from April, after months of "
              "complaints about queues at the slipway and missed connections with the mainland "
              "trains that commuters depend on."),
    ("library", "The reading room of the town library reopens on Monday with new shelving, a "
                "larger children's corner and longer evening hours that the council agreed after "
                "a petition signed by more than two thousand residents."),
    ("lifeboat", "Volunteers at the lifeboat station launched twice in one night to bring in a "
                 "fishing crew whose engine failed off the point, and both rescues ended with "
                 "everyone home safe before the storm reached the harbour."),
    ("market", "Stallholders at the Saturday market say takings are up since the square was "
               "closed to traffic, and the traders' association has asked for the trial to be "
               "made permanent when the council meets in the spring."),
]


def article_html(slug: str, lead: str, extra: str = "") -> bytes:
    paragraphs = [
        lead,
        f"Local people quoted in this report about the {slug} said they had waited a long time "
        "for the change and hoped it would last beyond the first busy summer season.",
        f"A spokesperson said the {slug} plans would be reviewed at the end of the year, with a "
        "public meeting in the town hall where anyone can put questions to the council.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>News about the {slug}</title></head><body><article>"
        f"<h1>News about the {slug}</h1>{body}{extra}</article></body></html>"
    ).encode()


def warc_of(pages: list[tuple[str, bytes]], site: str = SITE) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    for url, body in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"Newsmill-Site": site, "Newsmill-Kind": "article",
                               "Newsmill-Source": "feed"}))
    return buf.getvalue()


def put_raw(store: Store, key: str, pages: list[tuple[str, bytes]]) -> None:
    store.put(key, warc_of(pages))
