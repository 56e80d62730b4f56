"""The record's fields beyond the text: images, embeds, rights and the paywall flag.

Called by pipeline.extract.page once the text is final, since embed positions index its
paragraphs. The JSON-LD Article node is read once for images, rights and paywall.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from newsmill.pipeline.extract.candidates import PageMetadata
from newsmill.pipeline.extract.embeds import find_embeds
from newsmill.pipeline.extract.images import find_images
from newsmill.pipeline.extract.ld_article import read_ld_article
from newsmill.pipeline.extract.paywall import is_paywalled
from newsmill.pipeline.extract.rights import read_rights
from newsmill.pipeline.extract.text_map import TextMap


@dataclass
class Extras:
    images: list[dict[str, Any]]
    embeds: list[dict[str, Any]]
    rights: dict[str, Any]
    paywalled: bool | None


def read_extras(
    tree: HtmlElement,
    pruned: HtmlElement,
    *,
    url: str,
    paragraphs: list[str],
    extracted: list[str],
    lead_image: str | None,
    meta: PageMetadata,
    class_values: list[str],
    headers: Mapping[str, str] | None = None,
    hints: Mapping[str, Any] | None = None,
) -> Extras:
    """`tree` is the whole page, `pruned` the copy the text was extracted from (its furniture
    gone: related-story thumbnails are not the article's images); `paragraphs` the record's
    final text, `extracted` the text before boilerplate filtering."""
    ld = read_ld_article(meta.jsonld_documents)
    text_map = TextMap(pruned, paragraphs)
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    return Extras(
        images=find_images(text_map, ld, lead_image, url),
        embeds=find_embeds(text_map, url),
        rights=read_rights(tree, ld, meta_tags=meta.meta_tags, base_url=url, headers=lowered,
                           hints=hints or {}),
        paywalled=is_paywalled(tree, ld, extracted, class_values),
    )
