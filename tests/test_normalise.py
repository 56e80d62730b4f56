from __future__ import annotations

import unicodedata

import pytest

from newsmill.pipeline.extract.authors import clean_authors
from newsmill.pipeline.extract.date_values import normalise_date
from newsmill.pipeline.extract.language import normalise_language
from newsmill.pipeline.extract.title_clean import clean_title
from newsmill.pipeline.extract.whitespace import normalise_space, normalise_text

FETCHED = "2024-05-04T10:00:00Z"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-03T09:15:00+01:00", "2024-05-03T08:15:00Z"),
        ("2024-05-03T09:15:00Z", "2024-05-03T09:15:00Z"),
        ("2024-05-03T09:15:00.123456-04:00", "2024-05-03T13:15:00Z"),
        ("2024-05-03T09:15:00+0530", "2024-05-03T03:45:00Z"),
        ("2024-05-03 09:15:00", "2024-05-03T09:15:00Z"),
        ("2024-05-03", "2024-05-03T00:00:00Z"),
        ("2024/05/03", "2024-05-03T00:00:00Z"),
        ("Fri, 03 May 2024 09:15:00 GMT", "2024-05-03T09:15:00Z"),
        ("Fri, 03 May 2024 09:15:00 +0200", "2024-05-03T07:15:00Z"),
        ("May 3, 2024", "2024-05-03T00:00:00Z"),
        ("3 May 2024", "2024-05-03T00:00:00Z"),
        ("Friday, May 3, 2024 9:15 PM EDT", "2024-05-04T01:15:00Z"),
        ("1714727700", "2024-05-03T09:15:00Z"),
    ],
)
def test_dates_become_utc_iso(raw: str, expected: str) -> None:
    assert normalise_date(raw, fetched_at=FETCHED) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # month names in other languages, with the label a theme puts around them
        ("17. Mai 2019", "2019-05-17T00:00:00Z"),
        ("19 décembre 2025 10:00", "2025-12-19T10:00:00Z"),
        ("04 de mayo de 2022", "2022-05-04T00:00:00Z"),
        ("Veröffentlicht am 06. Nov 2023", "2023-11-06T00:00:00Z"),
        ("Published on November 5, 2025", "2025-11-05T00:00:00Z"),
        # JavaScript's Date.toString: GMT+0100 is one hour ahead of UTC, not behind
        ("Tue Feb 20 2018 01:00:00 GMT+0100 (Central European Standard Time)",
         "2018-02-20T00:00:00Z"),
        ("Fr, 17 Mai 2019 13:38:23 MESZ", "2019-05-17T11:38:23Z"),
        # day and month in numbers, when only one reading exists
        ("20.06.2019 11:43", "2019-06-20T11:43:00Z"),
        ("06/13/2019", "2019-06-13T00:00:00Z"),
        ("2022-5-5", "2022-05-05T00:00:00Z"),
    ],
)  # fmt: skip
def test_dates_in_other_shapes_and_languages(raw: str, expected: str) -> None:
    assert normalise_date(raw, fetched_at="2026-12-01T00:00:00Z") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "03/05/2024",  # 3 May or March 5: no guess
        "Published 03/05/2024",
        "May 3",  # no year
        "2024-05",  # no day: a record date names one
        "10:15",
    ],
)
def test_dates_that_do_not_name_one_day_are_null(raw: str) -> None:
    assert normalise_date(raw, fetched_at=FETCHED) is None


def test_the_shared_parser_reads_sitemap_months_as_their_first_day() -> None:
    from datetime import UTC, datetime

    from newsmill.pipeline.dates import parse_datetime

    assert parse_datetime("2024-05") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_datetime("2024-05", require_day=True) is None


def test_offset_conversion_can_change_the_day() -> None:
    assert normalise_date("2024-05-03T23:30:00-05:00", fetched_at=FETCHED) == (
        "2024-05-04T04:30:00Z"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05-06T00:00:00Z",  # two days after the fetch
        "2099-01-01",
        "1989-12-31",
        "0000-00-00 00:00:00",
        "2024-02-30",
        "yesterday",
        "",
        "Updated 3 hours ago",
    ],
)
def test_implausible_or_unparseable_dates_are_null(raw: str) -> None:
    assert normalise_date(raw, fetched_at=FETCHED) is None


