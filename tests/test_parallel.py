"""parallel.checked: the parent and its forked children answer for every item, in order."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from orvalidate import parallel

pytestmark = pytest.mark.skipif(not parallel.CAN_FORK, reason="the forked pool is for Linux")


def lost(item: str, why: str) -> str:
    return f"lost {item}: {why}"


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize(("count", "jobs"), [(2, 2), (50, 3), (3000, 2)])
def test_every_item_is_answered_once_in_order(count: int, jobs: int, tmp_path: Path) -> None:
    """3000 items: more than the 1024 chunk numbers the pipe holds, so chunks of three. With
    50, each child holds its first item until the parent has answered one: the children then
    hold two chunks at most, so the parent takes one, and both take part however busy the
    machine is."""
    parent = os.getpid()
    items = [str(n) for n in range(count)]
    parent_answered = tmp_path / "parent"

    def check(item: str) -> tuple[str, bool]:
        if os.getpid() == parent:
            parent_answered.touch()
        elif count >= 50:
            deadline = time.monotonic() + 30
            while not parent_answered.exists() and time.monotonic() < deadline:
                time.sleep(0.001)
        if int(item) % 7 == 0:
            time.sleep(0.001)
        return item, os.getpid() == parent

    results = list(parallel.checked(items, check, jobs, lost))
    assert [item for item, _ in results] == items
    if count >= 50:
        assert {by_parent for _, by_parent in results} == {True, False}  # both did some
    assert no_children_left()


def child_then_parent(marker: Path, in_child) -> tuple[list[str], callable]:
    """A check where a child acts (`in_child`) after leaving `marker`, and the parent waits
    for that marker before its first answer, so a child surely takes an item."""
    parent = os.getpid()

    def check(item: str) -> str:
        if os.getpid() != parent:
            marker.write_text(item)
            in_child(item)
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return item.upper()

    return [f"file{n}" for n in range(6)], check


def test_an_item_whose_child_was_killed_is_answered_by_lost(tmp_path: Path) -> None:
    marker = tmp_path / "taken"
    items, check = child_then_parent(marker, lambda item: os.kill(os.getpid(), signal.SIGKILL))
    results = list(parallel.checked(items, check, 2, lost))
    taken = marker.read_text()
    assert results == [
        lost(item, "the process checking it was killed by signal 9") if item == taken else item.upper()
        for item in items
    ]
    assert no_children_left()


def test_an_exception_in_a_child_is_raised_with_its_traceback(tmp_path: Path) -> None:
    def boom(item: str) -> None:
        raise ValueError(f"boom on {item}")

    items, check = child_then_parent(tmp_path / "taken", boom)
    with pytest.raises(RuntimeError, match=r"(?s)Traceback.*ValueError: boom on file"):
        list(parallel.checked(items, check, 2, lost))
    assert no_children_left()


def test_a_consumer_that_stops_early_leaves_no_child_behind() -> None:
    results = parallel.checked([str(n) for n in range(200)], lambda item: time.sleep(0.002) or item, 3, lost)
    assert next(results) == "0"
    results.close()
    assert no_children_left()


def test_when_no_child_can_be_forked_the_parent_checks_every_item(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    assert list(parallel.checked([str(n) for n in range(20)], str.upper, 3, lost)) == [str(n) for n in range(20)]


def test_results_larger_than_a_pipe_all_come_in_order(tmp_path: Path) -> None:
    """The parent reads children's results only between its own items and at the end: a child
    whose results outgrow its pipe (here ~6 MiB, past the 1 MiB a pipe may hold) waits for the
    parent, and everything still comes, in order, with no child left."""
    parent = os.getpid()
    marker = tmp_path / "children done"

    def check(item: str) -> str:
        if os.getpid() == parent and int(item) == 0:  # the parent's first item waits for the children
            deadline = time.monotonic() + 10
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        if os.getpid() != parent and int(item) >= 10:
            marker.touch()
        return item * 100_000  # 100,000 to 300,000 bytes a result

    items = [str(n) for n in range(30)]
    assert list(parallel.checked(items, check, 3, lost)) == [item * 100_000 for item in items]
    assert no_children_left()


def test_the_parent_reads_without_a_thread(tmp_path: Path) -> None:
    """The results come without a thread of the parent's waking on each one (its GIL hand-offs
    cost ~8 ms of 180 on 300 captures, ~900 context switches). Each child holds its first item
    until the parent has answered one, so the parent surely takes part however busy the
    machine is (without that, a loaded machine let the children take all 50)."""
    import threading

    parent = os.getpid()
    parent_answered = tmp_path / "parent"
    seen = []

    def check(item: str) -> str:
        if os.getpid() == parent:
            seen.append(threading.active_count())
            parent_answered.touch()
        else:
            deadline = time.monotonic() + 30
            while not parent_answered.exists() and time.monotonic() < deadline:
                time.sleep(0.001)
        return item

    results = parallel.checked([str(n) for n in range(50)], check, 2, lost)
    assert list(results) == [str(n) for n in range(50)]
    assert seen and set(seen) == {1}  # no thread but the main one, in the parent
    assert no_children_left()
