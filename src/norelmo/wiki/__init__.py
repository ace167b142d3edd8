"""MediaWiki dumps: reading pages, cleaning wikitext, writing text shards."""
