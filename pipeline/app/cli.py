"""The `newsmill` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from newsmill.pipeline.app.runs import RunReport


class CliError(Exception):
    """A one-line reason for a non-zero exit."""


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _progress(quiet: bool) -> Callable[[str], None] | None:
    if quiet:
        return None
    return lambda msg: print(f"  .. {msg}", file=sys.stderr, flush=True)


def print_summary(report: RunReport, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    cols = ("fetched", "records", "duplicates", "revisions", "unchanged", "quarantined")
    rows: list[tuple[str, int, int, int, int, int, int]] = []
    for name, c in sorted(report.sites.items()):
        rows.append((name, c.fetched, c.articles, c.duplicates, c.revisions, c.unchanged,
                     c.quarantined))
    total = [sum(int(r[i]) for r in rows) for i in range(1, len(cols) + 1)]
    width = max([len("site"), len("total"), *(len(r[0]) for r in rows)])
    lines = [f"{report.command} {report.run_id}: {'ok' if report.ok else 'FAILED'} "
             f"in {report.seconds:.1f}s"]
    if phases := report.phases.summary(report.seconds):
        lines.append(f"  time: {phases}")
    if not rows:
        lines.append("  nothing new to do")
    else:
        lines.append("  " + "site".ljust(width) + "".join(c.rjust(12) for c in cols))
    for r in rows:
        lines.append("  " + r[0].ljust(width) + "".join(str(v).rjust(12) for v in r[1:]))
    if len(rows) > 1:
        lines.append("  " + "total".ljust(width) + "".join(str(v).rjust(12) for v in total))
    for name, c in sorted(report.sites.items()):
        if c.quarantine_reasons:
            reasons = ", ".join(f"{k}: {v}" for k, v in sorted(c.quarantine_reasons.items()))
            lines.append(f"  quarantined on {name}: {reasons}")
    for name, c in sorted(report.sites.items()):
        if c.missing_title:
            lines.append(f"  published without a title on {name}: {c.missing_title}")
    for name, why in sorted(report.failures.items()):
        lines.append(f"  site {name} FAILED: {why}")
    for line in report.drift:
        lines.append(f"  DRIFT {line}")
    if report.dumps:
        lines.append(f"  dumps published: {', '.join(report.dumps)}")
    print("\n".join(lines), file=out)


def _finish(report: RunReport, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_summary(report)
    if not report.ok:
        why = report.error or "; ".join(f"{k}: {v}" for k, v in sorted(report.failures.items()))
        print(f"newsmill: {report.command} failed: {why}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs
    from newsmill.pipeline.demo.server import DemoServer

    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="newsmill-demo-") as tmp:
        sites = server.write_sites_file(Path(tmp) / "sites.yaml")
        print(f"demo sites: {server.base_url('gazette')} {server.base_url('ledger')}",
              file=sys.stderr)
        report = jobs.run(str(sites), args.store, progress=_progress(args.quiet))
    code = _finish(report, args.json)
    if code == 0 and not args.json:
        print(f"  store: {args.store}")
    return code


def cmd_crawl(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs

    return _finish(jobs.crawl(args.sites, args.store, sites=args.site or None), args.json)


def cmd_backfill(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs
    from newsmill.pipeline.settings import settings

    cfg = settings()
    report = jobs.backfill(
        args.sites,
        args.store,
        site=args.site,
        date_from=args.date_from,
        date_to=args.date_to,
        source=args.source,
        warc=args.warc,
        cdx_url=args.cdx_url or cfg.cdx_url,
        replay_url=args.replay_url or cfg.replay_url,
    )
    code = _finish(report, args.json)
    if report.coverage and not args.json:  # with --json it is in the report
        from newsmill.pipeline.backfill.coverage import format_coverage

        print(format_coverage(report.coverage))
    return code


def cmd_process(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs

    report = jobs.process(args.store, sites_path=args.sites, progress=_progress(args.quiet))
    return _finish(report, args.json)


def cmd_dump(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs

    manifest = jobs.dump(args.store, args.date.isoformat() if args.date else None)
    if args.json:
        print(json.dumps(manifest, indent=2))
        return 0
    state = "unchanged" if manifest.get("unchanged") else "published"
    sites = ", ".join(f"{k}: {v}" for k, v in manifest["sites"].items()) or "no articles"
    print(f"dump {manifest['date']} {state}: {manifest['row_count']} rows ({sites})")
    for f in manifest["files"]:
        print(f"  {f['key']}  {f['size']} bytes  sha256 {f['sha256'][:16]}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs

    report = jobs.run(args.sites, args.store, sites=args.site or None,
                      progress=_progress(args.quiet))
    return _finish(report, args.json)


def cmd_reextract(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app import jobs

    report = jobs.reextract(args.store, date_from=args.date_from, date_to=args.date_to,
                            sites_path=args.sites, progress=_progress(args.quiet))
    for day in report.dates:
        jobs.dump(args.store, day)
        report.dumps.append(day)
    return _finish(report, args.json)


def cmd_sites_check(args: argparse.Namespace) -> int:
    from newsmill.pipeline.sites import load_sites

    sites = load_sites(args.sites)
    print(f"{args.sites}: {len(sites.sites)} site(s) ok")
    if sites.allow_private_networks:
        print(f"  private networks allowed: {', '.join(sites.allow_private_networks)}")
    for site in sites.sites:
        print("\n".join(site.describe()))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from newsmill.pipeline.app.runs import recent_reports
    from newsmill.pipeline.health.record import current_flags
    from newsmill.storage import open_store

    store = open_store(args.store)
    store.check()
    reports = recent_reports(store, args.limit)
    flags = current_flags(store)
    if args.json:
        print(json.dumps({"runs": [r.to_json() for r in reports],
                          "drift": [f.to_json() for f in flags]}, indent=2))
        return 0
    if not reports:
        print(f"no runs yet in {store.uri}")
    for r in reports:
        print_summary(r)
        for name, c in sorted(r.sites.items()):
            for err in c.errors[:5]:
                print(f"  error on {name}: {err}")
    quarantine = [k for k in store.list("quarantine/")][-args.limit:]
    if quarantine:
        print("recent quarantine files:")
        for k in quarantine:
            print(f"  {k}")
    if flags:
        print(f"drifting sites ({len({f.site for f in flags})}):")
        for f in flags:
            print(f"  {f.message}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from newsmill.pipeline.health.report import write_report
    from newsmill.storage import open_store

    if args.days < 1:
        raise CliError(f"--days must be at least 1, got {args.days}")
    store = open_store(args.store)
    store.check()
    written = write_report(store, days=args.days, out_dir=args.out)
    if args.json:
        print(json.dumps(written.data, indent=2))
        return 0
    summary = written.data["summary"]
    print(f"health report {written.data['period']['from']}..{written.data['period']['to']}: "
          f"{summary['sites']} sites, {len(summary['drifting'])} drifting")
    for flag in written.data["flags"]:
        print(f"  DRIFT {flag['message']}")
    where = "" if args.out else f" in {store.uri}"
    print(f"  {written.html}{where}\n  {written.json}{where}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from newsmill.pipeline.extract.saved import iter_saved_pages

    for missing in (p for p in args.files if not Path(p).exists()):
        raise CliError(f"no such file: {missing}")
    for _input, record in iter_saved_pages(args.files, url=args.url):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    from newsmill.pipeline.settings import settings
    parser = argparse.ArgumentParser(
        prog="newsmill",
        description="Crawl news sites, extract clean article records, publish dumps.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str,
            store: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(fn=fn)
        if store:
            p.add_argument("--store", default=settings().store,
                           help="store URI: a folder, file:///abs/path or s3://bucket/prefix "
                                "(default ./data)")
            p.add_argument("--json", action="store_true", help="print the result as JSON")
            p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
        return p

    add("demo", cmd_demo, "run crawl + process + dump against the bundled demo news sites")

    p = add("crawl", cmd_crawl, "incremental crawl of the sites; raw responses to raw/")
    p.add_argument("--sites", required=True, help="sites file (YAML)")
    p.add_argument("--site", action="append", help="only this site (repeatable)")

    p = add("backfill", cmd_backfill, "archive ingest of articles published in [from, to]")
    p.add_argument("--sites", required=True, help="sites file (YAML)")
    p.add_argument("--site", required=True, help="site name")
    p.add_argument("--from", dest="date_from", type=_date, required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, required=True, help="YYYY-MM-DD")
    p.add_argument("--source", choices=("sitemap", "warc", "wayback"), default="sitemap")
    p.add_argument("--warc", action="append", default=[], help="WARC path or URI (repeatable)")
    p.add_argument("--cdx-url", help="CDX API (default: the Wayback Machine's)")
    p.add_argument("--replay-url", help="replay prefix (default: the Wayback Machine's)")

    p = add("process", cmd_process, "extract, normalise and deduplicate new raw captures")
    p.add_argument("--sites", help="sites file, for language hints and domains")

    p = add("dump", cmd_dump, "publish the dump partition for an ingestion date")
    p.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today, UTC)")

    p = add("run", cmd_run, "crawl + process + dump: the whole scheduled job")
    p.add_argument("--sites", required=True, help="sites file (YAML)")
    p.add_argument("--site", action="append", help="only this site (repeatable)")

    p = add("reextract", cmd_reextract, "re-run extraction over archived raw WARC and republish")
    p.add_argument("--from", dest="date_from", type=_date, required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_date, required=True, help="YYYY-MM-DD")
    p.add_argument("--sites", help="sites file, for language hints and domains")

    sites = sub.add_parser("sites", help="sites file commands")
    sites_sub = sites.add_subparsers(dest="sites_command", required=True, metavar="COMMAND")
    p = sites_sub.add_parser("check", help="validate a sites file and show what each site crawls",
                             description="validate a sites file and show what each site crawls")
    p.add_argument("--sites", required=True, help="sites file (YAML)")
    p.add_argument("--store", default=settings().store, help=argparse.SUPPRESS)
    p.set_defaults(fn=cmd_sites_check)

    p = add("status", cmd_status,
            "recent runs, per-site counts, failures, quarantine and drifting sites")
    p.add_argument("--limit", type=int, default=5, help="how many runs (default 5)")

    p = add("report", cmd_report, "write the health report (HTML with plots, and JSON)")
    p.add_argument("--days", type=int, default=14, help="days covered, up to today (default 14)")
    p.add_argument("--out", help="folder to write index.html and health.json to "
                                 "(default: the store's reports/date=<today>/)")

    p = sub.add_parser("extract", help="extract saved pages to JSON lines (no store, no network)",
                       description="extract saved pages (.html, .html.gz, .warc, .warc.gz) and "
                                   "print one JSON object per page")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--url", help="the URL the page was fetched from (for .html inputs)")
    p.set_defaults(fn=cmd_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from newsmill.pipeline.app.jobs import JobError
    from newsmill.pipeline.sites import SitesFileError
    from newsmill.storage import StoreError

    try:
        return int(args.fn(args))
    except (CliError, JobError, SitesFileError, StoreError, ValueError) as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, SitesFileError) else 1
    except KeyboardInterrupt:
        print("newsmill: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
