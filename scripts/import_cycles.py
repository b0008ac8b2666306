"""Import circles inside each app: module-level and function-level (late) imports between modules
of the same app, and the strongly connected components they form (tests/ and migrations/ left out).

A late import hides a circle from Python, not from this script: both kinds are edges here. So is
the package `__init__` that importing `pkg.mod` runs first (unless the importer is inside `pkg`).

    .venv/bin/python scripts/import_cycles.py [app ...]

Exits 1 when it finds a circle."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"tests", "migrations"}


APPS = "core live tickets routing agents sla journey reports workspace demo helpdesk".split()


def modules(app: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if SKIP & set(parts):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def edges(app: str) -> list[tuple[str, str, str]]:
    """(importer, imported, "module", "late" or "package") for imports within `app`."""
    mods = modules(app)
    found = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        late = set()
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                late.update(id(n) for n in ast.walk(fn) if n is not fn)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _base(name, path.name == "__init__.py", node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in mods else base)
            kind = "late" if id(node) in late else "module"
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if not target or target == name or target.split(".")[0] != app:
                    continue
                found.append((name, target, kind))
                package = target.rpartition(".")[0]
                while package not in (app, name) and not name.startswith(package + "."):
                    found.append((name, package, "package"))
                    package = package.rpartition(".")[0]
    return sorted(set(found))


def components(nodes: list[str], graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                result.append(sorted(group))

    for v in nodes:
        if v not in index:
            visit(v)
    return result


def main(argv: list[str]) -> int:
    circles = 0
    for app in argv or APPS:
        found = edges(app)
        graph: dict[str, set[str]] = {}
        for a, b, _ in found:
            graph.setdefault(a, set()).add(b)
        for group in components(sorted(modules(app)), graph):
            circles += 1
            print(f"{app}: circle of {len(group)} modules")
            members = set(group)
            for a, b, kind in found:
                if a in members and b in members:
                    print(f"    {a} -> {b}" + ("" if kind == "module" else f" ({kind})"))
    if not circles:
        print("no circles")
    return 1 if circles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
