"""The grader's layout: no import cycles (imports inside functions included), no module
longer than about 400 lines, and the boundaries grader/README.md describes."""
from __future__ import annotations

import ast
from pathlib import Path

from grader.course import ROOT

PACKAGE = ROOT / "grader"
MAX_LINES = 400
# Where grades go: the platforms, the students' watch, the instructor's tools.
UPPER_LAYERS = ("grader.platforms", "grader.watch", "grader.instructor")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def _at_import(tree: ast.AST):
    """The nodes that run when the module is imported: all but the functions' bodies."""
    for node in ast.iter_child_nodes(tree):
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _at_import(node)


def imports(name: str, path: Path, known: set[str], at_import_only: bool = False) -> set[str]:
    """Every grader module this one imports, at any depth of its code (at_import_only: only
    where it runs when the module is imported, never inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text())
    for node in _at_import(tree) if at_import_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source
                       for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_lazy_imports_included():
    assert find_cycle(graph()) is None


def test_no_module_is_longer_than_about_400_lines():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long


def in_a_platform(name: str, mods: dict[str, Path]) -> bool:
    """Whether module `name` declares a platform, or is part of a package that does."""
    path = mods[name]
    return any("\nPLATFORM = Platform(" in p.read_text() for p in {path, path.with_name("__init__.py")}
               if p.exists())


def test_the_boundaries_hold():
    """Authoring is imported by nothing outside it, but a platform's command may import it
    when it runs (the Gradescope zip, the Classroom 50 folder: a module of the platform's
    package): the student template, which leaves authoring out, still imports every module
    it has. The gateway never imports the platforms or authoring; checks and probes never
    import the gateway."""
    edges, mods = graph(), modules()
    for source, targets in edges.items():
        at_import = imports(source, mods[source], set(mods), at_import_only=True)
        for target in targets:
            if target.startswith("grader.authoring") and not source.startswith("grader.authoring"):
                assert in_a_platform(source, mods), (source, target)
                assert target not in at_import, (source, target)
            if source.startswith("grader.gateway"):
                assert not target.startswith(UPPER_LAYERS + ("grader.authoring", "grader.runner")), (source, target)
            if source.startswith(("grader.checks", "grader.probes")):
                assert not target.startswith(("grader.gateway", "grader.authoring", "grader.runner")
                                             + UPPER_LAYERS), (source, target)


def test_outside_the_gateway_only_its_public_interface_is_imported():
    """grader/gateway/__init__.py is the boundary's interface: the runner, the platforms, the
    watch, the instructor's tools and the command line import that package, never one of
    its modules (a test may)."""
    edges = graph()
    for source, targets in edges.items():
        if not source.startswith("grader.gateway"):
            inside = sorted(t for t in targets if t.startswith("grader.gateway."))
            assert not inside, (source, inside)
    import grader.gateway as gateway

    assert all(getattr(gateway, name) is not None for name in gateway.__all__)


def test_what_must_load_without_torch_does_not_import_it():
    """The course manifest, the file helpers, the messages and the command line's own
    module: `python -m grader classroom check` answers from a cache without torch. The
    judge's grader side and a submission's grading too: the checks run in the judge."""
    import subprocess
    import sys

    code = ("import sys; import grader.cli, grader.course, grader.files, grader.messages, grader.judge, "
            "grader.options, grader.platforms.submission; "
            "sys.exit('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_the_platforms_load_without_torch():
    """Every platform a student or an instructor runs (all but the authors') imports torch
    only when it runs: the watch says it is starting, and the zygote starts, before."""
    import subprocess
    import sys

    from grader import registry

    found = registry.declared()
    shipped = [e.module for e in found.values() if not e.module.startswith("grader.authoring")]
    assert {"grade", "text", "json", "gradescope", "hint", "watch", "batch", "overview", "sandbox",
            "classroom", "build", "release", "classroom50", "nbgrader", "check-course"} <= set(found)
    code = (f"import importlib, sys; [importlib.import_module(m).PLATFORM for m in {shipped!r}]; "
            "sys.exit('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