def test_a_date_within_a_day_after_the_fetch_is_kept() -> None:
    # time-zone slips put real dates a few hours "after" the fetch
    assert normalise_date("2024-05-04T20:00:00Z", fetched_at=FETCHED) == "2024-05-04T20:00:00Z"


# --------------------------------------------------------------------------- authors


def test_byline_prefixes_are_removed() -> None:
    assert clean_authors(["By Maria Okafor"]) == ["Maria Okafor"]
    assert clean_authors(["Words: Tom Reyes"]) == ["Tom Reyes"]
    assert clean_authors(["Words by Tom Reyes"]) == ["Tom Reyes"]
    assert clean_authors(["By:Grace Whitfield"]) == ["Grace Whitfield"]


def test_names_that_start_like_a_prefix_are_left_alone() -> None:
    assert clean_authors(["Byron Lowe"]) == ["Byron Lowe"]
    assert clean_authors(["Von Miller"]) == ["Von Miller"]


def test_several_people_are_split() -> None:
    assert clean_authors(["Maria Okafor and Tom Reyes"]) == ["Maria Okafor", "Tom Reyes"]
    assert clean_authors(["Maria Okafor & Tom Reyes, Grace Whitfield"]) == [
        "Maria Okafor",
        "Tom Reyes",
        "Grace Whitfield",
    ]


def test_contact_details_and_roles_are_removed() -> None:
    assert clean_authors(["Maria Okafor (maria@northfieldpost.example)"]) == ["Maria Okafor"]
    assert clean_authors(["Tom Reyes @tomreyes"]) == ["Tom Reyes"]
    assert clean_authors(["https://www.facebook.com/northfieldpost"]) == []
    assert clean_authors(["Maria Okafor, Political Correspondent"]) == ["Maria Okafor"]
    assert clean_authors(["Tom Reyes Staff Writer"]) == ["Tom Reyes"]
    assert clean_authors(["Staff"]) == []
    assert clean_authors(["Staff Reporter"]) == []
    assert clean_authors(["Dylan Bailey, MS, RD"]) == ["Dylan Bailey"]


def test_bylines_that_run_into_a_date_line_or_sentence() -> None:
    assert clean_authors(["Maria Okafor Last updated 3 May 2024"]) == ["Maria Okafor"]
    assert clean_authors(["Posted by Tom Reyes on May 3, 2024"]) == ["Tom Reyes"]
    assert clean_authors(["This story was written by Grace Whitfield"]) == ["Grace Whitfield"]
    assert clean_authors(["Updated 3 hours ago"]) == []


def test_desks_and_teams_are_not_people() -> None:
    assert clean_authors(["Lifestyle Desk"]) == []
    assert clean_authors(["The Northfield Post Newsroom"]) == []
    assert clean_authors(["Grace Whitfield | Allotment Notes Editorial Team"]) == [
        "Grace Whitfield"
    ]
    # A desk hiding behind a role, a "Team X" and an account are not bylines either.
    assert clean_authors(["HomeLedger Staff Writer"]) == []
    assert clean_authors(["Team Tiger"]) == []
    assert clean_authors(["NOC Admin"]) == []
    assert clean_authors(["Adam Staffman"]) == ["Adam Staffman"]


def test_the_site_name_is_not_an_author() -> None:
    sites = ["The Northfield Post", "www.northfieldpost.example"]
    assert clean_authors(["The Northfield Post"], sites) == []
    assert clean_authors(["Northfield Post"], sites) == []
    assert clean_authors(["NorthfieldPost.example"], sites) == []
    assert clean_authors(["By Maria Okafor | The Northfield Post"], sites) == ["Maria Okafor"]


def test_a_person_whose_site_bears_their_name_keeps_the_byline() -> None:
    assert clean_authors(["Rosa Lindqvist"], ["Rosa Lindqvist", "rosalindqvist.example"]) == [
        "Rosa Lindqvist"
    ]


