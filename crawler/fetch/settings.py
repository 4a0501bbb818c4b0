"""Scrapy settings for govwatch: polite defaults for real government portals.

Replica and benchmark runs lift the delays explicitly; nothing here is tuned for speed.
"""

import os
import warnings

from scrapy.settings import default_settings

# Scrapy calls its per-host TLS hook deprecated but has no other (crawler.fetch.tls needs it).
warnings.filterwarnings("ignore", message="The 'DOWNLOADER_CLIENTCONTEXTFACTORY' setting")

BOT_NAME = "govwatch"
# The portals' spiders, and a crawl node's `batch` job (many portals in one Scrapyd job).
SPIDER_MODULES = ["spiders", "crawler.run.nodes.batch"]
NEWSPIDER_MODULE = "spiders"

GOVWATCH_CONTACT_URL = "https://github.com/govwatch/govwatch"
USER_AGENT = f"govwatch/0.1 (+{GOVWATCH_CONTACT_URL})"

ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 2.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %
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
# Scrapy 2.19's remote control runs Python sent to a local HTTP port, one server per crawler,
# each leaving a token file in ~/.local/state/scrapy when its crawl is killed: not on a monitor.
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy reads each callback's source (inspect, tokenize, ast) to warn of a generator that
# returns a value: 0.1-0.15 s of every crawl's CPU. tests/fetch/test_callbacks.py makes that
# check once, over every spider's callbacks.
WARN_ON_GENERATOR_RETURN_VALUE = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Retries wait before they go: Retry-After when the server gives one (429/503), else
# exponential backoff from GOVWATCH_RETRY_BACKOFF_BASE seconds.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
GOVWATCH_RETRY_BACKOFF_BASE = 2.0
GOVWATCH_RETRY_BACKOFF_MAX = 120.0
DOWNLOADER_MIDDLEWARES = {
    # One politeness slot per loopback origin (the replica's portals), as per real host.
    "crawler.fetch.middlewares.OriginSlotMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.middlewares.BackoffRetryMiddleware": 550,
    "crawler.fetch.middlewares.RetryDelayMiddleware": 560,
    # Defences (crawler.fetch.defences, crawler.fetch.tls): a challenge is read after decompression (590)
    # and after the cookie middleware took the answer's cookies (700); a failed legacy
    # handshake is seen before the retries (550).
    "crawler.fetch.defences.ChallengeMiddleware": 585,
    "crawler.fetch.tls.TLSFallbackMiddleware": 595,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.fetch.defences.PortalCookiesMiddleware": 700,
    # robots.txt obeyed per portal (a profile may say `robots: ignore`), in Scrapy's own place.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetch.robots.PortalRobotsMiddleware": 100,
}
# Per-host TLS: legacy only for hosts that need it; certificate problems recorded.
DOWNLOADER_CLIENTCONTEXTFACTORY = "crawler.fetch.tls.PerHostContextFactory"
# The browser for script challenges: `auto` (Chromium on PATH), a path, or `off`.
GOVWATCH_BROWSER = os.environ.get("GOVWATCH_BROWSER", "auto")
GOVWATCH_BROWSER_TIMEOUT = 30.0
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
# A page bigger than this is no disclosure page (docs/DOMAIN.md §5): abort it rather than parse it.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Meta-refresh stubs are the spiders' to follow (crawler.listings.answers): inside the portal they
# are followed, and a stub that leaves the portal or loops is reported. Scrapy's own middleware
# would follow them silently, and a stub to another host would vanish in the offsite filter.
METAREFRESH_ENABLED = False

# govwatch's own settings; the command line sets them per run.
GOVWATCH_DB = "govwatch.db"
GOVWATCH_RUN_ID = None
GOVWATCH_FULL = False
GOVWATCH_TODAY = None  # ISO date the revisit window counts back from (default: today)
GOVWATCH_REPLICA = None  # a replica's URL: its portals are ours, so no politeness delays
GOVWATCH_ORIGINS: dict[str, str] = {}  # portal → the origin it is crawled at (the replica's)
GOVWATCH_PROFILES = None  # an extra directory of portal profiles
GOVWATCH_RULES = None  # a watch rules file (default: the shipped rules)
# Each spider puts its profile's politeness (delay, concurrency) on its hosts' slots, wherever
# it runs (a local crawl or a Scrapyd node). None: on, except on a replica (True: there too).
GOVWATCH_POLITENESS = None
EXTENSIONS = {
    # What each spider knows of its portal, and what it finds, recorded (spiders write nothing).
    "crawler.run.recorder.CrawlRecorder": 400,
    "crawler.run.progress.Progress": 500,
    # AutoThrottle, never below the profile's delay (Scrapy's floors at DOWNLOAD_DELAY only).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.fetch.middlewares.ProfileFloorThrottle": 0,
    "crawler.run.nodes.job.NodeJob": 510,
}
# Both are off above; left out of the base too, so that their modules are never imported (Scrapy
# imports every extension EXTENSIONS names, even one set to None): the remote control's aiohttp
# server and the telnet console's Conch cost 90 ms of every crawl process's start.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path.rsplit(".", 1)[-1] not in ("TelnetConsole", "RemoteControl")
}
# A crawl node's job keeps its portal's lease (held for the scheduler GOVWATCH_LEASE_HOLDER) and
# records its own run: crawler.run.nodes.job.NodeJob; the scheduler sets all three when it dispatches.
GOVWATCH_NODE_RUN = False
GOVWATCH_LEASE_HOLDER = None
GOVWATCH_LEASE_SECONDS = 60.0
GOVWATCH_PROGRESS = False  # also on whenever standard error is a terminal
GOVWATCH_PROGRESS_INTERVAL = 10.0
# Scrapy starts this many tasks for every callback's output; ours yield one item or a listing's
# few dozen requests, and 100 tasks per page cost more CPU than extraction itself.
CONCURRENT_ITEMS = 4
LOG_FORMATTER = "crawler.fetch.logformatter.GovwatchLogFormatter"
# Spiders dedupe documents by identity themselves. Scrapy's duplicate filter would silently drop a
# request redirected to a URL already asked for (a redirect loop, a portal sending every bad
# request to its home page): a document lost with no error. Without it, a loop ends in
# "max redirections reached", which is reported.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
