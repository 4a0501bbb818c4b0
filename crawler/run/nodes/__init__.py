"""Crawl nodes on Scrapyd: dispatching portals to nodes under leases (`dispatch`), the
extension a node's job runs with (`job`), and Scrapyd over HTTP (`scrapyd`)."""
