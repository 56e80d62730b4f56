"""The AMP copy of a Harbour Gazette post: the same body, AMP components, no site chrome."""

from __future__ import annotations

from newsmill.pipeline.demo import gazette_chrome as chrome
from newsmill.pipeline.demo.gazette_article import content_html
from newsmill.pipeline.demo.gazette_meta import schema
from newsmill.pipeline.demo.markup import attr, esc, iso, json_ld, long_date
from newsmill.pipeline.demo.model import Placed, World

AMP_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:"
    "hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:"
    "none;animation:none}</style></noscript>"
)


def amp_page(world: World, placed: Placed) -> str:
    story = placed.story
    base = world.bases["gazette"]
    lead_src = chrome.media_url(world, placed, story.lead.image)
    return f"""<!doctype html>
<html amp lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<title>{esc(story.title)} - {chrome.NAME}</title>
<link rel="canonical" href="{placed.url}">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-twitter" src="https://cdn.ampproject.org/v0/amp-twitter-0.1.js"></script>
{AMP_BOILERPLATE}
<style amp-custom>body{{font-family:Georgia,serif;color:#222}}
.amp-wp-header{{background:#123a5c;padding:12px}}.amp-wp-header a{{color:#fff}}</style>
<script type="application/ld+json">{json_ld(schema(world, placed))}</script>
</head>
<body class="amp-wp-single">
<header id="top" class="amp-wp-header"><div><a href="{base}/">{chrome.NAME}</a></div></header>
<article class="amp-wp-article">
<header class="amp-wp-article-header">
<h1 class="amp-wp-title">{esc(story.title)}</h1>
<div class="amp-wp-meta amp-wp-byline">
<span class="amp-wp-author author vcard">By {esc(" and ".join(story.authors))}</span></div>
<div class="amp-wp-meta amp-wp-posted-on">
<time datetime="{iso(placed.published)}">{long_date(placed.published)}</time></div>
</header>
<figure class="amp-wp-article-featured-image wp-caption">
<amp-img width="1200" height="675" src="{lead_src}" layout="intrinsic" alt="{attr(story.lead.alt)}">
</amp-img><figcaption>{esc(story.lead.caption)}</figcaption></figure>
<div class="amp-wp-article-content">
{content_html(world, placed, amp=True)}
</div>
<footer class="amp-wp-article-footer">
<div class="amp-wp-meta amp-wp-tax-category">Categories: <a
href="{base}{chrome.section_path(story.section)}">{story.section}</a></div>
<div class="amp-wp-meta amp-wp-comments-link"><a href="{placed.url}#comments">Leave a Comment</a>
</div></footer>
</article>
<footer class="amp-wp-footer"><div><h2>{chrome.NAME}</h2>
<a href="#top" class="back-to-top">Back to top</a></div></footer>
</body>
</html>
"""
