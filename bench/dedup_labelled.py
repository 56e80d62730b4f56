"""A labelled stream of news articles for measuring deduplication, built by the project itself.

No public labelled set of syndicated news copies matches what newsmill sees, so this generator
builds one with the properties that matter, from a seed (the same seed, the same set):

- Prose with a natural word distribution: a Zipfian vocabulary (real English function words,
  then invented content words), sentences of 8-30 words, paragraphs of 1-4 sentences.
- Events: people, places and an organisation, a press-release quote and a facts line that every
  story on the event may repeat word for word (that is what makes different stories similar).
- Site templates: a dateline style and closing lines (newsletter plugs, contact lines) that
  extraction sometimes leaves in, shared by every story of the site.
- Originals: one story per event on one site, long or short.
- Copies (positives), each with 2-5 realistic edits: new headline (the title is not in the
  text), trimmed ending, credit line, added standfirst, paragraph reordering, a dropped middle
  paragraph, typo fixes, the copying site's own template lines instead of the original's.
- Hard negatives: other stories on the same event on the same template (same site, same
  dateline, same closing lines, same quote and facts), a follow-up a day later, and the same
  event on another site.

Each item carries `story`: items with the same story are copies of one another, the first one in
the stream is the original. Everything else is a different story.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_FUNCTION_TEXT = (
    "the of and to a in that is was said for on it with as he be by at from his have are an "
    "they which has had not but were their this been who will would its more after also than "
    "two first one new about there when or all up out into over last year people new over "
    "could she her them some other three what time we only can years many may our most so "
    "before against under while since just where should between during now because those down "
    "such being then week told being day against still around local council police told "
    "government plans million percent county residents officials spokesperson statement"
)
FUNCTION_WORDS = _FUNCTION_TEXT.split()
_SYLLABLE_TEXT = ("ka ro mi tel an sor vek lu dar en pi ost ham bre gol cun fi ter mas lin qua "
                  "zor bel wen tri pul nor sta gra vin hol mer dex cor")
SYLLABLES = _SYLLABLE_TEXT.split()
SITES = ("gazette", "ledger", "courier", "herald", "post", "echo", "chronicle", "observer")
CLOSERS = (
    "Sign up for the {site} morning briefing and get the day's top stories in your inbox.",
    "Got a story? Email the {site} newsdesk or message us on our tip line.",
    "Follow the {site} on social media for the latest news, sport and weather.",
    "Read more local news from across the region on the {site} website.",
    "The {site} depends on readers like you; subscriptions start at a pound a week.",
    "Comments on this story have been closed by the {site} moderators.",
)
DATELINES = ("{PLACE} \u2014", "{Place}, {Day}:", "By our reporter in {Place}.", "")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EDITS = ("trim", "credit", "intro", "reorder", "drop_middle", "typo", "template")


@dataclass
class Item:
    url: str
    site: str
    title: str
    text: str
    published_at: str
    story: str  # same story = copies of one another
    kind: str  # original | copy | negative:same-event | negative:follow-up | negative:other-site
    edits: tuple[str, ...] = ()


@dataclass
class Template:
    site: str
    dateline: str
    closers: list[str]
    residue: float  # how often extraction leaves the closing lines in


@dataclass
class Event:
    key: str
    people: list[str]
    places: list[str]
    org: str
    quote: str
    facts: str
    when: datetime


class Prose:
    """Zipfian words -> sentences -> paragraphs."""

    def __init__(self, rng: random.Random, vocab_size: int = 30_000) -> None:
        self.rng = rng
        words = list(dict.fromkeys(FUNCTION_WORDS))
        seen = set(words)
        while len(words) < vocab_size:
            w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if w not in seen:
                seen.add(w)
                words.append(w)
        self.words = words
        # Zipf with exponent ~1: the cumulative weights make rng.choices O(log n) per word.
        self.cum: list[float] = []
        total = 0.0
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank ** 1.05
            self.cum.append(total)

    def name(self) -> str:
        part = lambda: "".join(self.rng.choice(SYLLABLES) for _ in range(2)).title()  # noqa: E731
        return f"{part()} {part()}"

    def sentence(self, entities: Sequence[str] = (), n: int | None = None) -> str:
        rng = self.rng
        n = n or rng.randint(8, 30)
        words = rng.choices(self.words, cum_weights=self.cum, k=n)
        for e in entities:
            if rng.random() < 0.35:
                words.insert(rng.randrange(len(words) + 1), e)
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), str(rng.randint(2, 5000)))
        s = " ".join(words)
        return s[0].upper() + s[1:] + "."

    def paragraph(self, entities: list[str], sentences: tuple[int, int] = (1, 4)) -> str:
        return " ".join(self.sentence(entities) for _ in range(self.rng.randint(*sentences)))


@dataclass
class Generator:
    seed: int = 7
    events: int = 1500
    items: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.prose = Prose(self.rng)
        self.templates = {
            s: Template(s, self.rng.choice(DATELINES),
                        [c.format(site=s.title()) for c in self.rng.sample(CLOSERS, 2)],
                        self.rng.choice((0.0, 0.5, 1.0)))
            for s in SITES
        }
        self._n = 0

    def _url(self, site: str) -> str:
        self._n += 1
        return f"https://www.{site}.example/news/{self._n}-story"

    def _event(self, i: int) -> Event:
        p = self.prose
        people = [p.name() for _ in range(3)]
        places = [p.name().split()[0] for _ in range(2)]
        org = f"{p.name().split()[1]} {self.rng.choice(('Trust', 'Council', 'Group', 'Board'))}"
        quote = (f'"{p.sentence(people[:1], 18)} {p.sentence(places, 14)}" said {people[0]} of '
                 f"the {org}.")
        facts = p.sentence([places[0], org], 20)
        when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=self.rng.randrange(525_600))
        return Event(f"e{i}", people, places, org, quote, facts, when)

    def _story(self, ev: Event, tpl: Template, *, short: bool) -> list[str]:
        """Paragraphs of a fresh story on the event, in the site's template."""
        rng, p = self.rng, self.prose
        entities = ev.people + ev.places + [ev.org]
        n = rng.randint(3, 5) if short else rng.randint(6, 16)
        paras = [p.paragraph(entities) for _ in range(n)]
        if rng.random() < 0.8:
            paras.insert(rng.randint(1, len(paras)), ev.quote)
        if rng.random() < 0.6:
            paras.insert(rng.randint(1, len(paras)), ev.facts)
        if tpl.dateline:
            place = ev.places[0]
            line = tpl.dateline.format(PLACE=place.upper(), Place=place, Day=ev.when.strftime("%A"))
            paras[0] = f"{line} {paras[0]}"
        return paras

    def _render(self, paras: list[str], tpl: Template) -> str:
        closers = tpl.closers if self.rng.random() < tpl.residue else []
        return "\n\n".join(paras + closers)

    def _copy(self, paras: list[str], src: Template, dst: Template, ev: Event) -> tuple[
            list[str], tuple[str, ...]]:
        rng, p = self.rng, self.prose
        edits = tuple(rng.sample(EDITS, rng.randint(2, 5)))
        out = list(paras)
        if "trim" in edits and len(out) > 3:
            out = out[: -rng.randint(1, 2 if len(out) > 6 else 1)]
        if "drop_middle" in edits and len(out) > 5:
            del out[rng.randrange(1, len(out) - 1)]
        if "reorder" in edits and len(out) > 3:
            i, j = rng.sample(range(1, len(out)), 2)
            out[i], out[j] = out[j], out[i]
        if "typo" in edits:
            for _ in range(rng.randint(1, 4)):
                k = rng.randrange(len(out))
                words = out[k].split()
                w = rng.randrange(len(words))
                words[w] = words[w][:-1] + rng.choice("aeiou") if len(words[w]) > 3 else words[w]
                out[k] = " ".join(words)
        if "intro" in edits:
            out.insert(0, p.sentence(ev.people + ev.places, 22))
        if "credit" in edits:
            out.append(rng.choice((
                f"This article was originally published by the {src.site.title()} and is "
                "republished here with permission.",
                f"Additional reporting by {p.name()}. Copyright the {src.site.title()}.",
                f"\u2014 {src.site.title()} news service",
            )))
        return out, edits

    def build(self) -> list[Item]:
        rng = self.rng
        items: list[Item] = []
        for i in range(self.events):
            ev = self._event(i)
            site = rng.choice(SITES)
            tpl = self.templates[site]
            short = rng.random() < 0.25
            paras = self._story(ev, tpl, short=short)
            story = f"{ev.key}/original"
            items.append(Item(self._url(site), site, self.prose.sentence([], 10), self._render(
                paras, tpl), _iso(ev.when), story, "original"))
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                other = rng.choice([s for s in SITES if s != site])
                dst = self.templates[other]
                copied, edits = self._copy(paras, tpl, dst, ev)
                # The copying site's template lines replace the original's.
                text = self._render(copied, dst)
                items.append(Item(self._url(other), other, self.prose.sentence([], 10), text,
                                  _iso(ev.when + timedelta(hours=rng.uniform(0.5, 96))),
                                  story, "copy", edits))
            for n in range(rng.choice((1, 1, 2, 3))):
                kind = rng.choice(("same-event", "same-event", "follow-up", "other-site"))
                nsite = rng.choice([s for s in SITES if s != site]) if kind == "other-site" \
                    else site
                ntpl = self.templates[nsite]
                delta = timedelta(days=1) if kind == "follow-up" else timedelta(
                    hours=rng.uniform(-24, 48))
                items.append(Item(self._url(nsite), nsite, self.prose.sentence([], 10),
                                  self._render(self._story(ev, ntpl, short=short), ntpl),
                                  _iso(ev.when + delta), f"{ev.key}/other{n}",
                                  f"negative:{kind}"))
        # The stream arrives in publication order, as a crawl of fresh news would.
        items.sort(key=lambda it: it.published_at)
        self.items = items
        return items


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def stream(seed: int = 7, events: int = 1500) -> Iterator[Item]:
    yield from Generator(seed, events).build()
