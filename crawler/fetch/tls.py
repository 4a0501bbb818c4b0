"""TLS as old portals speak it, per host: never by lowering every portal's checks.

A host whose profile says `tls: legacy`, or whose handshake failed with one of the errors of old
servers (unsafe legacy renegotiation, a small DH key, TLS 1.0/1.1 only, SHA-1 signatures), is
reached with a legacy context: TLS 1.0 and up, OpenSSL security level 0. Every other host keeps
the defaults. Certificates are checked (chain against the system's roots, and the host name) and
their problems are recorded for the portal's health; the crawl goes on as Scrapy always has.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, ModuleType
from typing import Any
from urllib.parse import urlsplit

from OpenSSL import SSL, crypto
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils import deprecate
from service_identity import CertificateError, VerificationError
from service_identity.hazmat import DNS_ID, IPAddress_ID, verify_service_identity
from service_identity.pyopenssl import extract_patterns
from twisted.internet._sslverify import ClientTLSOptions
from twisted.internet.ssl import TLSVersion


@contextmanager
def caller_frame_only(module: ModuleType) -> Iterator[None]:
    """While the block runs, `module` sees an `inspect` whose `stack()` holds only what
    `stack()[1]` is (the frame that called the function asking), and whose `getmodule` finds
    a frame's module by its name, not by the files of every module loaded."""

    class Frames:
        def __getattr__(self, name: str) -> Any:
            return getattr(inspect, name)

        @staticmethod
        def stack(context: int = 1) -> list[Any]:
            return [None, (sys._getframe(2),)]  # (0: this; 1: its caller; 2: the caller's)

        @staticmethod
        def getmodule(frame: FrameType) -> ModuleType | None:
            return sys.modules.get(frame.f_globals.get("__name__", ""))

    module.inspect = Frames()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.inspect = inspect  # type: ignore[attr-defined]


# Scrapy's TLS modules name deprecated aliases as they are imported, and to find the importing
# module it calls `inspect.stack()`, which reads the source of every frame on the stack (deep
# in Twisted's start-up below a crawl's first download): 0.3 to 0.6 s of every crawl's start.
# It reads only its caller's frame, so these imports give it only that.
with caller_frame_only(deprecate):
    from scrapy.core.downloader.contextfactory import (
        _ScrapyCertificateOptions,
        _ScrapyClientContextFactory,
    )
    from scrapy.core.downloader.tls import _ScrapyClientTLSOptions26

logger = logging.getLogger(__name__)

#: Hosts (netlocs: name, and port unless 443) reached with the legacy context in this process.
LEGACY_HOSTS: set[str] = set()
#: host (netloc, as LEGACY_HOSTS) → the first certificate problem seen (chain or name).
CERT_PROBLEMS: dict[str, str] = {}
#: What OpenSSL says when an old server and its defaults cannot agree.
HANDSHAKE_ERRORS = (
    "unsafe legacy renegotiation",
    "dh key too small",
    "unsupported protocol",
    "no protocols available",
    "protocol version",
    "wrong version number",
    "legacy sigalg",
    "no ciphers available",
    "no shared cipher",
    "ee key too small",
    "ca md too weak",
    "handshake failure",
)
_X509_ERRORS = {
    9: "certificate not yet valid",
    10: "certificate expired",
    18: "self-signed certificate",
    19: "self-signed certificate in the chain",
    20: "incomplete chain (issuer not found: the server does not send its intermediate)",
    21: "incomplete chain (cannot verify the first certificate)",
    23: "certificate revoked",
}


def legacy_handshake(error: BaseException) -> str | None:
    """The known handshake error in a download failure, or None (any other failure)."""
    texts = [str(error)]
    for reason in getattr(error, "reasons", []) or []:  # ResponseNeverReceived and kin
        texts.append(str(getattr(reason, "value", reason)))
    text = " ".join(texts).lower()
    if "ssl" not in text and "tls" not in text and "handshake" not in text:
        return None
    return next((known for known in HANDSHAKE_ERRORS if known in text), None)


