"""Embedded posts and media in the article body: `embeds` of the record.

Each platform's embed code leaves its own shape in the served HTML, before any script runs:
X/Twitter, Instagram, TikTok, Bluesky, Mastodon, Threads and Reddit a `<blockquote>` with the
post's text as a fallback (and a link to the post); Facebook a `div.fb-post` around one;
YouTube, Vimeo, Spotify, SoundCloud, Apple Podcasts and others an `<iframe>`; Telegram a
`<script data-telegram-post>`; AMP pages `amp-youtube` and friends. Each becomes
`{kind, url, text, author, position}`: `url` the post's own address (not the embed player's),
`text` and `author` what the markup carries or None, `position` the index of the paragraph of
the record's text the embed followed (pipeline.extract.text_map). The embed's own text is kept
out of `text` by pipeline.extract.main_text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement

from newsmill.pipeline.extract.text_map import TextMap
from newsmill.pipeline.extract.whitespace import normalise_space

Embed = dict[str, Any]

# blockquote class -> platform
_QUOTE_KINDS = (
    ("twitter-tweet", "twitter"),
    ("twitter-video", "twitter"),
    ("instagram-media", "instagram"),
    ("tiktok-embed", "tiktok"),
    ("bluesky-embed", "bluesky"),
    ("mastodon-embed", "mastodon"),
    ("text-post-media", "threads"),
    ("threads-embed", "threads"),
    ("reddit-embed", "reddit"),
    ("reddit-card", "reddit"),
)
# iframe host (or host suffix) -> platform; anything else that is a real page is "iframe"
_FRAME_HOSTS = (
    ("youtube.com", "youtube"),
    ("youtube-nocookie.com", "youtube"),
    ("player.vimeo.com", "vimeo"),
    ("facebook.com", "facebook"),
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("platform.twitter.com", "twitter"),
    ("embed.bsky.app", "bluesky"),
    ("open.spotify.com", "spotify"),
    ("w.soundcloud.com", "soundcloud"),
    ("embed.podcasts.apple.com", "apple-podcasts"),
    ("t.me", "telegram"),
    ("dailymotion.com", "dailymotion"),
)
# Frames that are advertising, analytics or consent machinery, not content.
_NOT_CONTENT = re.compile(
    r"doubleclick|googlesyndication|googletagmanager|google-analytics|adservice|adsystem|"
    r"amazon-adsystem|criteo|taboola|outbrain|/ads?/|consent|recaptcha|facebook\.com/tr\b",
    re.IGNORECASE,
)
_GENERIC_TITLES = frozenset(
    {"youtube video player", "vimeo video player", "embedded content", "embed", "iframe",
     "video", "video player", "spotify embed", "soundcloud widget", "podcast player", "player"}
)
_DASH = "\u2014\u2013-"
_SHARED_BY = re.compile(r"^A (?:post|photo|video) shared by (.+?)(?: on .*)?$", re.IGNORECASE)
_POST_BY = re.compile(r"^Post by (\S+)", re.IGNORECASE)
_MASTODON_PATH = re.compile(r"^/@[^/]+/\d+")
_AMP_KINDS = {"amp-youtube": "youtube", "amp-vimeo": "vimeo", "amp-instagram": "instagram",
              "amp-twitter": "twitter", "amp-facebook": "facebook", "amp-tiktok": "tiktok"}


def _classes(el: HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def _clean_url(url: str | None, base: str, keep_query: bool = False) -> str | None:
    """Absolute http(s) URL without tracking query (`?ref_src=`, `?utm_source=`) or fragment."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(urljoin(base, url.strip()))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query if keep_query else "",
                       ""))


def _text(el: HtmlElement | None) -> str | None:
    return (normalise_space(el.text_content()) or None) if el is not None else None


def _links(el: HtmlElement) -> list[str]:
    return [a.get("href") or "" for a in el.iter("a")]


def _signature(quote: HtmlElement, skip: list[HtmlElement]) -> str | None:
    """The "— Name (@handle)" line of a tweet or Bluesky post: the quote's text outside its
    paragraphs and its final date link."""
    full = normalise_space(quote.text_content())
    for el in skip:
        part = normalise_space(el.text_content())
        if part:
            full = full.replace(part, " ", 1)
    author = normalise_space(full).strip(_DASH + " ")
    return author or None


def _tweet(quote: HtmlElement, base: str) -> Embed:
    status = [h for h in _links(quote) if "/status/" in h]
    paras = quote.findall(".//p")
    anchors = quote.findall(".//a")
    date_link = [anchors[-1]] if anchors else []
    return {"url": _clean_url(status[-1] if status else None, base),
            "text": " ".join(t for p in paras if (t := _text(p))) or None,
            "author": _signature(quote, [*paras, *date_link])}


