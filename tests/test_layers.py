"""The layers of ARCHITECTURE.md hold: no module imports from a layer above its own, and no imports go round.

Every import of the project's own modules counts, at module level or inside a function, read with
``ast`` from the files themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"newsletter": ROOT / "newsletter", "charts": ROOT / "charts", "panda_book": ROOT / "_ext" / "panda_book"}

#: bottom to top; a module may import from its own layer and the layers below
LAYERS = [
    ("issue model", {"newsletter.errors", "newsletter.model", "newsletter.issue", "newsletter.source", "newsletter.book",
                     "newsletter.figures", "newsletter.numbers", "newsletter.digest", "newsletter.mailing",
                     "newsletter.edition"}),
    ("issue rules", {"newsletter.safety", "newsletter.check", "newsletter.rules"}),
    ("charts", {"charts"}),
    ("commands", {"newsletter", "newsletter.validate", "newsletter.new", "newsletter.preview", "newsletter.importer",
                  "newsletter.__main__"}),
    ("extension: model", {"panda_book.model"}),
    ("extension: rules", {"panda_book.rules"}),
    ("extension: run", {"panda_book.run"}),
    ("extension: directives", {"panda_book.directives"}),
    ("extension: site", {"panda_book.site"}),
    ("extension: postbuild", {"panda_book.postbuild"}),
    ("extension: setup", {"panda_book"}),
]


def module_name(package: str, path: Path) -> str:
    parts = [package, *path.relative_to(PACKAGES[package]).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(pkg, path): path for pkg, folder in PACKAGES.items() for path in sorted(folder.rglob("*.py"))}


ALL = modules()


def layer_of(module: str) -> int:
    """The layer of a module: the most specific entry of LAYERS naming it or a package holding it."""
    best = None
    for index, (_name, members) in enumerate(LAYERS):
        for member in members:
            if module == member or module.startswith(member + "."):
                if best is None or len(member) > len(best[1]):
                    best = (index, member)
    assert best is not None, f"{module} is in no layer of tests/test_layers.py; add it to ARCHITECTURE.md's layers"
    return best[0]


def imports(module: str) -> set[str]:
    """The project's modules that ``module`` imports, anywhere in its file."""
    path = ALL[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in ALL else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in ALL:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: imports(module) for module in ALL}


def test_every_module_is_in_a_layer():
    assert len(ALL) > 40
    for module in ALL:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(ALL))
def test_no_import_runs_upward(module):
    mine = layer_of(module)
    upward = sorted(f"{other} ({LAYERS[layer_of(other)][0]})" for other in GRAPH[module] if layer_of(other) > mine)
    assert not upward, f"{module} ({LAYERS[mine][0]}) imports from a layer above: {', '.join(upward)}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_checks_of_this_file_can_fail():
    # the cycle finder and the layer order see what they must: a made-up circle, and a real upward import
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer_of("panda_book.site.archive") > layer_of("panda_book.directives.bilingual")
    assert "panda_book.model.store" in GRAPH["panda_book.site.archive"]
    assert "newsletter.rules" in GRAPH["panda_book.rules.checks"]


def test_architecture_names_every_layer_folder():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for folder in ("model/", "rules/", "run/", "directives/", "site/", "postbuild/"):
        assert folder in text
    assert len([line for line in text.splitlines() if line.strip()]) <= 12
