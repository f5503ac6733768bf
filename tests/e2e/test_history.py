"""The run history survives a full disk and damage, and `chaos log` reads only its end
(issue 8, item 15)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

RECORD = {
    "started": "2026-01-01T00:00:00+0000",
    "tags": ["old-run"],
    "hosts": ["@local"],
    "counts": {"changed": 1, "no_change": 2, "failed": 0},
    "duration_s": 1.5,
    "exit_code": 0,
    "dry": False,
    "interrupted": False,
    "chobolo": None,
}


def history_path(chaos):
    return chaos.workdir / "state" / "chaos" / "history.jsonl"


def record_line(**changes) -> str:
    return json.dumps({**RECORD, **changes}) + "\n"


def logged(chaos, *args):
    result = chaos.run("log", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def add_a_run(chaos):
    """A real `chaos apply` that fails to resolve its tag: it still records the run."""
    result = chaos.run("apply", "no-such-role-here")
    assert result.returncode == 2, result.stderr
    return result


def test_torn_last_line_is_skipped_with_a_warning_and_the_next_record_is_kept(chaos, plugin_env):
    path = history_path(chaos)
    path.parent.mkdir(parents=True)
    path.write_text(record_line() + '{"started": "2026-01-02T00:00:00+0000", "tags": ["cut')
    records, stderr = logged(chaos)
    assert [r["tags"] for r in records] == [["old-run"]]
    assert "incomplete" in stderr
    add_a_run(chaos)
    records, stderr = logged(chaos)
    assert [r["tags"] for r in records] == [["old-run"], ["no-such-role-here"]]
    assert records[-1]["exit_code"] == 2
    assert "incomplete" not in stderr
    assert "1 damaged line" in stderr  # the torn line, now followed by a newline


@pytest.mark.parametrize(
    "damage",
    [
        '{"exit_code": "0"}',
        '{"counts": {"changed": "1"}}',
        '{"tags": "not-a-list"}',
        '{"duration_s": "slow"}',
        '{"started": 5}',
        '{"dry": "no"}',
        "[1, 2]",
        '"just a string"',
    ],
)
def test_wrongly_typed_record_is_a_damaged_entry_not_an_abort(chaos, damage):
    path = history_path(chaos)
    path.parent.mkdir(parents=True)
    path.write_text(record_line() + damage + "\n" + record_line(tags=["newer"]))
    result = chaos.run("log")
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert "1 damaged line" in result.stderr
    assert "old-run" in result.stdout and "newer" in result.stdout
    records, _ = logged(chaos)
    assert [r["tags"] for r in records] == [["old-run"], ["newer"]]


def test_log_reads_the_newest_records_without_reading_the_whole_file(chaos):
    # 64 GiB of holes before the records: reading the whole file is impossible, reading
    # backwards from the end finds the two newest records in the last block.
    path = history_path(chaos)
    path.parent.mkdir(parents=True)
    with open(path, "wb") as f:
        f.truncate(64 << 30)
        f.seek(0, os.SEEK_END)
        f.write(
            b"\n" + record_line(tags=["second-last"]).encode() + record_line(tags=["last"]).encode()
        )
    records, _ = logged(chaos, "-n", "2")
    assert [r["tags"] for r in records] == [["second-last"], ["last"]]
    result = chaos.run("log", "-n", "1")
    assert result.returncode == 0, result.stderr
    assert "last" in result.stdout and "second-last" not in result.stdout


def test_log_limit_counts_records_across_block_boundaries(chaos):
    path = history_path(chaos)
    path.parent.mkdir(parents=True)
    # Records longer than a read block and many short ones, so lines straddle blocks.
    lines = [
        record_line(tags=[f"run-{i}"], chobolo="x" * (70_000 if i % 7 == 0 else i))
        for i in range(60)
    ]
    path.write_text("".join(lines))
    records, stderr = logged(chaos, "-n", "25")
    assert [r["tags"][0] for r in records] == [f"run-{i}" for i in range(35, 60)]
    assert "damaged" not in stderr
    records, _ = logged(chaos, "-n", "1000")
    assert len(records) == 60


@pytest.mark.parametrize("value", ["0", "00", "many"])
def test_log_limit_below_one_is_a_usage_error(chaos, value):
    result = chaos.run("log", "-n", value)
    assert result.returncode == 2
    assert "give 1 or more" in result.stderr


@pytest.fixture
def small_state_dir(chaos):
    """XDG_STATE_HOME on a 64 KiB tmpfs, unmounted afterwards."""
    state = chaos.workdir / "state"
    state.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(state)], check=True)
    try:
        yield state
    finally:
        subprocess.run(["umount", str(state)], check=True)


def fill(directory):
    """Writes a file in `directory` until the file system is full; returns it."""
    pad = directory / "pad"
    with open(pad, "wb", buffering=0) as f:
        while True:
            try:
                f.write(b"\0" * 512)
            except OSError:
                break
    return pad


def test_full_disk_leaves_no_partial_record_and_the_next_one_is_whole(
    chaos, plugin_env, small_state_dir
):
    path = small_state_dir / "chaos" / "history.jsonl"
    path.parent.mkdir()
    # The history ends 96 bytes short of a page boundary: the next record starts in that page
    # and cannot be finished once no page is left.
    base = record_line(chobolo="")
    size = 3 * 4096 + 4000
    path.write_text(base * 2 + record_line(chobolo="p" * (size - 3 * len(base))))
    assert path.stat().st_size == size
    pad = fill(small_state_dir)
    result = add_a_run(chaos)
    assert "No space left on device" in result.stderr
    assert path.read_bytes().endswith(b"\n")
    assert path.stat().st_size == size
    records, stderr = logged(chaos)
    assert len(records) == 3 and "damaged" not in stderr and "incomplete" not in stderr
    pad.unlink()
    add_a_run(chaos)
    records, stderr = logged(chaos)
    assert len(records) == 4
    assert records[-1]["tags"] == ["no-such-role-here"]
    assert "damaged" not in stderr and "incomplete" not in stderr
