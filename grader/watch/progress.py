"""Progress that lasts between watch sessions: each exercise's best score and when it was
first completed, in a small JSON file beside the exercises folder (.grader-progress.json in
the repository root, which git ignores).

The file is the student's own record, not a grade: a missing or unreadable file starts
afresh, and a file that cannot be written costs the record, never the watch.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..files import write_atomically

FILE_NAME = ".grader-progress.json"
FORMAT = 1


def default_path(target: Path) -> Path:
    """Beside the exercises folder: the repository root for exercises/."""
    return Path(target).resolve().parent / FILE_NAME


@dataclass
class Record:
    best: int = 0                 # the most points this exercise has earned
    completed: str | None = None  # when it first earned all its points (ISO, local time)


class Progress:
    def __init__(self, path: Path, records: dict[str, Record] | None = None):
        self.path = Path(path)
        self.records: dict[str, Record] = records or {}
        self.save_error: str | None = None

    @classmethod
    def load(cls, path: Path) -> "Progress":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = data["exercises"] if data.get("format") == FORMAT else {}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            entries = {}
        records = {}
        for ex_id, entry in (entries.items() if isinstance(entries, dict) else ()):
            if not isinstance(entry, dict):
                continue
            best, completed = entry.get("best"), entry.get("completed")
            records[ex_id] = Record(best if isinstance(best, int) and best >= 0 else 0,
                                    completed if isinstance(completed, str) else None)
        return cls(path, records)

    def record(self, ex_id: str, earned: int, available: int, now: datetime | None = None) -> bool:
        """Note a grading of one exercise; True when the record changed. A worse score
        leaves the best as it was."""
        rec = self.records.get(ex_id, Record())
        changed = False
        if earned > rec.best:
            rec.best, changed = earned, True
        if available and earned == available and rec.completed is None:
            rec.completed = (now or datetime.now()).isoformat(timespec="seconds")
            changed = True
        if changed:
            self.records[ex_id] = rec
        return changed

    def note(self, ex_id: str, available: int) -> str:
        """A few words for the score table: 'best 20/20, done 2026-11-23'."""
        rec = self.records.get(ex_id)
        if rec is None or (rec.best == 0 and rec.completed is None):
            return ""
        text = f"best {min(rec.best, available)}/{available}"
        return text + (f", done {rec.completed[:10]}" if rec.completed else "")

    def save(self) -> bool:
        data = {"format": FORMAT,
                "exercises": {ex_id: {"best": r.best, "completed": r.completed}
                              for ex_id, r in sorted(self.records.items())}}
        try:
            write_atomically(self.path, json.dumps(data, indent=2) + "\n")
        except OSError as exc:
            self.save_error = f"could not save the progress file {self.path}: {exc}"
            return False
        self.save_error = None
        return True
