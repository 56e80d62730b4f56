"""The Harbour Gazette's single-post template.

The body deliberately mixes real content with the junk real WordPress sites inject into
`.entry-content`: a newsletter promo mid-body, an inline "Related:" link, an image credit and a
donation appeal at the end. The catalogue's `boilerplate` list comes from the same page text
(content/gazette.yaml).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from newsmill.pipeline.demo import gazette_chrome as chrome
from newsmill.pipeline.demo.gazette_meta import head_tags
from newsmill.pipeline.demo.markup import attr, esc, inline, iso, long_date, us_date
from newsmill.pipeline.demo.model import Block, Figure, Heading, Para, Placed, Tweet, World

PROMO_TITLE: str = chrome.TEXT["newsletter_promo"]["title"]
PROMO_TEXT: str = chrome.TEXT["newsletter_promo"]["text"]
APPEAL_TITLE: str = chrome.TEXT["appeal"]["title"]
APPEAL_TEXT: str = chrome.TEXT["appeal"]["text"]
SUPPORT_TITLE: str = chrome.TEXT["support"]["title"]
SUPPORT_TEXT: str = chrome.TEXT["support"]["text"]
SHARE_LABELS: tuple[str, ...] = tuple(chrome.TEXT["share_labels"])
PROMO_AFTER = 3  # blocks of real content before the newsletter box, as in the seed page
RELATED_AFTER = 6


def related(world: World, placed: Placed) -> Placed:
    """A deterministic neighbour to advertise, never the story itself."""
    others = [p for p in chrome.listed(world) if p.key != placed.key]
    return others[placed.story.number % len(others)]


def boilerplate(world: World, placed: Placed) -> list[str]:
    story = placed.story
    snippets = [*chrome.TEXT["boilerplate"], story.image_credit]
    if story.comments:
        snippets.append(_comments_title(len(story.comments)))
        snippets.append("Leave a Reply")
        snippets.extend(c.text for c in story.comments)
    else:
        snippets.append("Comments are closed.")
    return snippets


def _resolver(world: World) -> Callable[[str], str]:
    def resolve(href: str) -> str:
        if href.startswith("story:"):
            return world.get(href.removeprefix("story:")).url
        return href

    return resolve


def _figure(world: World, placed: Placed, fig: Figure, amp: bool) -> str:
    src = chrome.media_url(world, placed, fig.image)
    if amp:
        img = (
            f'<amp-img src="{src}" width="1024" height="576" layout="responsive" '
            f'alt="{attr(fig.alt)}"></amp-img>'
        )
    else:
        img = (
            f'<img loading="lazy" decoding="async" width="1024" height="576" src="{src}" '
            f'alt="{attr(fig.alt)}" class="wp-image-{placed.story.number + 1}">'
        )
    return (
        f'<figure class="wp-block-image size-large">{img}<figcaption class="wp-element-caption">'
        f'{esc(fig.caption)} <span class="credit">{esc(fig.credit)}</span></figcaption></figure>'
    )


def _tweet(placed: Placed, tweet: Tweet, amp: bool) -> str:
    link = f"https://twitter.com/{tweet.handle}/status/{tweet.status_id}"
    quote = (
        f'<blockquote class="twitter-tweet" data-width="550" data-dnt="true">'
        f'<p lang="en" dir="ltr">{esc(tweet.text)}</p>&mdash; {esc(tweet.author)} '
        f'(@{tweet.handle}) <a href="{link}?ref_src=twsrc%5Etfw">{us_date(placed.published)}</a>'
        f"</blockquote>"
    )
    if amp:
        return (
            f'<amp-twitter width="375" height="472" layout="responsive" '
            f'data-tweetid="{tweet.status_id}">{quote}</amp-twitter>'
        )
    return (
        '<figure class="wp-block-embed is-type-rich is-provider-twitter wp-block-embed-twitter">'
        f'<div class="wp-block-embed__wrapper">\n{quote}'
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>\n'
        "</div></figure>"
    )


def _block(world: World, placed: Placed, block: Block, amp: bool) -> str:
    if isinstance(block, Para):
        return f"<p>{inline(block, _resolver(world))}</p>"
    if isinstance(block, Heading):
        return f'<h2 class="wp-block-heading">{esc(block.text)}</h2>'
    if isinstance(block, Figure):
        return _figure(world, placed, block, amp)
    return _tweet(placed, block, amp)


def _promo(world: World) -> str:
    base = world.bases["gazette"]
    return f"""<div class="newsletter-promo" id="briefing-signup">
<h3>{PROMO_TITLE}</h3>
<p>{esc(PROMO_TEXT)}</p>
<form class="newsletter-form" action="{base}/newsletter/" method="post">
<label class="screen-reader-text" for="nl-email">Email address</label>
<input id="nl-email" type="email" name="email" placeholder="Your email address">
<button type="submit">Sign up</button></form>
</div>"""


def _appeal(world: World) -> str:
    base = world.bases["gazette"]
    return f"""<div class="donation-appeal">
