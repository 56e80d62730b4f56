"""A gzipped page leaves the archive as plain bytes and reaches the spider as an HtmlResponse
with its text, decoded by Scrapy's own HttpCompressionMiddleware; nothing sniffs the charset of
the compressed bytes on the way."""

from __future__ import annotations

import gzip

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newsmill.spiders.archive.still_encoded import as_still_encoded

PAGE = "<html><head><title>Quay</title></head><body><p>Ferry news: café reopens</p></body></html>"


def _received(body: bytes, headers: dict[str, str]) -> HtmlResponse:
    url = "http://127.0.0.1:8000/news/quay.html"
    return HtmlResponse(url, status=200, headers=headers, body=body, request=Request(url))


def _decompress(response: Response) -> Response:
    mw = HttpCompressionMiddleware.from_crawler(get_crawler())
    assert response.request is not None
    return mw.process_response(response.request, response)


def test_a_gzipped_page_is_plain_bytes_until_decoded_then_html_again() -> None:
    received = _received(gzip.compress(PAGE.encode()),
                         {"Content-Type": "text/html", "Content-Encoding": "gzip"})

    handed_on = as_still_encoded(received)

    # The encoding of compressed bytes is never asked: a plain Response has none.
    assert type(handed_on) is Response
    assert not hasattr(handed_on, "encoding")
    assert (handed_on.url, handed_on.status, handed_on.body, handed_on.request) == (
        received.url, received.status, received.body, received.request)
    assert handed_on.headers == received.headers

    decoded = _decompress(handed_on)
    assert isinstance(decoded, HtmlResponse)
    assert "café reopens" in decoded.text
    assert b"Content-Encoding" not in decoded.headers


def test_a_page_that_is_not_encoded_is_handed_on_as_it_is() -> None:
    received = _received(PAGE.encode(), {"Content-Type": "text/html; charset=utf-8"})
    assert as_still_encoded(received) is received
