"""The demo stories, read once from the package's `content/stories/<key>.md` files.

All prose is invented: the places and people do not exist. Gazette prose uses typographic quotes
(as WordPress would print them); the Ledger's hand-rolled CMS keeps straight quotes, except the
legacy windows-1252 story, which is the point of that page. `content/cases.yaml` says which
story plays which awkward part, so the renderers and `DemoServer.case_url` agree on them.
"""

from __future__ import annotations

from functools import cache

from newsmill.pipeline.demo.data import CONTENT, read_yaml
from newsmill.pipeline.demo.model import Story
from newsmill.pipeline.demo.storyfile import StoryFileError, parse_story


@cache
def all_stories() -> tuple[Story, ...]:
    """Every story of every edition, in file-name order (pages order them by date)."""
    sources = sorted(
        (f for f in (CONTENT / "stories").iterdir() if f.name.endswith(".md")),
        key=lambda f: f.name,
    )
    texts = {f.name.removesuffix(".md"): f.read_text(encoding="utf-8") for f in sources}
    # Verbatim copies borrow their original's text, so originals are read first.
    copies = {k for k, t in texts.items() if "\nverbatim: true\n" in t}
    loaded: dict[str, Story] = {}
    for key in [k for k in texts if k not in copies] + [k for k in texts if k in copies]:
        loaded[key] = parse_story(key, texts[key], f"content/stories/{key}.md", loaded)
    for story in loaded.values():
        if story.syndicated_from and story.syndicated_from not in loaded:
            raise StoryFileError(f"{story.key}: no story {story.syndicated_from!r} to copy")
    return tuple(loaded[k] for k in texts)


def story(key: str) -> Story:
    for s in all_stories():
        if s.key == key:
            return s
    raise KeyError(f"no demo story {key!r}")


@cache
def cases() -> dict[str, str]:
    """Part name (a `DemoServer` case, or a homepage role) -> the key of the story playing it."""
    data = read_yaml("cases.yaml")
    keys = {s.key for s in all_stories()}
    unknown = {part: key for part, key in data.items() if key not in keys}
    if unknown:
        raise StoryFileError(f"content/cases.yaml names stories that do not exist: {unknown}")
    return {str(part): str(key) for part, key in data.items()}


def cast(part: str) -> Story:
    """The story that plays `part` (see content/cases.yaml)."""
    return story(cases()[part])
