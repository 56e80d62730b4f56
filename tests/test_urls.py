from __future__ import annotations

import pytest

from newsmill.pipeline.dedup.urls import (
    accept_canonical,
    canonical_url,
    de_amp,
    is_amp_url,
    is_same_site,
    normalise_url,
    registrable_domain,
    strip_tracking,
)

ARTICLE = "https://www.northfieldpost.example/2024/05/03/council-votes/"


def test_strip_tracking_removes_campaign_params_and_fragment_only() -> None:
    url = (
        "https://www.northfieldpost.example/search?q=flood&utm_source=twitter&page=2"
        "&fbclid=IwAR0x&gclid=abc&mc_cid=1&mc_eid=2&ref=homepage&_ga=2.1&igshid=zz#results"
    )
    assert strip_tracking(url) == "https://www.northfieldpost.example/search?q=flood&page=2"


def test_strip_tracking_leaves_untracked_url_untouched() -> None:
    url = "https://Example.org/a?b=2&a=1"
    assert strip_tracking(url) == url


def test_normalise_url_is_a_comparable_spelling() -> None:
    assert (
        normalise_url("HTTPS://WWW.NorthfieldPost.Example:443/Story?b=2&utm_medium=x&a=1#top")
        == "https://www.northfieldpost.example/Story?a=1&b=2"
    )
    assert normalise_url("http://example.org:80") == "http://example.org/"
    assert normalise_url("http://127.0.0.1:8123/a/") == "http://127.0.0.1:8123/a/"
    assert normalise_url("https://user:pw@example.org./x") == "https://example.org/x"


def test_is_same_site_is_an_exact_host_match() -> None:
    domains = ("www.northfieldpost.example", "northfieldpost.example")
    assert is_same_site(ARTICLE, domains)
    assert is_same_site("https://NorthfieldPost.Example./x", domains)
    assert not is_same_site("https://cdn.northfieldpost.example/x", domains)
    assert not is_same_site("https://evil.example/?u=www.northfieldpost.example", domains)
    assert not is_same_site("not a url", domains)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.thecanary.co", "thecanary.co"),
        ("alice.github.io", "alice.github.io"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("m.northfieldpost.example", "northfieldpost.example"),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


def test_canonical_link_on_the_same_site_wins_and_loses_its_tracking() -> None:
    fetched = ARTICLE + "?utm_source=rss&utm_medium=feed"
    declared = ARTICLE + "?utm_campaign=share"
    assert canonical_url(fetched, declared) == ARTICLE


def test_relative_canonical_is_resolved_against_the_fetched_url() -> None:
    fetched = "https://www.northfieldpost.example/story?id=7&utm_source=x"
    assert (
        canonical_url(fetched, "/2024/05/03/council-votes/")
        == "https://www.northfieldpost.example/2024/05/03/council-votes/"
    )


def test_canonical_on_another_subdomain_of_the_same_site_is_accepted() -> None:
    fetched = "https://m.northfieldpost.example/story/7"
    assert canonical_url(fetched, ARTICLE) == ARTICLE


def test_canonical_to_another_site_is_ignored() -> None:
    fetched = ARTICLE + "?utm_source=x"
    assert canonical_url(fetched, "https://aggregator.example/copied/council-votes") == ARTICLE


def test_canonical_to_another_domain_listed_for_the_site_is_accepted() -> None:
    fetched = "https://nfpost.example/s/7"
    assert (
        canonical_url(fetched, ARTICLE, domains=("nfpost.example", "www.northfieldpost.example"))
        == ARTICLE
    )


def test_canonical_pointing_at_the_home_page_is_ignored() -> None:
    assert canonical_url(ARTICLE, "https://www.northfieldpost.example/") == ARTICLE
    assert accept_canonical("https://www.northfieldpost.example/", ARTICLE) is None


def test_non_http_canonical_is_ignored() -> None:
    assert accept_canonical("javascript:void(0)", ARTICLE) is None
    assert accept_canonical("", ARTICLE) is None


@pytest.mark.parametrize(
    "amp",
    [
        ARTICLE + "amp/",
        ARTICLE + "?amp=1",
        ARTICLE + "?amp",
        ARTICLE + "?outputType=amp",
        "https://amp.northfieldpost.example/2024/05/03/council-votes/",
    ],
)
def test_amp_variants_collapse_onto_the_article(amp: str) -> None:
    assert is_amp_url(amp)
    domains = ("www.northfieldpost.example",)
    assert canonical_url(amp, None, domains=domains) == ARTICLE


def test_amp_path_without_trailing_slash_keeps_its_shape() -> None:
    assert de_amp("https://example.org/news/story/amp") == "https://example.org/news/story"


def test_amp_html_suffix_collapses() -> None:
    assert (
        de_amp("https://example.org/news/story.amp.html") == "https://example.org/news/story.html"
    )


def test_amp_page_canonical_link_is_the_non_amp_article() -> None:
    assert canonical_url(ARTICLE + "amp/?utm_source=google", ARTICLE) == ARTICLE


def test_article_about_amplifiers_is_not_amp() -> None:
    url = "https://example.org/reviews/best-amplifiers-2024/"
    assert not is_amp_url(url)
    assert canonical_url(url) == url


def test_other_query_parameters_survive_amp_resolution() -> None:
    assert (
        canonical_url("https://example.org/story?id=42&amp=1&utm_source=x")
        == "https://example.org/story?id=42"
    )
