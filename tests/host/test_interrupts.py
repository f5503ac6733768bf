"""server.Interrupts on its own: the first SIGINT interrupts (once, with a watchdog and the
signal passed on to the host's commands), later ones are ignored, and one that lands while a
protocol line is being written waits until the line is out."""

from __future__ import annotations

import signal
import threading

import pytest
from chaos.host import server


def _without_interrupt(action) -> None:
    """Runs ``action``; a KeyboardInterrupt out of it fails the test (instead of stopping
    pytest, which takes it for the user's Ctrl-C)."""
    try:
        action()
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt raised where none was due")


@pytest.fixture
def interrupts(monkeypatch):
    started: list[tuple] = []
    forwarded: list[int] = []
    # The real watchdog would end this pytest process INTERRUPT_GRACE_S later.
    monkeypatch.setattr(server.native, "start_thread", lambda *args: started.append(args))
    monkeypatch.setattr(server, "signal_descendants", forwarded.append)
    return server.Interrupts(), started, forwarded


def test_the_first_sigint_interrupts_arms_the_watchdog_and_reaches_the_commands(interrupts):
    handler, started, forwarded = interrupts
    assert handler.requested is False
    with pytest.raises(KeyboardInterrupt):
        handler._handler(signal.SIGINT, None)
    assert handler.requested is True
    assert started == [(server._exit_after, server.INTERRUPT_GRACE_S, server.EXIT_INTERRUPTED)]
    assert forwarded == [signal.SIGINT]


def test_later_sigints_are_ignored(interrupts):
    handler, started, forwarded = interrupts
    with pytest.raises(KeyboardInterrupt):
        handler._handler(signal.SIGINT, None)
    # No second KeyboardInterrupt, watchdog or forward.
    _without_interrupt(lambda: handler._handler(signal.SIGINT, None))
    assert len(started) == 1 and forwarded == [signal.SIGINT]


def test_a_sigint_while_a_line_is_written_is_raised_once_the_line_is_out(interrupts):
    handler, started, _ = interrupts
    written = []
    with pytest.raises(KeyboardInterrupt), handler.write_guard():
        with handler.write_guard():  # nested: the outermost guard decides
            handler._handler(signal.SIGINT, None)
            written.append("first half")
        written.append("second half")
    assert written == ["first half", "second half"]
    assert len(started) == 1
    # Raised once: the next write goes through.

    def next_line() -> None:
        with handler.write_guard():
            written.append("next line")

    _without_interrupt(next_line)
    assert written[-1] == "next line"


def test_a_guard_without_an_interrupt_raises_nothing(interrupts):
    handler, _, _ = interrupts

    def two_lines() -> None:
        for _ in range(2):
            with handler.write_guard():
                pass

    _without_interrupt(two_lines)
    with pytest.raises(KeyboardInterrupt):  # and the count is back to zero
        handler._handler(signal.SIGINT, None)


def test_a_write_from_another_thread_does_not_hold_back_the_interrupt(interrupts):
    """Signal handlers run in the main thread: a guard taken by another thread (the askpass
    server, a plugin's thread) must not delay the main thread's KeyboardInterrupt."""
    handler, _, _ = interrupts
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with handler.write_guard():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(KeyboardInterrupt):
            handler._handler(signal.SIGINT, None)
    finally:
        release.set()
        thread.join(10)
