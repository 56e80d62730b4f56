"""World news: stories in scripts written without spaces and in other scripts, wire copy,
the publisher's local time and the headline the reader sees.

The pages in tests/fixtures/world/ were written for the project: invented stories in Chinese,
Japanese, Korean, Arabic, Hindi and Thai, in the markup of a common news CMS (JSON-LD with an
SEO headline, OpenGraph, an author link, a `<time>` with the publisher's offset, share bar,
related links).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsmill.pipeline.extract.page import extract_article
from newsmill.pipeline.extract.words import count_words
from newsmill.pipeline.publish.article import Article

WORLD = Path(__file__).parent / "fixtures" / "world"
FETCHED = "2026-07-11T00:00:00Z"

# language, displayed headline, author, UTC time, local time, a sensible word-count range
EXPECTED = {
    "zh": ("zh", "江北市开通首条夜间公交环线 覆盖十二个社区", "王晓明",
           "2026-07-09T22:30:00Z", "2026-07-10T06:30:00+08:00", (250, 600)),
    "ja": ("ja", "北浜線に新駅「桜ケ丘駅」が開業 通勤時間が最大十五分短縮", "佐藤 健一",
           "2026-07-10T00:15:00Z", "2026-07-10T09:15:00+09:00", (250, 600)),
    "ko": ("ko", "서해시, 시내버스 노선 전면 개편...출퇴근 배차 간격 절반으로", "김지훈",
           "2026-07-09T17:37:00Z", "2026-07-10T02:37:00+09:00", (100, 200)),
    "ar": ("ar", "افتتاح أكبر مكتبة عامة في مدينة الواحة بعد ثلاث سنوات من العمل", "سارة الحسيني",
           "2026-07-10T08:00:00Z", "2026-07-10T11:00:00+03:00", (100, 200)),
    "hi": ("hi", "सूरजपुर जिले में जल संरक्षण अभियान शुरू, पांच सौ तालाबों की होगी सफाई", "राकेश वर्मा",
           "2026-07-10T03:15:00Z", "2026-07-10T08:45:00+05:30", (150, 260)),
    "th": ("th", "เปิดตลาดน้ำแห่งใหม่ริมคลองบางใหญ่ หวังกระตุ้นการท่องเที่ยวชุมชน", "สมชาย ใจดี",
           "2026-07-10T03:20:00Z", "2026-07-10T10:20:00+07:00", (100, 260)),
}  # fmt: skip


def _extract(body: bytes, url: str | None = None) -> Article:
    found = re.search(rb'rel="canonical" href="([^"]+)"', body)
    url = url or (found.group(1).decode() if found else "https://news.example/story")
    return extract_article(
        body, url=url, site="world", fetched_at=FETCHED, source="feed", raw_ref="r.warc.gz#1"
    )


def _undeclared(body: bytes) -> bytes:
    """The page without any declared language: detection alone decides."""
    body = re.sub(rb' lang="[^"]+"', b"", body)
    return re.sub(rb'"inLanguage": "[^"]+", ', b"", body)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_a_story_in_any_script_is_extracted_with_its_fields(code: str) -> None:
    language, title, author, utc, local, (low, high) = EXPECTED[code]
    art = _extract((WORLD / f"{code}.html").read_bytes())
    assert art.language == language
    assert art.title == title  # the <h1>, not the JSON-LD/og SEO headline
    assert art.authors == [author]
    assert (art.published_at, art.published_local) == (utc, local)
    assert low <= art.word_count <= high, art.word_count
    assert "Facebook" not in art.text


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_the_language_is_detected_when_the_page_declares_none(code: str) -> None:
    art = _extract(_undeclared((WORLD / f"{code}.html").read_bytes()))
    assert art.language == EXPECTED[code][0]


def test_a_short_chinese_story_is_not_refused_for_having_no_spaces() -> None:
    body = (WORLD / "zh.html").read_bytes()
    # keep the first two paragraphs only: about 170 characters, a few space-separated "words"
    paragraphs = re.findall(rb"<p>[^<]+</p>", body)
    for extra in paragraphs[2:]:
        body = body.replace(extra, b"")
    art = _extract(body)
    assert len(art.text.split()) < 10 and art.word_count > 100


def test_word_count_counts_characters_of_unspaced_scripts_and_words_of_the_others() -> None:
    assert count_words("The council met on Friday.") == 5
    assert count_words("江北市开通夜间公交") == 9
    assert count_words("GDP增长了5%") == 5  # "GDP", 增, 长, 了, "5%"
    assert count_words("서울시는 오늘 계획을 발표했다") == 4  # Korean spaces its words
    assert count_words("مرحبا بالعالم") == 2
    # Thai: one word per four letters, vowel signs and tone marks above/below not counted
    assert count_words("ตลาดน้ำแห่งใหม่") == 3


def test_every_character_of_an_unspaced_script_takes_the_exact_count() -> None:
    """The fast gate that sends a text to the exact count must let through every character
    of those scripts, in every Unicode block; a character it missed would count a run of
    Chinese as one word."""
    import regex

    from newsmill.pipeline.extract.words import _ANY_UNSPACED

    scripts = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
    missed = [hex(c) for c in range(0x110000)
              if scripts.match(chr(c)) and not _ANY_UNSPACED.match(chr(c))]
    assert missed == []
    assert count_words("\U00020000\U00020001 text") == 3  # a Han extension B pair


def test_the_utf8_look_before_the_range_search_lets_every_such_character_through() -> None:
    """The look at a text's UTF-8 that spares most texts the range search says "maybe" for
    every character the search finds, alone, after Latin text and after curly quotes."""
    from newsmill.pipeline.extract.words import _ANY_UNSPACED, _may_hold_unspaced

    found = [chr(c) for c in range(0x110000)
             if not 0xD800 <= c < 0xE000 and _ANY_UNSPACED.match(chr(c))]
    assert len(found) > 100_000
    missed = [hex(ord(ch)) for ch in found
              if not (_may_hold_unspaced(ch) and _may_hold_unspaced(f"caf\u00e9 \u201c{ch}\u201d"))]
    assert missed == []
    # and it spares the search where it can
    assert not _may_hold_unspaced("The caf\u00e9\u2019s \u201cnew\u201d menu \u2014 \u20ac5")
    assert _may_hold_unspaced("The caf\u00e9\u2019s menu \u2e80")


# --------------------------------------------------------------------------- wire copy


def _wire_page(byline: str, first: str, last: str, ld_author: str = "") -> bytes:
    story = [
        first,
        "The ferry operator said the extra crossing would run from the first week of June "
        "after a petition signed by more than two thousand island residents and commuters.",
        "Crews will rest between shifts, the operator added, and the earliest Monday sailing "
        "moves twenty minutes later, which commuters say will make them late for work.",
        last,
    ]
    ld = f'<script type="application/ld+json">{ld_author}</script>' if ld_author else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Extra Friday ferry from June | Island News</title>"
        "<meta property='og:site_name' content='Island News'>"
        f"{ld}</head><body><article><h1>Extra Friday ferry from June</h1>"
        f"<div class='byline'>{byline}</div>"
        + "".join(f"<p>{p}</p>" for p in story)
        + "</article></body></html>"
    ).encode()


def test_an_agency_byline_is_credited_in_organizations_not_authors() -> None:
    art = _extract(_wire_page("By Associated Press", "PORTSMOUTH — The island ferry will "
                              "run an extra crossing on Friday evenings.", "Timetables follow."))
    assert art.authors == [] and art.organizations == ["Associated Press"]


def test_agency_credits_in_the_text_are_read() -> None:
    art = _extract(
        _wire_page(
            "By Greta Lind, Education Reporter",
            "PORTSMOUTH (AP) — The island ferry will run an extra crossing on Friday evenings.",
            "dpa/afp/lw",
        )
    )
    assert art.authors == ["Greta Lind"]  # her job title is not a second author
    assert art.organizations == ["AP", "dpa", "afp"]


def test_a_desk_and_an_organisation_typed_author_are_credits() -> None:
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry",'
        ' "author": [{"@type": "Organization", "name": "Reuters"}]}'
    )
    art = _extract(_wire_page("By MND Staff", "The island ferry will run an extra crossing on "
                              "Friday evenings.", "Timetables follow.", ld_author=ld))
    assert art.authors == []
    assert art.organizations == ["MND Staff", "Reuters"]


def test_the_publication_is_credited_only_when_no_person_is() -> None:
    head = "<meta name='author' content='Island News'>"
    page = _wire_page("", "The island ferry will run an extra crossing.", "Timetables follow.")
    art = _extract(page.replace(b"</head>", head.encode() + b"</head>"))
    assert art.authors == [] and art.organizations == ["Island News"]
    bylined = page.replace(b"<div class='byline'></div>", b"<div class='byline'>By Jo Park</div>")
    art = _extract(bylined.replace(b"</head>", head.encode() + b"</head>"))
    assert art.authors == ["Jo Park"] and art.organizations == []


# --------------------------------------------------------------------------- the headline


def test_the_displayed_headline_wins_without_its_kicker_or_section() -> None:
    page = _wire_page("By Jo Park", "The island ferry will run an extra crossing.", "Ends.")
    page = page.replace(
        b"<h1>Extra Friday ferry from June</h1>",
        b"<h1 class='entry-title'><span class='entry-title__roofline'>Island transport</span>"
        b" <a class='entry-section' href='/travel/'>Travel |</a>"
        b" Extra Friday ferry from June</h1>",
    )
    seo = b"<meta property='og:title' content='Island ferry adds Friday evening sailing'>"
    art = _extract(page.replace(b"</head>", seo + b"</head>"))
    assert art.title == "Extra Friday ferry from June"


def test_local_time_is_null_when_the_page_states_no_offset() -> None:
    page = _wire_page("By Jo Park", "The island ferry will run an extra crossing.", "Ends.")
    naive = b"<meta property='article:published_time' content='2026-07-10T00:50:17'>"
    art = _extract(page.replace(b"</head>", naive + b"</head>"))
    assert art.published_at == "2026-07-10T00:50:17Z" and art.published_local is None
    madrid = b"<meta property='article:published_time' content='2026-07-10T00:50:17+02:00'>"
    art = _extract(page.replace(b"</head>", madrid + b"</head>"))
    assert art.published_at == "2026-07-09T22:50:17Z"
    assert art.published_local == "2026-07-10T00:50:17+02:00"


def test_the_extractors_word_count_travels_with_the_record(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The writer gets the count the extractor made, across the pickle from the worker, and
    counts again only a text that changed (the site's template cut)."""
    import pickle

    from newsmill.pipeline.publish import article as article_module

    art = pickle.loads(pickle.dumps(_extract((WORLD / "zh.html").read_bytes())))
    expected = count_words(art.text)
    calls: list[str] = []

    def counting(text: str) -> int:
        calls.append(text)
        return count_words(text)

    monkeypatch.setattr(article_module, "count_words", counting)
    assert art.word_count == expected and art.to_record()["word_count"] == expected
    assert calls == []
    art.text = art.text.split("\n\n", 1)[1]
    assert art.word_count == count_words(art.text) < expected
    assert calls == [art.text]
