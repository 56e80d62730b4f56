"""A response whose body is still content-encoded, handed on as plain bytes.

Scrapy types a response by its Content-Type as it arrives, so a gzipped HTML page is an
HtmlResponse while its body is still gzip. HttpCompressionMiddleware then decodes it with
`response.replace(...)`, which reads every attribute of the old response first, the text
encoding included: for a page whose headers name no charset, that runs charset detection
(charset_normalizer) over the compressed bytes, only to throw the answer away. On 1,656 real
pages served gzipped without a charset it was 20% of the crawl's CPU (py-spy). Handed on as a
plain `Response`, the body is typed again (and its encoding found, if anyone asks) once it is
decoded. `StillEncodedMiddleware` sits just before HttpCompressionMiddleware (590) on the way
back, after the archive (950) has kept the response as received.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response, TextResponse


def as_still_encoded(response: Response) -> Response:
    """`response` as a plain Response when its body is still content-encoded text; else itself."""
    if not isinstance(response, TextResponse) or not response.headers.get(b"Content-Encoding"):
        return response
    # Response.attributes, not the TextResponse's: those would read `encoding` again.
    return Response(**{name: getattr(response, name) for name in Response.attributes})


class StillEncodedMiddleware:
    """Downloader middleware: `as_still_encoded` on every response, before its decompression."""

    def process_response(self, request: Request, response: Response) -> Response:
        return as_still_encoded(response)
