"""The Harbour Gazette's machine-readable article metadata: Yoast-style JSON-LD and head tags."""

from __future__ import annotations

from newsmill.pipeline.demo import gazette_chrome as chrome
from newsmill.pipeline.demo.markup import attr, iso, json_ld
from newsmill.pipeline.demo.model import Placed, World


def schema(world: World, placed: Placed) -> dict[str, object]:
    base = world.bases["gazette"]
    story = placed.story
    image = chrome.media_url(world, placed, story.lead.image)
    words = sum(len(t.split()) for t in placed.paragraphs)
    article = {
        "@type": "NewsArticle",
        "@id": f"{placed.url}#article",
        "isPartOf": {"@id": placed.url},
        "author": [
            {
                "@type": "Person",
                "@id": f"{base}/#/schema/person/{chrome.author_slug(a)}",
                "name": a,
                "url": f"{base}/author/{chrome.author_slug(a)}/",
            }
            for a in story.authors
        ],
        "headline": story.title,
        "description": story.standfirst,
        "datePublished": iso(placed.published),
        "dateModified": iso(placed.modified),
        "mainEntityOfPage": {"@id": placed.url},
        "wordCount": words,
        "commentCount": len(story.comments),
        "publisher": {"@id": f"{base}/#organization"},
        "image": {
            "@type": "ImageObject",
            "url": image,
            "width": 1200,
            "height": 675,
            "caption": story.lead.caption,
        },
        "thumbnailUrl": image,
        "keywords": list(story.tags),
        "articleSection": [story.section],
        "inLanguage": "en-GB",
    }
    return {
        "@context": "https://schema.org",
        "@graph": [
            article,
            {
                "@type": "WebPage",
                "@id": placed.url,
                "url": placed.url,
                "name": f"{story.title} - {chrome.NAME}",
                "datePublished": iso(placed.published),
                "dateModified": iso(placed.modified),
                "breadcrumb": {"@id": f"{placed.url}#breadcrumb"},
                "inLanguage": "en-GB",
            },
            {
                "@type": "BreadcrumbList",
                "@id": f"{placed.url}#breadcrumb",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{base}/"},
                    {
                        "@type": "ListItem",
                        "position": 2,
                        "name": story.section,
                        "item": base + chrome.section_path(story.section),
                    },
                    {"@type": "ListItem", "position": 3, "name": story.title},
                ],
            },
            {
                "@type": "Organization",
                "@id": f"{base}/#organization",
                "name": chrome.NAME,
                "url": f"{base}/",
                "logo": {"@type": "ImageObject", "url": f"{base}/wp-content/uploads/logo.png"},
            },
        ],
    }


def head_tags(world: World, placed: Placed) -> str:
    story = placed.story
    image = chrome.media_url(world, placed, story.lead.image)
    tags = "\n".join(f'<meta property="article:tag" content="{attr(t)}">' for t in story.tags)
    base = world.bases["gazette"]
    return f"""<link rel="amphtml" href="{placed.base}{chrome.amp_path(placed)}">
<link rel="shortlink" href="{base}/?p={story.number}">
<meta property="og:locale" content="en_GB">
<meta property="og:type" content="article">
<meta property="og:title" content="{attr(story.title)}">
<meta property="og:description" content="{attr(story.standfirst)}">
<meta property="og:url" content="{placed.url}">
<meta property="og:site_name" content="{chrome.NAME}">
<meta property="article:publisher" content="https://www.facebook.com/harbourgazette">
<meta property="article:section" content="{story.section}">
{tags}
<meta property="article:published_time" content="{iso(placed.published)}">
<meta property="article:modified_time" content="{iso(placed.modified)}">
<meta property="og:image" content="{image}">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="675">
<meta name="author" content="{attr(", ".join(story.authors))}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@harbourgazette">
<script type="application/ld+json"
class="yoast-schema-graph">{json_ld(schema(world, placed))}</script>
"""
