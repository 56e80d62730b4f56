"""What a perfect crawl and extraction should produce for each demo article (the catalogue)."""

from __future__ import annotations

from newsmill.pipeline.demo import gazette_article, gazette_chrome, ledger
from newsmill.pipeline.demo.model import ExpectedArticle, Placed, World, utc_z
from newsmill.pipeline.extract.typography import plain_typography


def expected(world: World, placed: Placed) -> ExpectedArticle:
    story = placed.story
    if story.publisher == "gazette":
        boilerplate = gazette_article.boilerplate(world, placed)
        image = gazette_chrome.media_url(world, placed, story.lead.image)
        modified: str | None = utc_z(placed.modified)
    else:
        boilerplate = ledger.boilerplate(world, placed)
        image = f"{placed.base}/media/{story.lead.image}"
        modified = None  # the Ledger never prints a modification date
    original = world.get(story.syndicated_from).url if story.syndicated_from else None
    return ExpectedArticle(
        publisher=story.publisher,
        site=story.publisher,
        canonical_url=placed.url,
        # The record spells quotes in ASCII (pipeline.extract.typography); the page keeps the
        # publisher's typography.
        title=plain_typography(story.title),
        authors=[plain_typography(a) for a in story.authors],
        published_at=utc_z(placed.published),
        language=story.language,
        paragraphs=placed.paragraphs,
        boilerplate=boilerplate,
        archive=story.archive,
        edition=story.edition,
        syndicated_of=original,
        description=story.standfirst,
        modified_at=modified,
        categories=[story.section],
        tags=list(story.tags),
        image=image,
        captions=[f.caption for f in placed.figures],
        embeds=[t.text for t in placed.tweets],
    )