def _bluesky(quote: HtmlElement, base: str) -> Embed:
    posts = [h for h in _links(quote) if "/post/" in h]
    url = _clean_url(posts[-1] if posts else None, base)
    uri = quote.get("data-bluesky-uri") or ""
    if url is None and uri.startswith("at://"):
        did, _, rkey = uri[5:].partition("/app.bsky.feed.post/")
        url = f"https://bsky.app/profile/{did}/post/{rkey}" if rkey else None
    paras = quote.findall(".//p")
    anchors = [a for a in quote.iter("a") if "/post/" in (a.get("href") or "")]
    author = _signature(quote, [*paras, *anchors[-1:]])
    if author:
        # "Name (@handle.bsky.social)": the handle is in a link, the name outside it
        author = author.replace("( ", "(").replace(" )", ")")
    return {"url": url, "text": " ".join(t for p in paras if (t := _text(p))) or None,
            "author": author}


def _mastodon(quote: HtmlElement, base: str) -> Embed:
    embed_url = quote.get("data-embed-url") or quote.get("src") or ""
    url = _clean_url(embed_url.removesuffix("/embed") if embed_url else None, base)
    if url is None:
        url = next((u for h in _links(quote) if (u := _clean_url(h, base))
                    and _MASTODON_PATH.match(urlsplit(u).path)), None)
    paras = quote.findall(".//p")
    author = None
    for div in quote.iter("div", "span", "a"):
        match = _POST_BY.match(_text(div) or "")
        if match:
            author = match[1]
            break
    return {"url": url, "text": " ".join(t for p in paras if (t := _text(p))) or None,
            "author": author}


def _instagram(quote: HtmlElement, base: str) -> Embed:
    link = quote.get("data-instgrm-permalink") or next(
        (h for h in _links(quote) if "/p/" in h or "/reel/" in h), None)
    texts, author = [], None
    for p in quote.iter("p"):
        line = _text(p) or ""
        shared = _SHARED_BY.match(line)
        if shared:
            author = shared[1]
        elif line and not line.lower().startswith("view this post on instagram"):
            texts.append(line)
    return {"url": _clean_url(link, base), "text": " ".join(texts) or None, "author": author}


def _tiktok(quote: HtmlElement, base: str) -> Embed:
    handle = next((a.get("title") for a in quote.iter("a")
                   if (a.get("title") or "").startswith("@")), None)
    section = quote.find(".//section")
    text = _text(section) if section is not None else None
    if text:
        if handle and text.startswith(handle):
            text = text[len(handle):]
        text = normalise_space(text.split("\u266c")[0]) or None
    return {"url": _clean_url(quote.get("cite"), base), "text": text, "author": handle}


def _threads(quote: HtmlElement, base: str) -> Embed:
    url = _clean_url(quote.get("data-text-post-permalink") or next(iter(_links(quote)), None),
                     base)
    handle = re.search(r"/(@[^/]+)/", url or "")
    return {"url": url, "text": None, "author": handle[1] if handle else None}


def _reddit(quote: HtmlElement, base: str) -> Embed:
    anchors = list(quote.iter("a"))
    users = [a for a in anchors if "/user/" in (a.get("href") or "")]
    return {"url": _clean_url(anchors[0].get("href") if anchors else None, base),
            "text": _text(anchors[0]) if anchors else None,
            "author": _text(users[0]) if users else None}


def _facebook_post(div: HtmlElement, base: str) -> Embed:
    quote = div.find(".//blockquote")
    text, author = None, None
    if quote is not None:
        text = " ".join(t for p in quote.findall(".//p") if (t := _text(p))) or None
        names = [a for a in quote.iter("a") if "/posts/" not in (a.get("href") or "")]
        author = _text(names[0]) if names else None
    return {"url": _clean_url(div.get("data-href") or (quote.get("cite") if quote is not None
                                                       else None), base),
            "text": text, "author": author}


_QUOTE_READERS: dict[str, Callable[[HtmlElement, str], Embed]] = {
    "twitter": _tweet,
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "instagram": _instagram,
    "tiktok": _tiktok,
    "threads": _threads,
    "reddit": _reddit,
}


def _frame_source(frame: HtmlElement) -> str:
    src = frame.get("src") or ""
    if not src.strip() or src.startswith(("about:", "data:", "javascript:")):
        src = frame.get("data-src") or frame.get("data-lazy-src") or ""
    return src


