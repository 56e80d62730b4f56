"""MinHash signatures, LSH band keys and band tables (pipeline.dedup.neardup)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from newsmill.pipeline.dedup import neardup as nd
from newsmill.pipeline.demo.model import Heading, Para, Story
from newsmill.pipeline.demo.stories import story


def text_of(story: Story, *, intro: bool = False) -> str:
    paras = [b.text for b in story.body if isinstance(b, Para | Heading)]
    return "\n\n".join(([story.standfirst] if intro else []) + paras)


def sim(a: str, b: str) -> float:
    sa, sb = nd.signature(a), nd.signature(b)
    assert sa is not None and sb is not None
    return float(nd.similarity(nd.short_sig(sa), nd.short_sig(sb)))


def true_jaccard(a: str, b: str) -> float:
    x, y = set(nd.shingle_hashes(a).tolist()), set(nd.shingle_hashes(b).tolist())
    return len(x & y) / len(x | y)


def test_identical_texts_have_identical_signatures() -> None:
    text = text_of(story("gazette-seals"))
    assert sim(text, text) == 1.0
    assert sim(text, text.upper().replace("\n\n", "\n")) == 1.0  # case and layout do not count


def test_signatures_do_not_depend_on_the_process() -> None:
    # Signatures are stored and compared across runs: no per-process hash seed may leak in.
    text = text_of(story("ledger-clock"))
    code = ("import sys; from newsmill.pipeline.dedup import neardup as nd; "
            "print(nd.signature(sys.stdin.read()).tolist())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True,
                         text=True, env=env, check=True).stdout
    sig = nd.signature(text)
    assert sig is not None and out.strip() == str(sig.tolist())


def test_typographic_punctuation_separates_words() -> None:
    curly = ("\u201cWe are not counting our chickens yet,\u201d said Henrik \u2014 "
             "the tow\u2019s man.")
    plain = '"We are not counting our chickens yet," said Henrik - the tow\'s man.'
    assert np.array_equal(nd.token_hashes(curly), nd.token_hashes(plain))
    assert nd.token_hashes("caf\u00e9 na\u00efve").size == 2


def test_too_short_texts_get_no_signature() -> None:
    assert nd.signature("") is None
    assert nd.signature("Seven words are not enough for this.") is None
    assert nd.signature(text_of(story("gazette-seals"))) is not None


def test_estimate_tracks_the_true_jaccard() -> None:
    original = text_of(story("gazette-seals"), intro=True)
    paras = original.split("\n\n")
    for edited in (
        "\n\n".join(paras[1:]),  # the Ledger's copy without the intro
        "\n\n".join(paras[:-2]),  # trimmed
        "\n\n".join(paras[:3] + paras[4:6] + [paras[3]] + paras[6:]),  # reordered
    ):
        assert abs(sim(original, edited) - true_jaccard(original, edited)) < 0.12


def test_trimmed_reheadlined_copy_is_similar_and_same_event_story_is_not() -> None:
    original = text_of(story("ledger-clock"), intro=True)  # the Ledger prints its intro in the body
    copy = text_of(story("gazette-clock-copy"))
    other = text_of(story("ledger-clock-apprentices"), intro=True)
    assert sim(original, copy) >= nd.THRESHOLD + 0.15
    assert sim(original, other) < 0.1
    keys = {k: set(nd.band_keys(nd.signature(t)).tolist())  # type: ignore[arg-type]
            for k, t in (("o", original), ("c", copy), ("x", other))}
    assert keys["o"] & keys["c"], "the copy must be an LSH candidate"
    assert not keys["o"] & keys["x"]


def test_band_keys_differ_per_band() -> None:
    sig = np.zeros(nd.K, dtype=np.uint32)  # every band holds the same values
    assert len(set(nd.band_keys(sig).tolist())) == nd.BANDS


def test_key_tables_return_every_row_of_a_key() -> None:
    mem = nd.Memtable()
    mem.add(np.array([1, 2, 3], dtype=np.uint64), 10)
    mem.add(np.array([3, 4, 5], dtype=np.uint64), 11)
    mem.add(np.array([3, 6, 7], dtype=np.uint64), 12)
    query = np.array([3, 1, 99], dtype=np.uint64)
    assert sorted(zip(*mem.lookup(query), strict=True)) == [(0, 10), (0, 11), (0, 12), (1, 10)]

    run = mem.freeze()
    at, rows = run.lookup(query)
    assert sorted(zip(at.tolist(), rows.tolist(), strict=True)) == [
        (0, 10), (0, 11), (0, 12), (1, 10)]
    # Merging keeps the order of rows under a key: the older run's first.
    newer = nd.BandRun.build(np.array([1, 3, 8], dtype=np.uint64), np.array([13, 13, 13]))
    merged = nd.BandRun.merge(run, newer)
    assert len(merged) == len(run) + 3
    assert bool(np.all(merged.keys[1:] >= merged.keys[:-1]))
    at, rows = merged.lookup(query)
    assert rows[at == 0].tolist() == [10, 11, 12, 13] and rows[at == 1].tolist() == [10, 13]
    assert nd.BandRun.empty().lookup(query)[1].size == 0
    assert nd.BandRun.merge(nd.BandRun.empty(), newer).rows.tolist() == [13, 13, 13]


def test_many_rows_under_one_key_are_all_found() -> None:
    # A text republished hundreds of times puts hundreds of rows under the same band keys.
    keys = np.concatenate((np.full(300, 42, dtype=np.uint64),
                           np.arange(1000, 2000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)))
    run = nd.BandRun.build(keys, np.arange(keys.size))
    at, rows = run.lookup(np.array([42, keys[500]], dtype=np.uint64))
    assert sorted(rows[at == 0].tolist()) == list(range(300)) and rows[at == 1].tolist() == [500]


def test_directory_lookup_agrees_with_binary_search() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 2**63, 50_000, dtype=np.uint64) * np.uint64(2)
    run = nd.BandRun.build(np.concatenate((keys, keys[:10])), np.arange(50_010))
    query = np.concatenate((keys[::997], rng.integers(0, 2**63, 50, dtype=np.uint64) * 2 + 1))
    at, rows = run.lookup(query)
    at2, rows2 = run._bisect(query)
    assert sorted(zip(at.tolist(), rows.tolist(), strict=True)) == sorted(
        zip(at2.tolist(), rows2.tolist(), strict=True))
    assert set(at.tolist()) == set(range(len(keys[::997])))
