from __future__ import annotations

import pytest

from newsmill.pipeline.dedup.urls import (
    accept_canonical,
    canonical_url,
    de_amp,
    identity_key,
    is_amp_url,
    is_same_site,
    normalise_url,
    registrable_domain,
    request_url,
)
from newsmill.pipeline.publish.article import article_id

ARTICLE = "https://www.northfieldpost.example/2024/05/03/council-votes/"


# --- what the crawler fetches: the page's own spelling ------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/story?amp",
        "https://example.org/search?q=harbour%20wall&utm_source=x&b=2&a=1",
        "https://example.org/a%2fb/Caf%c3%a9?x=a+b",
        "https://Example.ORG:443/a/../b/?sort=new&amp&fbclid=1",
    ],
)
def test_request_url_is_the_link_as_the_page_gave_it(link: str) -> None:
    # Servers may tell `?amp` from `?amp=` and `%20` from `+`: nothing but the fragment goes.
    assert request_url(link + "#comments") == link
    assert request_url(f"  {link} ") == link


def test_request_url_resolves_a_relative_link_against_the_page() -> None:
    page = "https://example.org/news/today/index.html?edition=2"
    assert request_url("../story?amp#top", page) == "https://example.org/news/story?amp"
    assert request_url("?p=4158&utm_medium=social", page) == (
        "https://example.org/news/today/index.html?p=4158&utm_medium=social"
    )


# --- identity: one key, one id, whatever the spelling ---------------------------------------------


def test_an_idn_host_and_its_punycode_are_one_article() -> None:
    unicode_host = "https://www.bücher-zeitung.example/2024/05/03/lesung/"
    punycode = "https://www.xn--bcher-zeitung-wob.example/2024/05/03/lesung/"
    assert canonical_url(unicode_host) == canonical_url(punycode) == punycode
    assert article_id(canonical_url(unicode_host)) == article_id(canonical_url(punycode))
    assert identity_key(unicode_host) == identity_key(punycode)
    # A canonical link spelt in Unicode on the page fetched by its punycode name is same-site.
    assert canonical_url(punycode + "?utm_source=x", unicode_host) == punycode
    assert is_same_site(punycode, ["www.bücher-zeitung.example"])


def test_percent_escapes_differ_only_in_case_are_one_article() -> None:
    lower = "https://example.org/docs/a%2fb/caf%c3%a9?file=x%2fy"
    upper = "https://example.org/docs/a%2Fb/caf%C3%A9?file=x%2Fy"
    assert canonical_url(lower) == canonical_url(upper)
    assert article_id(canonical_url(lower)) == article_id(canonical_url(upper))
    assert identity_key(lower) == identity_key(upper)
    # An escaped slash is not a path separator: that is another URL.
    assert identity_key("https://example.org/docs/a/b/") != identity_key(upper)


def test_identity_ignores_spelling_but_not_content() -> None:
    assert identity_key("http://m.example.org/story/7/index.html?utm_source=x") == identity_key(
        "https://www.example.org/story/7/"
    )
    assert identity_key("https://example.org/a/./b/../c") == identity_key("https://example.org/a/c")
    # Content-bearing parameters stay, whatever the order they come in.
    assert identity_key("https://example.org/story.php?cid=1&page=2") == identity_key(
        "https://example.org/story.php?page=2&cid=1"
    )
    assert identity_key("https://example.org/story.php?cid=1") != identity_key(
        "https://example.org/story.php?cid=2"
    )


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