def _tiny(frame: HtmlElement) -> bool:
    for name in ("width", "height"):
        value = (frame.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


def _frame_kind(host: str) -> str:
    for suffix, kind in _FRAME_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return kind
    return "iframe"


def _post_url(kind: str, src: str) -> str:
    """The post or media page behind an embed player's URL."""
    parts = urlsplit(src)
    path, query = parts.path, parse_qs(parts.query)
    if kind == "youtube" and "/embed/" in path:
        video = path.split("/embed/", 1)[1].split("/")[0]
        if video and video != "videoseries":
            return f"https://www.youtube.com/watch?v={video}"
    if kind == "vimeo" and path.startswith("/video/"):
        return f"https://vimeo.com/{path.split('/')[2]}"
    if kind in ("facebook", "soundcloud") and query.get("href" if kind == "facebook" else "url"):
        return query["href" if kind == "facebook" else "url"][0]
    if kind in ("spotify", "apple-podcasts", "instagram", "mastodon") or path.endswith("/embed"):
        host = parts.netloc.removeprefix("embed.")
        path = path.replace("/embed/", "/", 1).removesuffix("/embed").removesuffix("/embed/")
        return urlunsplit((parts.scheme, host, path, "", ""))
    if kind == "telegram":
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return src


def _frame(frame: HtmlElement, base: str) -> Embed | None:
    src = _clean_url(_frame_source(frame), base, keep_query=True)
    if src is None or _NOT_CONTENT.search(src) or _tiny(frame):
        return None
    host = (urlsplit(src).hostname or "").lower()
    kind = "mastodon" if "mastodon-embed" in _classes(frame) else _frame_kind(host)
    if kind == "iframe" and _MASTODON_PATH.match(urlsplit(src).path) and src.endswith("/embed"):
        kind = "mastodon"
    title = normalise_space(frame.get("title"))
    return {"kind": kind, "url": _post_url(kind, src),
            "text": title if title and title.lower() not in _GENERIC_TITLES else None,
            "author": None}


def _amp(el: HtmlElement, base: str) -> Embed | None:
    kind = _AMP_KINDS[el.tag]
    if el.find(".//blockquote") is not None:
        return None  # the fallback blockquote inside is read instead
    ident = el.get("data-videoid") or el.get("data-shortcode") or el.get("data-tweetid")
    urls = {"youtube": "https://www.youtube.com/watch?v={}", "vimeo": "https://vimeo.com/{}",
            "instagram": "https://www.instagram.com/p/{}/",
            "twitter": "https://twitter.com/i/status/{}"}
    url = urls[kind].format(ident) if ident and kind in urls else _clean_url(el.get("data-href"),
                                                                           base)
    return {"kind": kind, "url": url, "text": None, "author": None}


def _read(el: HtmlElement, base: str) -> Embed | None:
    tag = el.tag
    if tag == "blockquote":
        classes = " ".join(_classes(el))
        for marker, kind in _QUOTE_KINDS:
            if marker in classes:
                return {"kind": kind, **_QUOTE_READERS[kind](el, base)}
        return None
    if tag == "iframe":
        return _frame(el, base)
    if tag == "div":
        # most of a page is divs: a substring test first
        if "fb-" in (el.get("class") or "") and _classes(el) & {"fb-post", "fb-video"}:
            return {"kind": "facebook", **_facebook_post(el, base)}
        return None
    if tag == "script":
        post = el.get("data-telegram-post")
        return ({"kind": "telegram", "url": f"https://t.me/{post}", "text": None, "author": None}
                if post else None)
    if tag in _AMP_KINDS:
        return _amp(el, base)
    return None


_TAGS = ("blockquote", "iframe", "div", "script", *_AMP_KINDS)


def find_embeds(text_map: TextMap, base_url: str) -> list[Embed]:
    """The embeds inside the article's container, in document order, with their position."""
    root = text_map.scope
    if root is None:
        return []
    found: list[tuple[HtmlElement, Embed]] = []
    taken: set[HtmlElement] = set()
    for el in root.iter(*_TAGS):
        if taken and any(a in taken for a in el.iterancestors()):
            continue  # inside an embed already read (the iframe a script put in a blockquote)
        embed = _read(el, base_url)
        if embed is None:
            continue
        taken.add(el)
        found.append((el, embed))
    if not found:
        return []
    where = text_map.positions(el for el, _ in found)
    return [{**embed, "position": where.get(el)} for el, embed in found]


def reposition(embeds: list[Embed], before: str, after: str) -> list[Embed]:
    """Embed positions for a text some paragraphs were then removed from (`after` keeps the
    others, in order): an embed stays after the last paragraph kept before it."""
    if before == after or not embeds:
        return embeds
    kept = after.split("\n\n")
    moved: list[int | None] = []
    j = -1
    for para in before.split("\n\n"):
        if j + 1 < len(kept) and kept[j + 1] == para:
            j += 1
        moved.append(j if j >= 0 else None)
    return [{**e, "position": None if e.get("position") is None or e["position"] >= len(moved)
             else moved[e["position"]]} for e in embeds]
