"""Scrapy's meta-refresh redirects, read from the head of the page only.

Scrapy's MetaRefreshMiddleware looks for `<meta http-equiv="refresh">` in a page's first 4,096
characters, but it gets them by decoding the whole body (`response.text`). Nothing else in a
crawl needs the text, since the archive keeps bytes and extraction decodes later. On the 1,656
benchmark pages that decoding was about a tenth of the crawl's CPU (py-spy). This middleware
hands Scrapy's own logic a copy of the response holding only as many bytes as those 4,096
characters can take, so the decision is Scrapy's and the decoding is a few kilobytes.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response

HEAD_CHARS = 4096  # what scrapy.utils.response.get_meta_refresh reads
# No encoding Scrapy decodes takes more than 4 bytes a character (UTF-8, UTF-32).
HEAD_BYTES = HEAD_CHARS * 4


def page_head(response: HtmlResponse) -> HtmlResponse:
    """`response` with its body cut to HEAD_BYTES (itself when shorter).

    The copy is built, not `replace`d: `replace` reads every attribute first, the text
    included, which would decode the whole body after all.
    """
    if len(response.body) <= HEAD_BYTES:
        return response
    kept = {name: getattr(response, name) for name in Response.attributes}
    # The whole page's encoding: cheap when the headers, a BOM or the head declare it, and for
    # a page that declares none, Scrapy's guess from the whole body, as Scrapy decides on.
    return HtmlResponse(**{**kept, "body": response.body[:HEAD_BYTES]},
                        encoding=response.encoding)


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Replaces scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware (same setting,
    METAREFRESH_ENABLED, same order)."""

    def process_response(  # type: ignore[override]  # Scrapy's deprecated `spider` arg dropped
        self, request: Request, response: Response
    ) -> Request | Response:
        if not isinstance(response, HtmlResponse):
            return response
        head = page_head(response)
        answer = super().process_response(request, head)
        return response if answer is head else answer
