"""Fetching through Scrapy: settings, downloader middlewares (retries with backoff, politeness
slots, the profile's delay as a floor), the portals' defences (cookie jars, challenges passed in
a real browser, legacy TLS) and log lines for people."""
