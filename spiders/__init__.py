"""Scrapy spiders, one per CMS family, each parameterised by a portal profile."""
