"""The house stays clean: no import cycles between the project's modules, and no project import
tucked inside a function without a comment saying why.

Read from the source with `ast`, nothing is imported. An import counts as an edge to the module
it names (`from a.b import c` to `a.b.c` when that is a module, else to `a.b`), plus the packages
above that module which the importer is not already inside: importing `a.b.c` runs
`a/b/__init__.py` too. Imports under `if TYPE_CHECKING:` never run and do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "memory", "actions", "nlu", "benchmarks")


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    line: int
    in_function: bool


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    for alias in node.names:
        yield f"{base}.{alias.name}"  # a submodule if there is one, else resolved to `base`


def imports(modules: dict[str, Path]) -> list[Import]:
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _is_type_checking(child):
                    for other in child.orelse:
                        visit(other, in_function)
                    continue
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for name in _imported_names(child, module, is_package):
                        target = resolve(name)
                        if target and target != module:
                            found.append(Import(module, target, child.lineno, in_function))
                visit(child, in_function or isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        visit(ast.parse(path.read_text(), str(path)), False)
    return found


def cycles(modules: dict[str, Path], edges: list[Import]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for edge in edges:
        graph[edge.importer].add(edge.target)
        inside = edge.importer.split(".")
        parts = edge.target.split(".")
        for depth in range(1, len(parts)):
            package = ".".join(parts[:depth])
            if package in modules and parts[:depth] != inside[:depth]:
                graph[edge.importer].add(package)

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _explained(path: Path, line: int) -> bool:
    """A comment on the line itself or on the lines just above the import."""
    lines = path.read_text().splitlines()
    if "#" in lines[line - 1]:
        return True
    return line >= 2 and lines[line - 2].strip().startswith("#")


MODULES = project_modules()
EDGES = imports(MODULES)


def test_the_checker_sees_the_project():
    assert len(MODULES) > 100
    assert {"bot.settings", "bot.state"} <= {e.target for e in EDGES if e.importer == "bot.app"}


def test_the_checker_finds_a_cycle():
    modules = {"a": Path("a.py"), "a.b": Path("a/b.py"), "c": Path("c.py")}
    edges = [Import("a.b", "c", 1, False), Import("c", "a", 1, True)]  # c -> a/__init__ -> ...
    assert cycles(modules, edges) == []
    edges.append(Import("a", "a.b", 1, False))
    assert cycles(modules, edges) == [["a", "a.b", "c"]]


def test_no_import_cycles_at_module_level():
    assert cycles(MODULES, [edge for edge in EDGES if not edge.in_function]) == []


def test_no_import_cycles_counting_imports_inside_functions():
    assert cycles(MODULES, EDGES) == []


def test_a_project_import_inside_a_function_says_why():
    """Lazy is fine to keep a heavy dependency out of a process; a comment must say so."""
    unexplained = [f"{edge.importer}:{edge.line} imports {edge.target}" for edge in EDGES
                   if edge.in_function and not _explained(MODULES[edge.importer], edge.line)]
    assert unexplained == []
