"""Shapes shared by the demo content, the renderers and the server.

Stories are written as data with dates relative to "today"; a `World` pins them to real dates,
URLs and one edition, so every renderer sees the same resolved articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone


@dataclass(frozen=True)
class Ago:
    """A local publication time `days` before the server's start date, at a fixed clock time."""

    days: int
    hour: int
    minute: int
    offset_hours: int

    def resolve(self, today: date) -> datetime:
        tz = timezone(timedelta(hours=self.offset_hours))
        return datetime.combine(today - timedelta(days=self.days), time(self.hour, self.minute), tz)


@dataclass(frozen=True)
class Para:
    text: str
    # (phrase, href): the first occurrence of phrase becomes a link. "story:<key>" links to a
    # demo story, so inline links stay on-site without hard-coding a port.
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Figure:
    image: str  # file name; each publisher serves it under its own media path
    caption: str
    credit: str
    alt: str = ""


@dataclass(frozen=True)
class Tweet:
    text: str
    author: str
    handle: str
    status_id: str


Block = Para | Heading | Figure | Tweet


@dataclass(frozen=True)
class Comment:
    name: str
    text: str
    hours_after: int


@dataclass(frozen=True)
class Revision:
    """The edition-2 version of a story: a new body and a later modification time."""

    body: tuple[Block, ...]
    modified: Ago


@dataclass(frozen=True)
class Story:
    key: str
    publisher: str
    number: int  # WordPress post id or Ledger story number
    slug: str
    title: str
    standfirst: str
    authors: tuple[str, ...]
    section: str
    tags: tuple[str, ...]
    published: Ago | datetime
    lead: Figure
    body: tuple[Block, ...]
    language: str = "en"
    image_credit: str = ""
    comments: tuple[Comment, ...] = ()
    edited_minutes: int = 0
    archive: bool = False
    edition: int = 1
    encoding: str = "utf-8"
    syndicated_from: str | None = None
    revision: Revision | None = None


@dataclass(frozen=True)
class Placed:
    """A story pinned to dates, a body and a URL for one edition of one running server."""

    story: Story
    published: datetime  # aware, in the publisher's own offset
    modified: datetime
    body: tuple[Block, ...]
    base: str
    path: str

    @property
    def url(self) -> str:
        return self.base + self.path

    @property
    def key(self) -> str:
        return self.story.key

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.body if isinstance(b, Para | Heading)]

    @property
    def figures(self) -> list[Figure]:
        return [self.story.lead, *(b for b in self.body if isinstance(b, Figure))]

    @property
    def tweets(self) -> list[Tweet]:
        return [b for b in self.body if isinstance(b, Tweet)]


def story_path(story: Story, published: datetime) -> str:
    if story.publisher == "gazette":
        return f"/{published:%Y/%m/%d}/{story.slug}/"
    return f"/news/{story.number}-{story.slug}.html"


class World:
    """Every story visible in one edition, resolved against one start date and base URLs."""

    def __init__(
        self,
        stories: tuple[Story, ...],
        today: date,
        edition: int,
        bases: Mapping[str, str],
    ) -> None:
        self.today = today
        self.edition = edition
        self.bases = dict(bases)
        placed = [self._place(s) for s in stories if s.edition <= edition]
        placed.sort(key=lambda p: p.published, reverse=True)
        self.placed: tuple[Placed, ...] = tuple(placed)
        self._by_key = {p.key: p for p in placed}
        self._by_path = {(p.story.publisher, p.path): p for p in placed}

    def _place(self, story: Story) -> Placed:
        if isinstance(story.published, Ago):
            published = story.published.resolve(self.today)
        else:
            published = story.published
        modified = published + timedelta(minutes=story.edited_minutes)
        body = story.body
        if story.revision is not None and self.edition >= 2:
            body = story.revision.body
            modified = story.revision.modified.resolve(self.today)
        return Placed(
            story=story,
            published=published,
            modified=modified,
            body=body,
            base=self.bases[story.publisher],
            path=story_path(story, published),
        )

    def stories(self, publisher: str, *, archive: bool | None = False) -> list[Placed]:
        """Newest first; `archive=None` includes both current and archive stories."""
        return [
            p
            for p in self.placed
            if p.story.publisher == publisher and (archive is None or p.story.archive == archive)
        ]

    def get(self, key: str) -> Placed:
        return self._by_key[key]

    def at(self, publisher: str, path: str) -> Placed | None:
        return self._by_path.get((publisher, path))

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def last_modified(self, publisher: str, *, archive: bool | None = False) -> datetime:
        return max(p.modified for p in self.stories(publisher, archive=archive))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RequestLog:
    host: str
    port: int
    path: str
    query: str
    method: str
    status: int
    user_agent: str


@dataclass
class ExpectedArticle:
    """What a perfect crawl + extraction should produce for one demo article."""

    publisher: str
    site: str
    canonical_url: str
    title: str
    authors: list[str]
    published_at: str
    language: str
    paragraphs: list[str]
    boilerplate: list[str]
    archive: bool
    edition: int
    syndicated_of: str | None
    # Extras beyond the contract: handy for metadata tests, never required by it.
    description: str = ""
    modified_at: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str = ""
    # Caption and embedded-tweet text may or may not survive extraction; neither is asserted
    # either way, so they are kept apart from `paragraphs` and `boilerplate`.
    captions: list[str] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)


def utc_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
