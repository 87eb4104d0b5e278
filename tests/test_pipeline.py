"""The package reads as the pipeline (docs/how-it-works.md): each module belongs to one phase, and imports only
from its own phase and the ones before it, never from a phase after it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.projects import REPO

# In pipeline order; a module is in the phase of the longest name here that it is, or is under.
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("shared", ("generator", "errors", "text", "paths", "geo", "slugs", "language", "clock", "registers", "theme",
                "syntax", "target_url", "workers", "digests")),
    ("load", ("data", "schema", "sheets", "model", "images")),   # the files and pictures, read into the records
    ("validate", ("validate",)),
    ("plan", ("plan",)),
    ("render", ("render",)),
    ("check", ("checks",)),
    ("write", ("output", "state")),
    ("sitemap", ("sitemap",)),
    ("deploy", ("deploy",)),
    ("commands", ("build", "drawing", "memory", "audit", "report", "serve", "cli", "edit", "datadoc", "__main__")),
]

# Imports that still reach forward, each with why it is left: remove an entry when its import goes.
KNOWN: dict[tuple[str, str], str] = {}


def _phase(module: str) -> int:
    best, at = "", -1
    for n, (_, names) in enumerate(PHASES):
        for name in names:
            full = "generator" if name == "generator" else f"generator.{name}"
            if (module == full or module.startswith(full + ".")) and len(full) > len(best):
                best, at = full, n
    assert at >= 0, f"{module} is in no phase: add it to PHASES"
    return at


def _imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted((REPO / "generator").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
                found.append((module, node.module))
            elif isinstance(node, ast.Import):
                found += [(module, a.name) for a in node.names if a.name.split(".")[0] == "generator"]
    return found


def test_no_module_imports_from_a_later_phase():
    forward = sorted({(a.removeprefix("generator."), b.removeprefix("generator."))
                      for a, b in _imports() if _phase(b) > _phase(a)})
    assert [f"{a} -> {b}" for a, b in forward if (a, b) not in KNOWN] == []
    assert [key for key in KNOWN if key not in forward] == [], "a known import is gone: remove it from KNOWN"


def test_every_module_is_in_a_phase():
    for path in (REPO / "generator").rglob("*.py"):
        parts = Path(path).relative_to(REPO).with_suffix("").parts
        _phase(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


# Private names (`_name`) still used outside the module that defines them, each with why it is left: remove an
# entry when its use goes (make the name public in the module that owns it, or move it to where it is used).
PRIVATE_KNOWN: dict[tuple[str, str], str] = {}


def _private_uses() -> set[tuple[str, str]]:
    """(module, `owner._name`) for each private name a module of generator/ takes from another one."""
    found = set()
    for path in sorted((REPO / "generator").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        module = ".".join(parts[1:-1] if parts[-1] == "__init__" else parts[1:])
        modules: set[str] = set()   # names bound to generator modules (`from generator import plan`)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
                owner = node.module.split(".")[-1]
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add((module, f"{owner}.{alias.name}"))
                    modules.add(alias.asname or alias.name)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.add((module, f"{node.value.id}.{node.attr}"))
    return found


def test_no_module_takes_another_module_s_private_names():
    found = _private_uses()
    assert sorted(f"{a} -> {b}" for a, b in found if (a, b) not in PRIVATE_KNOWN) == []
    assert [key for key in PRIVATE_KNOWN if key not in found] == [], "a known use is gone: remove it from PRIVATE_KNOWN"


# The names of the project's files and folders, and of the files that name the site's pages, each said by the one
# module that owns it (data.py: the project folder; sitemap.py: sitemap.xml and robots.txt); every other module
# takes the constant.
OWNED_NAMES = {"site.yaml": "data", "treatments.yaml": "data", "locations.yaml": "data", "templates": "data",
               "output": "data", "sitemap.xml": "sitemap", "robots.txt": "sitemap"}
# Other modules that still spell one, each with why: remove an entry when its spelling goes.
SPELLED_KNOWN: dict[tuple[str, str], str] = {
    ("state", "output"): "a key of the failure note (.clinic-pages-failed.json), not the folder",
    ("checks.incremental", "sitemap.xml"): "`check` reads the built sitemap, and the check phase comes before the "
                                           "sitemap phase that owns its name",
}


def test_the_project_s_file_names_are_spelled_by_the_module_that_owns_them():
    found = set()
    for path in sorted((REPO / "generator").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        module = ".".join(parts[1:-1] if parts[-1] == "__init__" else parts[1:])
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in OWNED_NAMES and OWNED_NAMES[node.value] != module:
                found.add((module, node.value))
    assert sorted(f"{a}: {b!r}" for a, b in found if (a, b) not in SPELLED_KNOWN) == []
    assert [key for key in SPELLED_KNOWN if key not in found] == [], "a spelling is gone: remove it from SPELLED_KNOWN"


def test_page_kinds_are_compared_as_the_enumeration_not_as_strings():
    """A page's kind is a `model.PageKind`: a comparison of a kind with a bare string ("landing") would still
    pass if the kind's value were renamed, and fail silently."""
    from generator.model import PageKind

    values = {kind.value for kind in PageKind}
    found = []
    for path in sorted((REPO / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            named = any(isinstance(s, ast.Name) and s.id.endswith("kind")
                        or isinstance(s, ast.Attribute) and s.attr.endswith("kind") for s in sides)
            strings = [c for s in sides for c in ast.walk(s) if isinstance(c, ast.Constant) and c.value in values]
            if named and strings:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def _module_graph() -> dict[str, set[str]]:
    """Each module of generator/ -> the modules of generator/ it imports (at any depth of its code: a deferred
    import inside a function still runs). `from package import name` is an import of `package.name` when that is
    a module, and of the package's __init__ otherwise."""
    modules = {}
    for path in sorted((REPO / "generator").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                name = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
                if name.split(".")[0] == "generator":
                    graph[module] |= {f"{name}.{a.name}" if f"{name}.{a.name}" in modules else name
                                      for a in node.names}
            elif isinstance(node, ast.Import):
                graph[module] |= {a.name for a in node.names if a.name.split(".")[0] == "generator"}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each module that can reach itself (a module, the modules it goes through, and the
    module again), without repeats."""
    found: dict[frozenset[str], list[str]] = {}
    for start in sorted(graph):
        way: dict[str, str] = {}
        todo = [start]
        while todo and start not in way:   # breadth first: the first way back is a shortest one
            nxt = []
            for module in todo:
                for target in sorted(graph.get(module, ())):
                    if target not in way:
                        way[target] = module
                        nxt.append(target)
            todo = nxt
        if start in way:
            cycle = [start]
            while len(cycle) == 1 or cycle[-1] != start:
                cycle.append(way[cycle[-1]])
            found.setdefault(frozenset(cycle), cycle[::-1])
    return list(found.values())


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(" -> ".join(c) for c in _cycles(graph)) == ["a -> b -> c -> a", "e -> e"]
    assert _cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_module_imports_a_module_that_imports_it_back():
    """Directly or through others: a cycle makes the import order matter (a name is used before the module that
    defines it has run) and ties the modules in it into one."""
    assert [" -> ".join(cycle) for cycle in _cycles(_module_graph())] == []


# Packages whose __init__ their own modules may import, each with why: its __init__ must import no module of
# generator/, so it can never import them back.
INIT_IMPORTED = {"generator": "holds only __version__ (the package's own version, where tools look for it)"}


def test_no_module_imports_the_init_of_its_own_package():
    """A package's __init__ gathers what its modules offer: a module of the package that takes a name from it
    would make the package import itself. Shared types have a module of their own (checks/finding.py)."""
    graph = _module_graph()
    found = sorted(f"{module} -> {target}" for module, targets in graph.items() for target in targets
                   if module.startswith(target + ".") and target not in INIT_IMPORTED)
    assert found == []
    assert {package: graph[package] for package in INIT_IMPORTED if graph[package]} == {}