<h3>{esc(APPEAL_TITLE)}</h3>
<p>{esc(APPEAL_TEXT)}</p>
<p><a class="wp-block-button__link" href="{base}/support/">Support the Gazette</a></p>
</div>"""


def content_html(world: World, placed: Placed, amp: bool = False) -> str:
    """The `.entry-content` of a post: body blocks with the injected extras in place."""
    out: list[str] = []
    for i, block in enumerate(placed.body):
        if i == PROMO_AFTER:
            out.append(_promo(world))
        if i == RELATED_AFTER:
            other = related(world, placed)
            out.append(
                f'<p class="related-inline"><strong>Related:</strong> '
                f'<a href="{other.url}">{esc(other.story.title)}</a></p>'
            )
        out.append(_block(world, placed, block, amp))
    out.append(f"<p><em>{esc(placed.story.image_credit)}</em></p>")
    out.append(_appeal(world))
    return "\n".join(out)


def _share(placed: Placed) -> str:
    hrefs = (
        f"https://www.facebook.com/sharer/sharer.php?u={placed.url}",
        f"https://twitter.com/intent/tweet?url={placed.url}",
        f"https://api.whatsapp.com/send?text={placed.url}",
        f"mailto:?subject=Shared%20from%20the%20Gazette&body={placed.url}",
    )
    items = "".join(
        f'<li><a class="share-{label.split()[-1].lower()}" href="{attr(href)}" rel="nofollow">'
        f"{label}</a></li>"
        for label, href in zip(SHARE_LABELS, hrefs, strict=True)
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
        f"<ul>{items}</ul></div>"
    )


def _comments_title(count: int) -> str:
    return f"{count} {'thought' if count == 1 else 'thoughts'} on"


def _comments(placed: Placed) -> str:
    story = placed.story
    if not story.comments:
        return (
            '<div id="comments" class="comments-area"><p class="no-comments">Comments are closed.'
            "</p></div>"
        )
    items = []
    for n, c in enumerate(story.comments, start=1):
        when = placed.published + timedelta(hours=c.hours_after)
        cid = story.number * 10 + n
        items.append(
            f"""<li id="comment-{cid}" class="comment even depth-1">
<article id="div-comment-{cid}" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard">
<b class="fn">{esc(c.name)}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{placed.url}#comment-{cid}">
<time datetime="{iso(when)}">{long_date(when)} at {when:%H:%M}</time></a></div></footer>
<div class="comment-content"><p>{esc(c.text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#comment-{cid}">Reply</a>
</div>
</article></li>"""
        )
    title = f"{_comments_title(len(story.comments))} &ldquo;<span>{esc(story.title)}</span>&rdquo;"
    return f"""<div id="comments" class="comments-area">
<h2 class="comments-title">{title}</h2>
<ol class="comment-list">
{"".join(items)}
</ol>
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="{placed.base}/wp-comments-post.php" method="post" id="commentform"
class="comment-form"><p class="comment-notes">Your email address will not be published.</p>
<p class="comment-form-comment"><label for="comment">Comment</label>
<textarea id="comment" name="comment"></textarea></p><p class="form-submit">
<input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p></form></div>
</div>"""


def article_page(world: World, placed: Placed) -> str:
    story = placed.story
    base = world.bases["gazette"]
    lead = story.lead
    lead_src = chrome.media_url(world, placed, lead.image)
    head = chrome.head(
        world,
        title=f"{story.title} - {chrome.NAME}",
        description=story.standfirst,
        canonical=placed.url,
        extra=head_tags(world, placed),
    )
    tag_links = ", ".join(
        f'<a href="{base}/tag/{chrome.author_slug(t)}/" rel="tag">{esc(t)}</a>' for t in story.tags
    )
    other = related(world, placed)
    main = f"""<main id="primary" class="site-main">
<article id="post-{story.number}"
class="post-{story.number} post type-post status-publish format-standard has-post-thumbnail
hentry category-{story.section.lower()}">
<header class="entry-header">
<span class="cat-links">
<a href="{base}{chrome.section_path(story.section)}" rel="category tag">{story.section}</a></span>
<h1 class="entry-title">{esc(story.title)}</h1>
<p class="standfirst">{esc(story.standfirst)}</p>
<div class="entry-meta"><span class="byline">By {chrome.names_html(world, story.authors)}</span>
<span class="posted-on">
<time class="entry-date published"
datetime="{iso(placed.published)}">{long_date(placed.published)}</time>
<time class="updated" datetime="{iso(placed.modified)}">{long_date(placed.modified)}</time></span>
</div>
</header>
{_share(placed)}
<figure class="post-thumbnail">
<img width="1200" height="675" src="{lead_src}" class="attachment-post-thumbnail wp-post-image"
alt="{attr(lead.alt)}" decoding="async">
<figcaption class="wp-caption-text">{esc(lead.caption)} <span
class="credit">{esc(lead.credit)}</span></figcaption></figure>
<div class="entry-content">
{content_html(world, placed)}
</div>
<footer class="entry-footer"><span class="tags-links">Tagged {tag_links}</span></footer>
<div class="support-footer"><p class="support-title"><strong>{SUPPORT_TITLE}</strong></p>
<p>{esc(SUPPORT_TEXT)}</p><p><a href="{base}/support/">Join us</a></p></div>
{_share(placed)}
<div class="related-posts"><h3 class="related-title">Related:</h3><ul><li>
<a href="{other.url}">{esc(other.story.title)}</a></li></ul></div>
</article>
{_comments(placed)}
</main>
"""
    body_class = (
        f"post-template-default single single-post postid-{story.number} single-format-standard"
    )
    return chrome.page(world, head, body_class, main, exclude=story.key)