def test_capitals_are_fixed_only_when_the_whole_name_is_capitals() -> None:
    assert clean_authors(["MARIA OKAFOR"]) == ["Maria Okafor"]
    assert clean_authors(["Ciara McDonald"]) == ["Ciara McDonald"]
    assert clean_authors(["danah boyd"]) == ["danah boyd"]


def test_duplicates_are_removed_case_insensitively() -> None:
    assert clean_authors(["Maria Okafor", "MARIA OKAFOR", "maria okafor and Tom Reyes"]) == [
        "Maria Okafor",
        "Tom Reyes",
    ]


# --------------------------------------------------------------------------- titles


def test_site_suffix_and_prefix_are_removed_when_they_name_the_site() -> None:
    sites = ["The Northfield Post", "www.northfieldpost.example"]
    assert clean_title("Council votes to close car park - The Northfield Post", sites) == (
        "Council votes to close car park"
    )
    assert clean_title("Council votes to close car park | Northfield Post", sites) == (
        "Council votes to close car park"
    )
    assert clean_title("The Northfield Post | Council votes", sites) == "Council votes"
    assert clean_title("Council votes – NorthfieldPost.example", sites) == "Council votes"


def test_site_name_and_the_tagline_after_it_go_together() -> None:
    sites = ["Allotment Notes"]
    assert (
        clean_title("Winter beds – Allotment Notes – Grow more, dig less", sites) == "Winter beds"
    )


def test_other_segments_stay() -> None:
    sites = ["The Northfield Post"]
    assert clean_title("Review: The Tempest - Northfield Playhouse", sites) == (
        "Review: The Tempest - Northfield Playhouse"
    )
    assert clean_title("The Northfield Post", sites) == "The Northfield Post"


def test_title_entities_and_spaces_are_normalised() -> None:
    assert clean_title("  Fish &amp; chips\u00a0 shop   closes ") == "Fish & chips shop closes"


# --------------------------------------------------------------------------- text


def test_text_is_nfc_with_single_blank_lines_and_no_stray_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Café crème")
    raw = f"  {decomposed}   opens\u00a0today  \n\n\n\nSecond\tparagraph \r\nThird\u200b one  \n"
    text = normalise_text(raw)
    assert text == "Café crème opens today\n\nSecond paragraph\n\nThird one"
    assert unicodedata.is_normalized("NFC", text)


def test_normalise_space_flattens_lines() -> None:
    assert normalise_space(" a\n b\t\tc ") == "a b c"


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en-GB", "en"),
        ("en_US", "en"),
        ("FR", "fr"),
        ("pt-BR", "pt"),
        ("eng", "en"),
        ("German", "de"),
        ("iw", "he"),
        ("x-default", None),
        ("und", None),
        ("", None),
        (None, None),
    ],
)
def test_language_codes(raw: str | None, expected: str | None) -> None:
    assert normalise_language(raw) == expected


def test_written_day_keeps_the_publishers_own_day() -> None:
    from newsmill.pipeline.dates import written_day

    # 01:00 in India is the previous evening in UTC: the record says the 18th, the page the 19th
    assert normalise_date("2025-12-19T01:00:00+05:30", fetched_at="2026-01-01T00:00:00Z") == (
        "2025-12-18T19:30:00Z"
    )
    assert written_day("2025-12-19T01:00:00+05:30") == "2025-12-19"
    assert written_day("Fri, 19 Dec 2025 01:00:00 +0530") == "2025-12-19"
    assert written_day("June 24, 2025") == "2025-06-24"
    assert written_day("not a date") is None


def test_citation_style_names_institutions_and_bare_labels() -> None:
    assert clean_authors(["Kaufman, Jeff T."]) == ["Jeff T. Kaufman"]
    assert clean_authors(["Roy, Aniruddha", "Patel, Jyoti"]) == ["Aniruddha Roy", "Jyoti Patel"]
    # a list of two people and a credential still split as before
    assert clean_authors(["Jane Doe, John Smith"]) == ["Jane Doe", "John Smith"]
    assert clean_authors(["Smith, MD"]) == ["Smith"]
    assert clean_authors(["Center for Drug Evaluation and Research"]) == []
    assert clean_authors(["Ana Church and Bob Bank"]) == ["Ana Church", "Bob Bank"]
    assert clean_authors(["Written By"]) == []
