"""The seam every platform plugs into, and the registry the command line is built from.

A platform is one module (or one package's __init__.py) under grader/platforms/,
grader/watch/, grader/instructor/ or grader/authoring/ that declares, at its top level,

    PLATFORM = Platform(name="gradescope", summary="python -m grader gradescope OUT.zip", ...)

its name, the command-line arguments it adds, what it writes or builds when it runs as
`python -m grader NAME`, how it renders a report for `python -m grader --format NAME`, and
what Ctrl-C leaves on the screen. The registry reads the declarations from the source
without importing a module, and imports only the platform that runs: `--help` and
`classroom check` answer without torch, and the student template, which has no
grader/authoring/, simply has fewer platforms. A new platform is a new file (or package),
nothing else.
"""
from __future__ import annotations

import argparse
import ast
import functools
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .messages import INTERRUPTED
from .options import PASSED, STOPPED

if TYPE_CHECKING:
    from .runner import Report

PACKAGE = Path(__file__).parent
FOLDERS = ("platforms", "watch", "instructor", "authoring")
DEFAULT = "grade"           # `python -m grader [OPTIONS]`: the platform run without a name
MARK = "\nPLATFORM = Platform("


@dataclass(frozen=True)
class Stopped:
    """What a platform says when Ctrl-C stops it, where, and the exit status."""
    message: str
    to_stderr: bool = True
    status: int = STOPPED


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def interrupted(args: argparse.Namespace | None) -> Stopped:
    return Stopped(INTERRUPTED)


def write_into(p: argparse.ArgumentParser, out: str, write: Callable[[Path], list], then: str) -> int:
    """The run of a command that writes a folder OUT: a folder it refuses (write raises
    ValueError) is a usage error; else it says how many files it wrote, then `then`."""
    try:
        files = write(Path(out))
    except ValueError as exc:
        p.error(str(exc))
    print(f"wrote {len(files)} files to {out}{then}")
    return PASSED


@dataclass(frozen=True)
class Platform:
    name: str                   # `python -m grader NAME`, and `--format NAME` when it renders
    summary: str = ""           # its line among the other commands (python -m grader --help)
    description: str = ""       # its own --help
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments
    # What it writes or builds, from its parsed arguments; None: no command of its own.
    run: Callable[[argparse.ArgumentParser, argparse.Namespace], int] | None = None
    # How it renders a report (and the seconds grading took); None: no report format.
    render: Callable[[Report, float], str] | None = None
    # What Ctrl-C says (its arguments are None when it came before they were parsed).
    stopped: Callable[[argparse.Namespace | None], Stopped] = interrupted
    # A command for course authors that lives outside authoring/ (it needs authoring/ to
    # run): listed with theirs, and absent where authoring/ is left out (the student template).
    authors: bool = False


@dataclass(frozen=True)
class Declared:
    """A platform as its source declares it, read without importing it."""
    name: str
    module: str
    summary: str
    command: bool
    renders: bool
    authors: bool               # a command for course authors (declared so, or in authoring/)


def _declaration(path: Path) -> Declared | None:
    text = path.read_text()
    if MARK not in text:
        return None
    # Only the declaration is parsed (it holds no blank line), the whole file if it must.
    start = text.index(MARK) + 1
    end = text.find("\n\n", start)
    try:
        tree = ast.parse(text[start:] if end < 0 else text[start:end])
    except SyntaxError:
        tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["PLATFORM"] \
                and isinstance(node.value, ast.Call):
            keywords = {k.arg: k.value for k in node.value.keywords}
            literal = {k: v.value for k, v in keywords.items() if isinstance(v, ast.Constant)}
            name = literal.get("name")
            if not isinstance(name, str):
                raise ValueError(f"{path}: PLATFORM's name must be a string literal")
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            return Declared(name, module, str(literal.get("summary", "")),
                            command="run" in keywords, renders="render" in keywords,
                            authors=literal.get("authors") is True or parts[1] == "authoring")
    return None


def _sources(folder: Path) -> list[Path]:
    """The folder's modules and its packages' __init__.py, by module name."""
    if not folder.is_dir():
        return []
    found = [*folder.glob("*.py"), *folder.glob("*/__init__.py")]
    return sorted(found, key=lambda p: p.parent.name if p.parent != folder else p.stem)


@functools.cache
def declared() -> dict[str, Declared]:
    """Every platform here, by name, in the order of its folder in FOLDERS."""
    found: dict[str, Declared] = {}
    for folder in FOLDERS:
        for path in _sources(PACKAGE / folder):
            if (entry := _declaration(path)) is not None:
                if entry.name in found:
                    raise ValueError(f"two platforms are named {entry.name}: {found[entry.name].module} "
                                     f"and {entry.module}")
                found[entry.name] = entry
    return found


def commands() -> list[str]:
    """The named commands: the students' and instructors' first, then the authors', by name
    (none where authoring/ is missing)."""
    named = [entry for name, entry in declared().items() if entry.command and name != DEFAULT]
    authors = (PACKAGE / "authoring").is_dir()
    return ([e.name for e in named if not e.authors]
            + sorted(e.name for e in named if e.authors and authors))


def formats() -> list[str]:
    return [name for name, entry in declared().items() if entry.renders]


def platform(name: str) -> Platform:
    """The platform named name, imported now."""
    found = importlib.import_module(declared()[name].module).PLATFORM
    if not isinstance(found, Platform) or found.name != name:
        raise ValueError(f"{declared()[name].module}: PLATFORM is not the platform {name}")
    return found


def parser(found: Platform) -> argparse.ArgumentParser:
    """found's command line: its own arguments; the default command's help lists the others."""
    if found.name == DEFAULT:
        others = [f"'{declared()[name].summary}'" for name in commands() if declared()[name].summary]
        p = argparse.ArgumentParser(prog="python -m grader", description=found.description,
                                    epilog=f"Other commands: {', '.join(others)}.")
    else:
        p = argparse.ArgumentParser(prog=f"python -m grader {found.name}", description=found.description)
    found.arguments(p)
    return p
