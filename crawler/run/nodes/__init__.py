"""Crawl nodes on Scrapyd: dispatching portals to nodes in batches under leases (`dispatch`), the
batch job a node runs (`batch`: many portals in one Scrapy process), the extension its crawls run
with (`job`: leases kept, each portal recorded as it ends), what `govwatch nodes` shows
(`report`), and Scrapyd over HTTP (`scrapyd`)."""
