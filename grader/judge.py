"""Grading in a judge: the checks run in a process the zygote forks, so that the grading
process itself never imports torch (about 3 s of CPU at every start).

The zygote (grader/gateway/zygote.py) has torch and the checks loaded, and has never read
the seed, a submission or the instructor's environment. A judge forked from it is told the
run over its channel (the folder, the seed, the options), runs the checks there
(runner.grade), asks the zygote for its workers as the grader would, and sends back the
Report as data (Result.to_data), with what it is doing for a status line. It is trusted
code, like the grader: no student code runs in it, and a worker is always a child of the
zygote, never of a process that knows the seed. It serves one run after another for the
process that asked for it (a batch's grading process keeps the reference results of its
seed, as the Cases of one process would), and ends with the zygote.

Where there is no zygote (no Linux sandbox, `--in-process`), or the judge is lost (its
zygote died with it), the run is graded here instead, as it always was: same checks, same
report. grade() is the one entry point; callers never choose.

Frames on the channel: an 8-byte length, then JSON; never pickle.
  grader -> judge  {"op": "grade", "target", "only", "seed", "options": {...}, "activity": bool,
                    "shown_as", "file_shown_as"}
                   {"op": "checks"}
  judge -> grader  {"op": "activity", "text"}  {"op": "report", "target", "results", "notes"}
                   {"op": "checks", "checks": [{"id", "exercise", "name", "points"}, ...]}
"""
from __future__ import annotations

import json
import os
import socket
import struct
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from .course import DEFAULT_SEED
from .options import Options
from .results import Report, Result, recorded_check

if TYPE_CHECKING:
    from .checks.registry import Check

T = TypeVar("T")
HEADER = struct.Struct("<Q")
MAX_FRAME = 64 * 2**20          # bytes; a report is tens of kilobytes


class JudgeLost(Exception):
    """The judge ended or sent something unreadable."""


def grade(target: Path | str, only: str | None = None, seed: int = DEFAULT_SEED,
          options: Options = Options(), on_activity: Callable[[str], None] | None = None,
          shown_as: str | None = None, file_shown_as: str | None = None) -> Report:
    """runner.grade with the cases of `seed`, in a judge where there can be one."""
    if not options.in_process:
        from .gateway import warn_unconfined_once

        warn_unconfined_once()          # here: the judge's stderr is no terminal's
        request = {"op": "grade", "target": str(target), "only": only, "seed": seed,
                   "options": asdict(options), "activity": on_activity is not None,
                   "shown_as": shown_as, "file_shown_as": file_shown_as}
        report = _from_judge(request, _report, on_activity)
        if report is not None:
            return report
    from .runner import grade as grade_here

    return grade_here(target, only, cases_of(seed), options, on_activity, shown_as, file_shown_as)


def checks() -> list[Check]:
    """The course's checks as a report names them (id, exercise, name, points; they are not
    run): a judge's, where there can be one, so that this process need not import them."""
    global _checks
    if _checks is None:
        _checks = _from_judge({"op": "checks"}, _check_list)
    if _checks is None:
        from .checks.registry import all_checks

        _checks = [recorded_check(c.id, c.exercise, c.name, c.points) for c in all_checks()]
    return list(_checks)


def _from_judge(request: dict, read: Callable[[dict], T], on_activity=None) -> T | None:
    """What this process's judge answers to request, as `read` makes it of the answer; None
    where there can be no judge, or it is lost (the next request starts another)."""
    from .gateway import judge_available

    if not judge_available():
        return None
    try:
        return read(_judge().ask(request, on_activity or (lambda text: None)))
    except (JudgeLost, OSError, ValueError, KeyError, TypeError):
        _forget()
        return None


def _report(answer: dict) -> Report:
    return Report(str(answer["target"]), [Result.from_data(r) for r in answer["results"]],
                  [str(n) for n in answer["notes"]])


def _check_list(answer: dict) -> list[Check]:
    return [recorded_check(str(c["id"]), str(c["exercise"]), str(c["name"]), int(c["points"]))
            for c in answer["checks"]]


_checks: list[Check] | None = None
_CASES: dict = {}


def cases_of(seed: int):
    """This process's Cases for a seed: the reference results they hold are computed once."""
    from .checks.cases import Cases

    if seed not in _CASES:
        _CASES[seed] = Cases(seed)
    return _CASES[seed]


# -- the grader's side ---------------------------------------------------------------------
class _Judge:
    def __init__(self):
        from .gateway import start_judge

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.pid = start_judge(theirs.fileno())
        except Exception as exc:            # the zygote lost: graded here instead
            ours.close()
            raise JudgeLost(str(exc)) from None
        finally:
            theirs.close()
        self.sock, self.owner = ours, os.getpid()

    def ask(self, request: dict, on_activity: Callable[[str], None]) -> dict:
        """The judge's answer to request; what it says it is doing meanwhile goes to on_activity."""
        _send(self.sock, request)
        while (message := _receive(self.sock)) is not None:
            if message.get("op") != "activity":
                return message
            on_activity(str(message.get("text")))
        raise JudgeLost("it ended")


_judge_: _Judge | None = None


def _judge() -> _Judge:
    global _judge_
    if _judge_ is None or _judge_.owner != os.getpid():     # a forked child asks for its own
        _judge_ = _Judge()
    return _judge_


def _forget() -> None:
    global _judge_
    if _judge_ is not None and _judge_.owner == os.getpid():
        _judge_.sock.close()
    _judge_ = None


# -- the judge's side ----------------------------------------------------------------------
def preload() -> None:
    """In the zygote, at start: what a judge runs, so that it starts at once."""
    from . import runner
    from .checks.registry import all_checks

    all_checks()
    del runner


def serve(channel: int) -> None:
    """A judge's life: one run after another, until the grader closes the channel."""
    from .runner import grade as grade_here

    from .checks.registry import all_checks

    sock = socket.socket(fileno=channel)
    while (request := _receive(sock)) is not None:
        if request.get("op") == "checks":
            _send(sock, {"op": "checks", "checks": [
                {"id": c.id, "exercise": c.exercise, "name": c.name, "points": c.points} for c in all_checks()]})
            continue
        activity = (lambda text: _send(sock, {"op": "activity", "text": text})) if request["activity"] else None
        report = grade_here(request["target"], request["only"], cases_of(request["seed"]),
                            Options(**request["options"]), activity, request["shown_as"],
                            request["file_shown_as"])
        _send(sock, {"op": "report", "target": report.target, "results": [r.to_data() for r in report.results],
                     "notes": report.notes})


def _send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message).encode()
    sock.sendall(HEADER.pack(len(data)) + data)


def _receive(sock: socket.socket) -> dict | None:
    """The next frame; None at the end of the channel. Raises ValueError on a bad one."""
    header = _read(sock, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ValueError(f"a frame of {size} bytes")
    data = _read(sock, size)
    if data is None:
        raise ValueError("a frame cut short")
    message = json.loads(data)
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def _read(sock: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 2**20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
