"""The article's images with caption and credit: `images` of the record.

The lead image (the record's `image`, from JSON-LD / OpenGraph) comes first, then the images
inside the article's container (pipeline.extract.text_map) in document order, each once. A
figure's caption and credit are split where the page marks them: a credit element inside the
`<figure>` (WordPress and Arc `span.credit`, Brightspot `.Figure-credit`, `<cite>`,
`itemprop=copyrightHolder`), else a trailing "Photo: ..." in the caption; JSON-LD `ImageObject`
`caption` / `creditText` / `copyrightHolder` fill what the markup leaves empty.

Left out: icons, logos, avatars and author head shots (by class, id, alt or file name), SVG,
`data:` placeholders, images drawn smaller than MIN_SIDE pixels (tracking pixels, badges), and
advertising or analytics hosts.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newsmill.pipeline.extract.ld_article import LdArticle
from newsmill.pipeline.extract.text_map import TextMap
from newsmill.pipeline.extract.whitespace import normalise_space

Image = dict[str, Any]

MIN_SIDE = 100
MAX_IMAGES = 50
_NOT_PICTURE = re.compile(
    r"logo|icon|avatar|gravatar|sprite|emoji|badge|spinner|placeholder|spacer|blank\.|pixel|"
    r"tracking|headshot|mugshot|author|profile-pic|byline",
    re.IGNORECASE,
)
_AD_HOSTS = re.compile(
    r"doubleclick|googlesyndication|adservice|adsystem|scorecardresearch|quantserve|"
    r"facebook\.com/tr|analytics|/ads?/|/pixel",
    re.IGNORECASE,
)
_CREDIT_MARK = re.compile(r"credit|copyright|photographer|attribution|byline|source|courtesy",
                          re.IGNORECASE)
_CAPTION_MARK = re.compile(r"caption", re.IGNORECASE)
# WordPress's classic captioned image is a <div class="wp-caption">, not a <figure>
_FIGURE_MARK = re.compile(r"(?:^|\s)wp-caption(?:\s|$)")
# "A trawler at dawn. Photo: Jane Doe/Reuters" or "(Photograph: AP)": the credit is the tail.
_TRAILING_CREDIT = re.compile(
    r"\s*[(\[]?\s*((?:Photo(?:graph)?s?|Picture|Image|Credit|Illustration|Foto|Video)"
    r"\s*(?:by\b|:)\s*[^()\[\]]+?)\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.\w+$)")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")


def _int(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    text = str(value or "").strip().lower().removesuffix("px")
    return int(text) if text.isdigit() and int(text) > 0 else None


def _absolute(url: str | None, base: str) -> str | None:
    if not url or not url.strip() or url.strip().startswith("data:"):
        return None
    try:
        absolute = urljoin(base, url.strip())
    except ValueError:
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def same_image_key(url: str) -> str:
    """One key for the sizes of one picture (`photo-1024x576.jpg?w=800` and `photo.jpg`)."""
    parts = urlsplit(url)
    return parts.netloc.lower() + _SIZE_SUFFIX.sub("", parts.path)


def _first_of_srcset(value: str | None) -> str | None:
    first = (value or "").split(",")[0].strip().split(" ")[0]
    return first or None


def _img_url(img: HtmlElement) -> str | None:
    src = img.get("src") or ""
    if not src.strip() or src.startswith("data:"):
        src = next((v for a in _LAZY_ATTRS if (v := img.get(a))), None) or ""
    if not src.strip():
        src = next((v for a in _SRCSET_ATTRS if (v := _first_of_srcset(img.get(a)))), "") or ""
    if not src.strip() and img.getparent() is not None and img.getparent().tag == "picture":
        for source in img.getparent().iter("source"):
            src = _first_of_srcset(source.get("srcset")) or ""
            if src:
                break
    return src or None


def _not_picture(img: HtmlElement, url: str) -> bool:
    if urlsplit(url).path.lower().endswith((".svg", ".gif")) and not img.get("width"):
        return True
    if _AD_HOSTS.search(url):
        return True
    # class and id, not alt: "the author's boat" describes a picture
    marks = " ".join(img.get(a) or "" for a in ("class", "id"))
    if _NOT_PICTURE.search(marks) or _NOT_PICTURE.search(urlsplit(url).path.rsplit("/", 1)[-1]):
        return True
    width, height = _int(img.get("width")), _int(img.get("height"))
    return (width is not None and width < MIN_SIDE) or (height is not None and height < MIN_SIDE)


def _marked(el: HtmlElement, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(f"{el.get('class') or ''} {el.get('itemprop') or ''}"))


def _split_caption(figure: HtmlElement | None) -> tuple[str | None, str | None]:
    if figure is None:
        return None, None
    credit_el = next((el for el in figure.iter() if isinstance(el.tag, str) and el is not figure
                      and (el.tag == "cite" or _marked(el, _CREDIT_MARK))), None)
    credit = normalise_space(credit_el.text_content()) if credit_el is not None else ""
    cap_el = figure.find(".//figcaption")
    if cap_el is None:
        cap_el = next((el for el in figure.iter() if isinstance(el.tag, str)
                       and el is not figure and _marked(el, _CAPTION_MARK)), None)
    caption = normalise_space(cap_el.text_content()) if cap_el is not None else ""
    if credit and caption:
        caption = normalise_space(caption.replace(credit, " "))
    elif caption:
        tail = _TRAILING_CREDIT.search(caption)
        if tail and tail.start() > 0:
            caption, credit = caption[: tail.start()].rstrip(), tail[1]
    # "(Jane Roe/The Post)": the brackets are typography, not part of the credit
    credit = credit.strip(" ()[]")
    return caption or None, credit or None


def _figure_of(img: HtmlElement, stop: HtmlElement) -> HtmlElement | None:
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure" or _marked(ancestor, _FIGURE_MARK):
            return ancestor
        if ancestor is stop:
            break
    return None


def _ld_images(ld: LdArticle, base: str) -> list[Image]:
    value = ld.get("image")
    items = value if isinstance(value, list) else [value]
    out: list[Image] = []
    for item in items:
        item = ld.deref(item)
        if isinstance(item, str):
            url = _absolute(item, base)
            if url:
                out.append({"url": url, "caption": None, "credit": None, "width": None,
                            "height": None})
        elif isinstance(item, dict):
            url = _absolute(str(item.get("url") or item.get("contentUrl") or ""), base)
            if not url:
                continue
            holder = ld.deref(item.get("copyrightHolder"))
            holder_name = holder.get("name") if isinstance(holder, dict) else holder
            credit = item.get("creditText") or holder_name
            out.append({"url": url,
                        "caption": normalise_space(str(item.get("caption") or "")) or None,
                        "credit": normalise_space(str(credit or "")) or None,
                        "width": _int(item.get("width")), "height": _int(item.get("height"))})
    return out


def _merge(into: Image, other: Image) -> None:
    for key in ("caption", "credit", "width", "height"):
        if into.get(key) is None and other.get(key) is not None:
            into[key] = other[key]


def find_images(text_map: TextMap, ld: LdArticle, lead: str | None, base_url: str) -> list[Image]:
    """Lead image first, then the article's own images in body order (see module docstring)."""
    from_ld = {same_image_key(i["url"]): i for i in _ld_images(ld, base_url)}
    images: dict[str, Image] = {}
    if lead:
        # What JSON-LD says of this very URL beats a figure showing another size of it.
        described = next((i for i in from_ld.values() if i["url"] == lead), None)
        images[same_image_key(lead)] = dict(described) if described else {
            "url": lead, "caption": None, "credit": None, "width": None, "height": None}
    root = text_map.scope
    if root is not None:
        for img in root.iter("img", "amp-img"):
            if len(images) >= MAX_IMAGES:
                break
            url = _absolute(_img_url(img), base_url)
            if url is None or _not_picture(img, url):
                continue
            caption, credit = _split_caption(_figure_of(img, root))
            found = {"url": url, "caption": caption, "credit": credit,
                     "width": _int(img.get("width")), "height": _int(img.get("height"))}
            key = same_image_key(url)
            if key in images:
                _merge(images[key], found)
            else:
                images[key] = found
    for key, image in images.items():
        if key in from_ld:
            _merge(image, from_ld[key])
    if lead and from_ld:
        # The JSON-LD image describes the lead even when it names another size of it.
        _merge(images[same_image_key(lead)], next(iter(from_ld.values())))
    return list(images.values())