class _LegacyOptions(_ScrapyCertificateOptions):
    """TLS 1.0 and up, security level 0: what old servers need, for their hosts only."""

    def _makeContext(self, skipCiphers: bool = False) -> SSL.Context:
        ctx = super()._makeContext(skipCiphers)
        ctx.set_min_proto_version(SSL.TLS1_VERSION)
        ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
        return ctx


class _CheckedOptions(_ScrapyCertificateOptions):
    def _makeContext(self, skipCiphers: bool = False) -> SSL.Context:
        ctx = super()._makeContext(skipCiphers)
        ctx.set_default_verify_paths()
        return ctx


class _RecordingTLSOptions(_ScrapyClientTLSOptions26):
    """Scrapy's options (a bad certificate never stops the download), recording each host's
    first certificate problem instead of only logging it."""

    netloc = ""

    def clientConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        conn: SSL.Connection = ClientTLSOptions.clientConnectionForTLS(self, tlsProtocol)
        host, netloc = self._hostnameASCII, self.netloc or self._hostnameASCII
        identity = DNS_ID(host) if self._hostnameIsDnsName else IPAddress_ID(host)

        def verify(conn: SSL.Connection, cert: crypto.X509, err: int, depth: int, ok: int) -> bool:
            if err and netloc not in CERT_PROBLEMS:
                CERT_PROBLEMS[netloc] = _X509_ERRORS.get(err, f"certificate error {err}")
            if depth == 0 and netloc not in CERT_PROBLEMS:
                try:
                    verify_service_identity(extract_patterns(cert), [identity], [])
                except (CertificateError, VerificationError) as error:
                    CERT_PROBLEMS[netloc] = f"certificate not valid for {host}: {error}"
            return True

        conn.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, verify)
        return conn


class PerHostContextFactory(_ScrapyClientContextFactory):
    """Scrapy's context factory, with the legacy context for LEGACY_HOSTS only."""

    def creatorForNetloc(self, hostname: bytes, port: int) -> ClientTLSOptions:  # type: ignore[override]
        host = hostname.decode("ascii")
        netloc = host if port == 443 else f"{host}:{port}"
        options_class = _LegacyOptions if netloc in LEGACY_HOSTS else _CheckedOptions
        kwargs = self._get_cert_options_kwargs()
        if options_class is _LegacyOptions and "method" not in kwargs:
            kwargs["insecurelyLowerMinimumTo"] = TLSVersion.TLSv1_0
        options = options_class(**kwargs)
        creator = _RecordingTLSOptions(options._makeTLSConnection, host)
        creator.netloc = netloc
        return creator


class TLSFallbackMiddleware:
    """A handshake that failed with an old server's error: that host goes legacy, and the
    request goes again (once). Hosts of profiles saying `tls: legacy` are legacy from the start.
    Stats: `govwatch/tls_legacy` (hosts), `govwatch/certificate` (host → problem)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TLSFallbackMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        if profile is not None and getattr(profile, "tls", "default") == "legacy":
            LEGACY_HOSTS.update(profile.hosts)

    def spider_closed(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        hosts = set(getattr(profile, "hosts", ()))
        stats = self.crawler.stats
        assert stats is not None
        legacy = sorted(hosts & LEGACY_HOSTS)
        if legacy:
            stats.set_value("govwatch/tls_legacy", legacy)
        problems = {h: CERT_PROBLEMS[h] for h in sorted(hosts) if h in CERT_PROBLEMS}
        if problems:
            stats.set_value("govwatch/certificate", problems)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | None:
        host = urlsplit(request.url).netloc
        if not request.url.startswith("https:") or host in LEGACY_HOSTS:
            return None
        known = legacy_handshake(exception)
        if known is None:
            return None
        LEGACY_HOSTS.add(host)
        logger.warning("%s: TLS handshake failed (%s); reaching it with legacy TLS", host, known)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("govwatch/tls_fallbacks")
        return request.replace(dont_filter=True)
