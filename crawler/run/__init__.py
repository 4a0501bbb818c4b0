"""Running crawls: one crawl run (`crawl`), the scheduler and its health checks (`schedule`),
crawl nodes on Scrapyd with their leases (`nodes`), `govwatch check` (`check`) and live
progress."""
