"""A bad sites file fails before any request, naming the file, the site and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmill.pipeline.sites import SitesFileError, load_sites

GOOD = """
allow_private_networks: ["127.0.0.0/8"]
defaults:
  delay: 0.5
  concurrency: 3
sites:
  - name: canary
    domains: [www.example.org, example.org]
    feeds: [https://www.example.org/feed/]
    sitemaps: [https://www.example.org/sitemap_index.xml]
    start_urls: [https://www.example.org/]
    article_urls: ['/\\d{4}/\\d{2}/\\d{2}/[^/]+/?$']
    follow_urls: ['/(uk|global)/']
    max_depth: 2
    language: en
    max_age_days: 30
  - name: other
    domains: [other.example]
    feeds: [https://other.example/rss]
    delay: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sites.yaml"
    p.write_text(text)
    return p


def test_good_file_applies_defaults(tmp_path: Path) -> None:
    sites = load_sites(write(tmp_path, GOOD))
    canary = sites.site("canary")
    assert canary.delay == 0.5 and canary.concurrency == 3
    assert sites.site("other").delay == 2.0
    assert canary.is_article_url("https://www.example.org/2024/01/02/a-story/")
    assert not canary.is_article_url("https://www.example.org/uk/")
    assert sites.allow_private_networks == ("127.0.0.0/8",)


@pytest.mark.parametrize(
    ("old", "new", "site", "key"),
    [
        ("follow_urls: ['/(uk|global)/']", "follow_urls: ['/(uk|global/']", "canary",
         "follow_urls"),
        ("    max_depth: 2", "    max_depth: 2\n    colour: red", "canary", "colour"),
        ("  - name: other", "  - name: canary", "canary", "name"),
        ("    domains: [other.example]\n", "", "other", "domains"),
        ("    delay: 2", "    delay: fast", "other", "delay"),
        ("    feeds: [https://other.example/rss]", "    feeds: [https://evil.example/rss]",
         "other", "feeds"),
    ],
    ids=["bad-regex", "unknown-key", "duplicate-name", "missing-field", "bad-number",
         "off-domain-feed"],
)
def test_bad_file_names_file_site_and_key(tmp_path: Path, old: str, new: str, site: str,
                                          key: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(SitesFileError) as info:
        load_sites(path)
    msg = str(info.value)
    assert str(path) in msg and f"site {site!r}" in msg and f"key {key!r}" in msg, msg


def test_missing_name_points_at_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - name: other\n", "  - \n"))
    with pytest.raises(SitesFileError, match=r"site '#2'.*key 'name'"):
        load_sites(path)


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SitesFileError, match="not valid YAML"):
        load_sites(write(tmp_path, "sites: [\n"))
    with pytest.raises(SitesFileError, match="cannot read"):
        load_sites(tmp_path / "nope.yaml")


def test_cli_sites_check_fails_before_any_request(tmp_path: Path) -> None:
    from conftest import run_cli

    bad = write(tmp_path, GOOD.replace("max_depth: 2", "max_depth: -1"))
    proc = run_cli("sites", "check", "--sites", str(bad))
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "site 'canary'" in proc.stderr and "key 'max_depth'" in proc.stderr
    ok = run_cli("sites", "check", "--sites", str(write(tmp_path, GOOD)))
    assert ok.returncode == 0, ok.stderr
    assert "canary" in ok.stdout and "feeds: https://www.example.org/feed/" in ok.stdout


def test_crawl_bounds_default_and_can_be_changed(tmp_path: Path) -> None:
    from newsmill.pipeline.sites import (
        DEFAULT_MAX_PATH_SEGMENTS,
        DEFAULT_MAX_REQUESTS,
        DEFAULT_MAX_SECTION_PAGES,
        DEFAULT_MAX_URL_GROWTH,
    )

    text = GOOD.replace("  concurrency: 3\n", "  concurrency: 3\n  max_section_pages: 500\n")
    text = text.replace("    delay: 2",
                        "    delay: 2\n    max_requests: 20000\n    max_url_growth: 9")
    sites = load_sites(write(tmp_path, text))
    canary, other = sites.site("canary"), sites.site("other")
    # A site that says nothing still has every bound.
    assert (canary.max_requests, canary.max_path_segments, canary.max_url_growth) == (
        DEFAULT_MAX_REQUESTS, DEFAULT_MAX_PATH_SEGMENTS, DEFAULT_MAX_URL_GROWTH)
    assert DEFAULT_MAX_SECTION_PAGES != 500 and canary.max_section_pages == 500
    assert (other.max_requests, other.max_url_growth, other.max_section_pages) == (20000, 9, 500)
    assert "bounds per run: 5000 requests, 500 section pages" in "\n".join(canary.describe())


@pytest.mark.parametrize("key", ["max_requests", "max_section_pages", "max_path_segments",
                                 "max_url_growth"])
@pytest.mark.parametrize("value", ["null", "0", "'many'", "2.5"])
def test_crawl_bounds_cannot_be_removed(tmp_path: Path, key: str, value: str) -> None:
    bad = GOOD.replace("    max_depth: 2", f"    max_depth: 2\n    {key}: {value}")
    path = write(tmp_path, bad)
    with pytest.raises(SitesFileError) as info:
        load_sites(path)
    msg = str(info.value)
    assert str(path) in msg and "site 'canary'" in msg and f"key {key!r}" in msg, msg
