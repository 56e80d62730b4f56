"""Discovery: feeds, news sitemaps, sitemaps and section-page links, read into entries."""
