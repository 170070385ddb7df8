"""Work run in a forked process beside the build; its result, or its failure, sent back by a pipe.

Forking shares the build's model with the child at no copying cost, and the
child's CPU time is another core's. With `replay_logs`, the child's log
lines come back with its result and are logged here, in order: an ERROR it
logged fails the build as one logged here would.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any


class ForkedFailure(RuntimeError):
    """The forked work raised, or its process ended early: the message says how."""


class _Lines(logging.Handler):
    """Every log record the child emits, as (level, logger name, message)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.name, record.getMessage()))


class Forked:
    """`work()` started in a forked process now; `result()` waits for its value.

    Where fork is missing, `work()` runs at once, here.
    """

    def __init__(self, work: Callable[[], Any], *, replay_logs: bool = False):
        self._outcome: tuple[str, Any, list] | None = None
        if not hasattr(os, "fork"):
            self._outcome = _outcome(work, [])
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(work, write, replay_logs)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Any:
        kind, value, lines = self._wait()
        for level, name, message in lines:
            logging.getLogger(name).log(level, "%s", message)
        if kind == "failure":
            raise ForkedFailure(value)
        return value

    def discard(self) -> None:
        """Wait for the process and drop what it sends (its build failed before using it)."""
        self._wait()

    def _wait(self) -> tuple[str, Any, list]:
        if self._outcome is None:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            if not data:
                message = f"the forked process ended early (wait status {status})"
                self._outcome = ("failure", message, [])
            else:
                self._outcome = pickle.loads(data)  # noqa: S301 - written by our own child
        return self._outcome


def _outcome(work: Callable[[], Any], lines: list) -> tuple[str, Any, list]:
    try:
        return ("value", work(), lines)
    except BaseException:
        return ("failure", traceback.format_exc(), lines)


def _child(work: Callable[[], Any], write: int, replay_logs: bool) -> None:
    lines: list = []
    if replay_logs:
        capture = _Lines()
        root = logging.getLogger()
        root.handlers[:] = [capture]
        lines = capture.lines
    outcome = _outcome(work, lines)
    try:
        data = pickle.dumps(outcome)
    except Exception:  # a result that cannot be sent back is the work's failure
        data = pickle.dumps(("failure", traceback.format_exc(), lines))
    with os.fdopen(write, "wb") as pipe:
        pipe.write(data)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
