"""Every spider's callbacks, checked once here as Scrapy would check them on every crawl (the
crawls leave that to this test: WARN_ON_GENERATOR_RETURN_VALUE is off in crawler.fetch.settings).

A generator callback that returns a value loses it silently: Scrapy reads only what it yields.
A generator that returns a value on purpose is a helper its callers run with `yield from`
(`if (yield from self.index_stub(…)): return`), and is never handed to Scrapy.
"""

from __future__ import annotations

import inspect
import re
import sys

import scrapy
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.misc import is_generator_with_return_value

from crawler.fetch import settings as govwatch_settings


def _spider_classes() -> list[type[scrapy.Spider]]:
    settings = Settings()
    settings.setmodule(govwatch_settings)
    loader = SpiderLoader.from_settings(settings)
    return [loader.load(name) for name in loader.list()]


def test_the_crawls_leave_the_check_of_callbacks_to_this_test() -> None:
    assert govwatch_settings.WARN_ON_GENERATOR_RETURN_VALUE is False


def test_no_spiders_generator_callback_returns_a_value() -> None:
    classes = _spider_classes()
    assert len(classes) >= 7  # (every family's spider and the nodes' batch spider)
    checked = 0
    for spider in classes:
        for cls in spider.__mro__:
            if not cls.__module__.startswith(("spiders", "crawler")):
                continue
            for name, function in vars(cls).items():
                if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
                    if is_generator_with_return_value(function):
                        _a_helper(cls, name, function)
                    checked += 1
    assert checked >= 5


def _a_helper(cls: type, name: str, function: object) -> None:
    """A generator that returns a value says so (`Generator[…, …, bool]`), and the spiders'
    modules only ever run it with `yield from self.name(…)`: never hand it to Scrapy."""
    returns = str(inspect.signature(function).return_annotation)  # type: ignore[arg-type]
    assert returns.startswith("Generator[") and not returns.endswith(", None]"), (cls, name)
    uses = 0
    for module in list(sys.modules.values()):
        if not module.__name__.startswith(("spiders", "crawler.run")):
            continue
        source = inspect.getsource(module) if getattr(module, "__file__", None) else ""
        for found in re.finditer(rf"\.{name}\b", source):
            where = (module.__name__, name)
            assert source[: found.start()].endswith("yield from self"), where
            assert source[found.end() : found.end() + 1] == "(", where
            uses += 1
    assert uses, name


def test_the_check_finds_a_generator_that_returns_a_value() -> None:
    def callback(response: object) -> object:
        yield response
        return "lost"

    assert is_generator_with_return_value(callback)
