"""The corpus: deterministic, sized, with the real reply, and days that change what exists."""

from __future__ import annotations

import datetime as dt

import pytest
from replica_helpers import get

from replica.app import Replica
from replica.corpus import SEED_DAY, Corpus, date_of, day_number


def test_deterministic_from_seed_and_size() -> None:
    first = list(Replica(50, 1425, seed=7).truth())
    again = list(Replica(50, 1425, seed=7).truth())
    other = list(Replica(50, 1425, seed=8).truth())
    assert first == again
    assert first != other


def test_size_per_site() -> None:
    corpus = Corpus(120, 1)
    assert corpus.stats() == {
        "hangzhou-jxj": 121,
        "hangzhou-gov": 120,
        "hubei-jxt": 120,
        "govcn": 120,
        "foshan-fsgjj": 120,
        "county-demo": 120,
    }


def test_size_is_bounded() -> None:
    with pytest.raises(ValueError, match="50000"):
        Corpus(50_001, 1)


def test_day_numbers() -> None:
    assert day_number("2023-01-01") == 0
    assert day_number("2023-11-03") == SEED_DAY == 306
    assert day_number(12) == 12 and day_number("12") == 12
    assert date_of(306) == dt.date(2023, 11, 3)
    with pytest.raises(ValueError, match="ISO date"):
        day_number("yesterday")


def test_seed_reply_appears_on_its_publication_day() -> None:
    path = "/art/2023/11/3/art_1229265378_4216448.html"
    assert get(Replica(100, SEED_DAY - 1), "hangzhou-jxj", path).status == 404
    assert get(Replica(100, SEED_DAY), "hangzhou-jxj", path).status == 200
    replica = Replica(100, SEED_DAY)
    listed = replica.corpus.listing("hangzhou-jxj", "1229265378", SEED_DAY)
    assert listed[0].key == "4216448"


def test_documents_appear_are_edited_and_withdrawn(replica: Replica) -> None:
    specs = replica.corpus.specs["hangzhou-gov"] + replica.corpus.specs["hubei-jxt"]
    edited = next(s for s in specs if s.edit_day is not None and s.withdraw_day is None)
    before = replica.corpus.document(edited, edited.edit_day - 1)  # type: ignore[operator]
    after = replica.corpus.document(edited, edited.edit_day)  # type: ignore[arg-type]
    assert before.paragraphs != after.paragraphs and before.title == after.title
    withdrawn = next(s for s in specs if s.withdraw_day is not None)
    assert withdrawn.live(withdrawn.withdraw_day - 1)  # type: ignore[operator]
    assert not withdrawn.live(withdrawn.withdraw_day)  # type: ignore[arg-type]
    listed = replica.corpus.listing(withdrawn.site, withdrawn.column, withdrawn.withdraw_day)  # type: ignore[arg-type]
    assert withdrawn not in listed


def test_cross_posted_documents_are_listed_in_both_columns(replica: Replica) -> None:
    crossed = [s for s in replica.corpus.specs["hangzhou-jxj"] if s.also and s.live(1425)]
    assert crossed
    for spec in crossed:
        assert spec in replica.corpus.listing("hangzhou-jxj", spec.column, 1425)
        assert spec in replica.corpus.listing("hangzhou-jxj", spec.also, 1425)  # type: ignore[arg-type]


def test_truth_lists_each_live_document_once_without_the_mirror(replica: Replica) -> None:
    truth = list(replica.truth())
    urls = [record["url"] for record in truth]
    assert len(urls) == len(set(urls))
    assert {record["portal"] for record in truth} == {
        "hangzhou-jxj",
        "hangzhou-gov",
        "hubei-jxt",
        "govcn",
    }
    from replica.sites import SITES_BY_NAME

    shipped = [site for site in replica.corpus.specs if not SITES_BY_NAME[site].optional]
    live = sum(len(replica.corpus.live(site, 1425)) for site in shipped)
    assert len(truth) == live
    # Sites of families no shipped profile uses are in the truth when asked for.
    optional = list(replica.truth(optional=("foshan-fsgjj", "county-demo")))
    assert (
        len(optional)
        == len(replica.corpus.live("foshan-fsgjj", 1425))
        + len(replica.corpus.live("county-demo", 1425))
        + live
    )


def test_the_corpus_mixes_kinds_and_senses_of_kaiyuan(replica: Replica) -> None:
    truth = list(replica.truth())
    kinds = {record["kind"] for record in truth}
    assert kinds == {"reply", "co_handling_opinion", "other"}
    texts = [record["title"] + (record["body_text"] or "") for record in truth]
    assert any("开源软件" in t or "开源鸿蒙" in t or "openEuler" in t for t in texts)
    assert any("开源节流" in t or "开源证券" in t or "开源路" in t for t in texts)
    assert any(record["attachments"] for record in truth)
    assert any(record["doc_no"] is None for record in truth)
