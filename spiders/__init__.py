"""Scrapy spiders, one per CMS family, each parameterised by a portal profile.

`scrapy crawl hanweb -a portal=hangzhou-jxj`, or `govwatch crawl hangzhou-jxj`.
"""

from spiders.base import PortalSpider
from spiders.generic import GenericSpider
from spiders.gkmlpt import GkmlptSpider
from spiders.govcn import GovcnSpider
from spiders.hanweb import HanwebSpider
from spiders.jpaas import JpaasSpider
from spiders.trs import TrsSpider

SPIDERS: dict[str, type[PortalSpider]] = {
    "hanweb": HanwebSpider,
    "jpaas": JpaasSpider,
    "trs": TrsSpider,
    "govcn": GovcnSpider,
    "gkmlpt": GkmlptSpider,
    "generic": GenericSpider,
}

__all__ = [
    "SPIDERS",
    "GenericSpider",
    "GkmlptSpider",
    "GovcnSpider",
    "HanwebSpider",
    "JpaasSpider",
    "PortalSpider",
    "TrsSpider",
]
