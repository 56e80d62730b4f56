from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.pipeline.extract.saved import HANDFUL, IN_FLIGHT_PER_WORKER, iter_saved_pages

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED_URL = (
    "https://www.northfieldpost.example/2024/05/03/council-votes-to-close-riverside-car-park/"
)
AMP_URL = "https://www.northfieldpost.example/2024/04/22/library-extends-opening-hours/amp/"


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    hints: dict[str, object] | None = None,
) -> None:
    request = writer.create_warc_record(
        url,
        "request",
        payload=BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")], is_http_request=True),
    )
    writer.write_record(request)
    warc_headers = {
        "WARC-Date": "2024-05-04T10:00:00.123456Z",
        "Newsmill-Site": "northfield",
        "Newsmill-Source": "sitemap",
        "Newsmill-Kind": "article",
    }
    if hints is not None:
        warc_headers["Newsmill-Hints"] = json.dumps(hints)
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=StatusAndHeaders(
            status, [("Content-Type", content_type)], protocol="HTTP/1.1"
        ),
        warc_headers_dict=warc_headers,
    )
    writer.write_record(response)


@pytest.fixture()
def warc_file(tmp_path: Path) -> Path:
    path = tmp_path / "capture.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, SEED_URL, (PAGES / "seedlike.html").read_bytes())
        _response(
            writer,
            "https://www.northfieldpost.example/report.pdf",
            (PAGES / "annual-report.pdf").read_bytes(),
            content_type="application/pdf",
        )
        _response(
            writer, "https://www.northfieldpost.example/gone", b"Not found", status="404 Not Found"
        )
        _response(writer, AMP_URL, (PAGES / "amp.html").read_bytes(), hints={"via": "sitemap"})
    return path


def _run(paths: list[str], **kwargs: object) -> list[tuple[str, dict[str, object]]]:
    return list(iter_saved_pages(paths, **kwargs))  # type: ignore[arg-type]


