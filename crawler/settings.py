"""Scrapy settings for govwatch: polite defaults for real government portals.

Replica and benchmark runs lift the delays explicitly; nothing here is tuned for speed.
"""

BOT_NAME = "govwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

GOVWATCH_CONTACT_URL = "https://github.com/govwatch/govwatch"
USER_AGENT = f"govwatch/0.1 (+{GOVWATCH_CONTACT_URL})"

ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 2.0
RANDOMIZE_DOWNLOAD_DELAY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
