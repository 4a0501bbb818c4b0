"""Every duration is bounded where it is read (issue 24, item 9): a huge interval, jitter, timeout
or full_every is refused by `check` with the file, the field and the range, instead of passing
and crashing `status`, `run` or `schedule` later with an OverflowError."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crawler.config import ConfigFileError, Trigger, load_config
from crawler.portals.profiles import ProfileError, load_profiles
from crawler.run.schedule import next_after, status
from crawler.store import RunStats, open_store
from tests.reliability.test_bad_input import here

# The bounds, as the README gives them (literal: the test holds the code to them).
MAX_INTERVAL, MAX_JITTER, MAX_TIMEOUT = 366 * 86400, 86400, 30 * 86400
_PROFILE = (
    "name: my-portal\nfamily: hanweb\norigin: http://x.gov.cn\ncolumns: [{id: '1', name: 栏目}]\n"
)


def _profiles(tmp_path: Path, schedule: str) -> Path:
    directory = tmp_path / "profiles"
    directory.mkdir(exist_ok=True)
    (directory / "my-portal.yaml").write_text(_PROFILE + schedule, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("schedule", "field", "allowed"),
    [
        ("schedule: {interval: 99999999d}\n", "'schedule.interval'", "from 5m to 366d"),
        ("schedule: {interval: 999999999999999999999}\n", "'schedule.interval'", "366d"),
        ("schedule: {interval: '" + "9" * 5000 + "s'}\n", "'schedule.interval'", "366d"),
        ("schedule: {jitter: 99999999999d}\n", "'schedule.jitter'", "from 0 to 1d"),
    ],
)
def test_a_huge_profile_duration_is_refused(
    tmp_path: Path, schedule: str, field: str, allowed: str
) -> None:
    directory = _profiles(tmp_path, schedule)
    with pytest.raises(ProfileError) as error:
        load_profiles(directory)
    message = str(error.value)
    assert str(directory / "my-portal.yaml") in message and field in message, message
    assert "too long" in message and allowed in message and "\n" not in message
    assert len(message) < 300  # 5000 digits are not echoed back


@pytest.mark.parametrize(
    ("text", "field", "allowed"),
    [
        ("schedule: {timeout: 99999999999d}", "'schedule.timeout'", "from 1 s to 30d"),
        ("schedule: {full_every: 99999999999d}", "'schedule.full_every'", "from 0 to 366d"),
        ("schedule: {portals: {govcn: {interval: 99999999999d}}}",
         "'schedule.portals.govcn.interval'", "from 5m to 366d"),
        ("schedule: {portals: {govcn: {interval: 2h, jitter: 999999999h}}}",
         "'schedule.portals.govcn.jitter'", "from 0 to 1d"),
    ],
)  # fmt: skip
def test_a_huge_config_duration_is_refused(
    tmp_path: Path, text: str, field: str, allowed: str
) -> None:
    config = tmp_path / "govwatch.yaml"
    config.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigFileError) as error:
        load_config(config)
    message = str(error.value)
    assert str(config) in message and field in message and allowed in message, message
    result = here("check", "--config", str(config))
    assert result.returncode == 2 and field in result.stdout, result.stdout


def test_check_refuses_a_profile_that_would_crash_status(tmp_path: Path) -> None:
    directory = _profiles(tmp_path, "schedule: {interval: 99999999d}\n")
    result = here("check", "--profiles", str(directory), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 2
    assert "PROBLEM" in result.stdout and "'schedule.interval'" in result.stdout


def test_the_longest_durations_allowed_crash_nothing(tmp_path: Path) -> None:
    """At the bounds, every time computed from a duration is still a time: the next run after
    a year's interval, the scheduler's triggers, status with a last run."""
    from apscheduler.triggers.interval import IntervalTrigger

    directory = _profiles(tmp_path, f"schedule: {{interval: {MAX_INTERVAL}, jitter: 1d}}\n")
    config = tmp_path / "govwatch.yaml"
    config.write_text(
        "db: c.db\nprofiles: profiles\nportals: [my-portal]\nschedule: {timeout: 30d, "
        "full_every: 366d, portals: {govcn: {interval: 366d, jitter: 1d}}}\n",
        encoding="utf-8",
    )
    settings = load_config(config)
    assert settings.timeout_seconds == MAX_TIMEOUT and settings.full_every_seconds == MAX_INTERVAL
    assert load_profiles(directory)["my-portal"].jitter_seconds == MAX_JITTER
    late = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
    assert next_after(Trigger(interval_seconds=MAX_INTERVAL), late).year == 9001
    IntervalTrigger(seconds=MAX_INTERVAL, jitter=MAX_JITTER)
    with open_store(settings.db) as store:
        run = store.start_run(["my-portal"], False)
        store.finish_run(run, RunStats(portals={"my-portal": {"errors": 0}}), 1.0)
    rows = status(settings)
    assert [row["portal"] for row in rows] == ["my-portal"] and rows[0]["health"] == "done"
