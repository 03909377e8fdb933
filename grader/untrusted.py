"""Text that came from a student (what their code printed or raised, their folder's and
files' names), made safe for every place the grader shows it: a terminal, Markdown, HTML,
JSON, a CSV opened in a spreadsheet, a file name. The runner cleans feedback where it is
made, and each renderer cleans again what it writes (a record on disk may be older than
this module): one set of rules, here. Nothing here imports torch."""
from __future__ import annotations

import hashlib
import re

# Terminal escape sequences whole (CSI, OSC, DCS and the like, 7-bit and 8-bit), so that
# no "[31m" is left behind; then every other control character but newline and tab, and
# the Unicode marks that reorder what a reader sees (bidirectional overrides).
_SEQUENCE = re.compile(r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?       # OSC ... BEL or ST
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?            # DCS, SOS, PM, APC ... ST
    | \x1b\[[0-?]*[ -/]*[@-~]?                          # CSI
    | \x9b[0-?]*[ -/]*[@-~]?                            # CSI, 8-bit
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?  # OSC, DCS, ..., 8-bit
    | \x1b[ -/]*[0-~]?                                  # any other escape
""", re.VERBOSE)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r" *[\n\t][\n\t ]*")
CSV_FORMULA = ("=", "+", "-", "@")
STEM_LIMIT = 80                   # characters of a student's name kept in a file name


def clean(text: str) -> str:
    """text without escape sequences or control characters (newlines and tabs stay). A
    carriage return that is not part of a line break becomes one: nothing printed after
    it can hide what came before."""
    text = str(text)
    if not _CONTROL.search(text):      # most feedback: nothing to do
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """clean(text) on one line: for a name, a table cell, a progress line."""
    return _SPACES.sub(" ", clean(text)).strip()


def fence(text: str, minimum: int = 3) -> str:
    """A Markdown code fence that `text` cannot close: longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(minimum, longest + 1)


def md_cell(text: str) -> str:
    """One Markdown table cell: one line, its pipes escaped."""
    return one_line(text).replace("|", "\\|")


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: one line, and a leading =, +, - or @ (a
    formula, such as =HYPERLINK(...)) is quoted with an apostrophe. Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    text = one_line(value)
    return "'" + text if text.lstrip().startswith(CSV_FORMULA) else text


def file_stem(name: str) -> str:
    """A file name for something a student named (their folder): letters, digits, '.', '_'
    and '-' only, never starting with '-' or '.', at most STEM_LIMIT characters. A name
    that had to change gets a short digest of the original, so that two never meet."""
    safe = re.sub(r"[^\w.-]", "_", name, flags=re.ASCII)[:STEM_LIMIT].lstrip("-.") or "_"
    if safe == name:
        return safe
    return f"{safe}-{hashlib.sha256(name.encode(errors='surrogateescape')).hexdigest()[:8]}"