def test_plain_html_with_url(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    shutil.copy(PAGES / "seedlike.html", page)
    [(label, record)] = _run([str(page)], url=SEED_URL + "?utm_source=newsletter")
    assert label == str(page)
    assert record["input"] == str(page)
    assert record["title"] == "Council votes to close riverside car park"
    assert record["url"] == SEED_URL + "?utm_source=newsletter"
    assert record["canonical_url"] == SEED_URL
    assert record["site"] == "www.northfieldpost.example"
    assert record["authors"] == ["Maria Okafor", "Tom Reyes"]
    assert record["raw_ref"] == str(page)
    assert str(record["fetched_at"]).endswith("Z")
    assert "Since you" not in str(record["text"])


def test_plain_html_url_comes_from_the_page_then_the_file(tmp_path: Path) -> None:
    with_canonical = tmp_path / "a.html"
    shutil.copy(PAGES / "seedlike.html", with_canonical)
    without = tmp_path / "b.html"
    shutil.copy(PAGES / "cp1252.html", without)
    (_, first), (_, second) = _run([str(with_canonical), str(without)])
    assert first["url"] == SEED_URL
    assert second["url"] == without.resolve().as_uri()
    assert second["language"] == "fr"
    assert second["site"] == "local"


def test_gzipped_html_is_read_whatever_its_name(tmp_path: Path) -> None:
    for name in ("story.html.gz", "story-saved.html"):
        path = tmp_path / name
        path.write_bytes(gzip.compress((PAGES / "graph.html").read_bytes()))
        [(_, record)] = _run([str(path)])
        assert record["title"] == "How to winter-proof a vegetable patch"


def test_warc_gives_one_output_per_response_in_order(warc_file: Path) -> None:
    results = _run([str(warc_file)])
    assert [label for label, _ in results] == [str(warc_file)] * 4
    seed, pdf, gone, amp = (r for _, r in results)
    assert seed["title"] == "Council votes to close riverside car park"
    assert seed["site"] == "northfield"
    assert seed["source"] == "sitemap"
    assert seed["fetched_at"] == "2024-05-04T10:00:00Z"
    assert str(seed["raw_ref"]).startswith(f"{warc_file}#")
    assert pdf == {"input": str(warc_file), "error": "not HTML: application/pdf"}
    assert gone == {"input": str(warc_file), "error": "HTTP 404"}
    assert amp["canonical_url"] == AMP_URL.removesuffix("amp/")
    assert amp["provenance"] == {
        "title": "json-ld",
        "authors": "json-ld",
        "published_at": "json-ld",
    }


def test_bad_inputs_give_error_objects_not_exceptions(tmp_path: Path, warc_file: Path) -> None:
    corrupt_gz = tmp_path / "broken.html.gz"
    corrupt_gz.write_bytes(b"\x1f\x8b\x08\x00" + b"not really deflate data" * 4)
    truncated_gz = tmp_path / "truncated.html.gz"
    truncated_gz.write_bytes(gzip.compress((PAGES / "seedlike.html").read_bytes())[:500])
    corrupt_warc = tmp_path / "broken.warc.gz"
    corrupt_warc.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nnonsense\r\n\r\n"))
    truncated_warc = tmp_path / "truncated.warc.gz"
    truncated_warc.write_bytes(warc_file.read_bytes()[:-200])
    pdf = tmp_path / "report.html"
    shutil.copy(PAGES / "annual-report.pdf", pdf)
    empty = tmp_path / "empty.html"
    shutil.copy(PAGES / "empty.html", empty)
    missing = tmp_path / "missing.html"
    inputs = [corrupt_gz, truncated_gz, corrupt_warc, truncated_warc, pdf, empty, missing, tmp_path]

    results = _run([str(p) for p in inputs])

    by_input: dict[str, list[dict[str, object]]] = {}
    for label, record in results:
        by_input.setdefault(label, []).append(record)
    assert list(by_input) == [str(p) for p in inputs]
    assert "unreadable file" in str(by_input[str(corrupt_gz)][0]["error"])
    assert "unreadable file" in str(by_input[str(truncated_gz)][0]["error"])
    assert "error" in by_input[str(corrupt_warc)][-1]
    # the records before the damage are still extracted, and the damage does not stop the run
    truncated = by_input[str(truncated_warc)]
    assert truncated[0]["title"] == "Council votes to close riverside car park"
    assert all(record["input"] == str(truncated_warc) for record in truncated)
    assert by_input[str(pdf)] == [{"input": str(pdf), "error": "not HTML: application/pdf"}]
    assert str(by_input[str(empty)][0]["error"]).startswith("no article text (")
    assert by_input[str(missing)] == [{"input": str(missing), "error": "no such file"}]
    assert by_input[str(tmp_path)] == [{"input": str(tmp_path), "error": "is a directory"}]


def _many(tmp_path: Path, n: int) -> list[str]:
    sources = ["seedlike.html", "graph.html", "empty.html", "cp1252.html", "amp.html"]
    paths = []
    for i in range(n):
        path = tmp_path / f"page-{i:03d}.html"
        shutil.copy(PAGES / sources[i % len(sources)], path)
        paths.append(str(path))
    return paths


def test_pool_keeps_input_order_and_matches_serial(tmp_path: Path) -> None:
    paths = _many(tmp_path, 3 * HANDFUL)
    pooled = _run(paths, workers=2)
    serial = _run(paths, workers=1)
    assert [label for label, _ in pooled] == paths
    assert pooled == serial
    assert sum("error" in record for _, record in pooled) == len(paths) // 5 + (
        1 if len(paths) % 5 > 2 else 0
    )


def test_pool_reads_inputs_lazily(tmp_path: Path) -> None:
    paths = _many(tmp_path, 60)
    pulled = 0

    def lazily() -> Iterator[str]:
        nonlocal pulled
        for p in paths:
            pulled += 1
            yield p

    results = iter_saved_pages(lazily(), workers=2)
    next(results)
    # never more than the in-flight window (plus the handful used to decide on a pool)
    assert pulled <= HANDFUL + 1 + 2 * IN_FLIGHT_PER_WORKER + 1
    rest = list(results)
    assert len(rest) == len(paths) - 1
