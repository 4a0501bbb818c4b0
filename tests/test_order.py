"""The suite's order under pytest-xdist (`xdist_order.spread`): every test kept, each file's tests
together and in their order, the long files at the start of the workers' shares, and the table
of long files naming files that exist."""

from __future__ import annotations

from pathlib import Path

from xdist_order import LONGEST, spread

TESTS = Path(__file__).parent


def test_every_long_file_named_exists() -> None:
    missing = [name for name in LONGEST if not (TESTS / name).is_file()]
    assert not missing, f"tests/conftest.py LONGEST names files that are gone: {missing}"


def test_the_long_files_are_dealt_out_at_the_start_of_each_share() -> None:
    long = sorted(LONGEST, key=lambda name: -LONGEST[name])[:6]
    files = {name: 3 for name in long} | {f"quick/test_{i}.py": 10 for i in range(30)}
    items = [(name, i) for name, count in files.items() for i in range(count)]
    items.reverse()  # (collected in another order than the table's)
    ordered = list(items)
    spread(ordered, 3, lambda item: str(item[0]))
    assert sorted(ordered) == sorted(items)
    shares = [ordered[0:106], ordered[106:212], ordered[212:]]
    # Each share opens with two of the six long files, the longest in the first three.
    firsts = [share[0][0] for share in shares]
    assert sorted(firsts, key=lambda name: -LONGEST[name]) == long[:3]
    for share in shares:
        assert sum(1 for name, _ in share if name in LONGEST) == 6
    # Each file's tests together and in their collected order.
    for name in files:
        places = [i for i, (file, _) in enumerate(ordered) if file == name]
        assert places == list(range(places[0], places[0] + len(places)))
        assert [ordered[i] for i in places] == [item for item in items if item[0] == name]
