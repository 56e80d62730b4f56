"""One demo story file: YAML front matter, then the body in a small subset of Markdown.

The subset is what the stories need and nothing more:

- paragraphs, separated by blank lines; a paragraph's lines are joined with single spaces;
- `## Heading` lines;
- `[phrase](href)` links inside a paragraph (`story:<key>` links to another demo story);
- fenced blocks of YAML for the two embeds: `` ```figure `` (image, caption, credit, alt) and
  `` ```tweet `` (text, author, handle, status_id);
- a `<!-- revision -->` line: what follows is the body the story has from edition 2 on.

It is parsed here rather than by a CommonMark library because the served pages must carry the
text byte for byte: CommonMark would reinterpret `*`, `_`, `\\` and `&...;` in prose, and
markdown-it-py would be a new runtime dependency for the demo alone.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

import yaml

from newsmill.pipeline.demo.model import (
    Ago,
    Block,
    Comment,
    Figure,
    Heading,
    Para,
    Revision,
    Story,
    Tweet,
)

REVISION_MARK = "<!-- revision -->"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```(\w+)\n(.*)\n```$", re.DOTALL)


class StoryFileError(ValueError):
    """A story file that does not follow the format above."""


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise StoryFileError(f"{source}: no YAML front matter")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise StoryFileError(f"{source}: front matter is not closed by '---'")
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict):
        raise StoryFileError(f"{source}: front matter is not a mapping")
    return meta, body


def parse_blocks(markdown: str, source: str) -> tuple[Block, ...]:
    return tuple(_block(chunk, source) for chunk in _chunks(markdown))


def _chunks(markdown: str) -> list[str]:
    """Blank-line separated chunks; a fenced block stays whole even if it held a blank line."""
    chunks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in markdown.strip("\n").split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                chunks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        chunks.append("\n".join(current))
    return chunks


def _block(chunk: str, source: str) -> Block:
    if chunk.startswith("## "):
        return Heading(chunk[3:].strip())
    fence = _FENCE.match(chunk)
    if fence:
        kind, data = fence[1], yaml.safe_load(fence[2])
        if kind == "figure":
            return _figure(data, source)
        if kind == "tweet":
            return Tweet(str(data["text"]), data["author"], data["handle"], str(data["status_id"]))
        raise StoryFileError(f"{source}: unknown fenced block {kind!r}")
    if chunk.startswith(("#", "```")):
        raise StoryFileError(f"{source}: cannot read block {chunk[:40]!r}")
    text = " ".join(line.strip() for line in chunk.split("\n"))
    links = tuple((m[1], m[2]) for m in _LINK.finditer(text))
    return Para(_LINK.sub(r"\1", text), links)


def _figure(data: dict[str, Any], source: str) -> Figure:
    try:
        return Figure(data["image"], data["caption"], data["credit"], data.get("alt", ""))
    except (KeyError, TypeError) as exc:
        raise StoryFileError(f"{source}: a figure needs image, caption and credit") from exc


def parse_when(value: Any, source: str) -> Ago | datetime:
    """`{days_ago: 1, at: "08:40+01:00"}` relative to the server's start date, or an ISO date."""
    if isinstance(value, dict):
        at = time.fromisoformat(str(value["at"]))
        offset = at.utcoffset()
        if offset is None:
            raise StoryFileError(f"{source}: time {value['at']!r} needs a UTC offset")
        return Ago(int(value["days_ago"]), at.hour, at.minute, int(offset.total_seconds() // 3600))
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise StoryFileError(f"{source}: date {value!r} needs a UTC offset")
    return when


def parse_story(key: str, text: str, source: str, originals: dict[str, Story]) -> Story:
    """One story; a `verbatim` copy takes title, standfirst, lead and body from its original."""
    meta, markdown = split_front_matter(text, source)
    body_md, _, revised_md = markdown.partition(f"\n{REVISION_MARK}\n")
    try:
        if meta.get("verbatim"):
            original = originals[meta["syndicated_from"]]
            title, standfirst, lead = original.title, original.standfirst, original.lead
            body = original.body
        else:
            title, standfirst = meta["title"], meta["standfirst"]
            lead, body = _figure(meta["lead"], source), parse_blocks(body_md, source)
    except KeyError as exc:
        raise StoryFileError(f"{source}: missing field or story {exc.args[0]!r}") from exc
    revision = None
    if "revision" in meta:
        modified = parse_when(meta["revision"]["modified"], source)
        if not isinstance(modified, Ago):
            raise StoryFileError(f"{source}: a revision date is relative (days_ago, at)")
        revision = Revision(parse_blocks(revised_md, source), modified)
    try:
        return Story(
            key=key,
            publisher=meta["publisher"],
            number=int(meta["number"]),
            slug=meta["slug"],
            authors=tuple(meta["authors"]),
            section=meta["section"],
            tags=tuple(meta.get("tags", ())),
            published=parse_when(meta["published"], source),
            language=meta.get("language", "en"),
            image_credit=meta.get("image_credit", ""),
            comments=tuple(
                Comment(c["name"], c["text"], int(c["hours_after"]))
                for c in meta.get("comments", ())
            ),
            edited_minutes=int(meta.get("edited_minutes", 0)),
            archive=bool(meta.get("archive", False)),
            edition=int(meta.get("edition", 1)),
            encoding=meta.get("encoding", "utf-8"),
            syndicated_from=meta.get("syndicated_from"),
            revision=revision,
            title=title,
            standfirst=standfirst,
            lead=lead,
            body=body,
        )
    except KeyError as exc:
        raise StoryFileError(f"{source}: missing field {exc.args[0]!r}") from exc
