"""The layers of docs/architecture.md, checked on the source: an app imports only
apps in its own layer or below, so `core` stays the ground floor and nothing below
`dashboards` knows about it; no modules import each other; and no module outside
the tests grows past MAX_LINES."""

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first; apps in one layer may import each other.
LAYERS = [
    {"core"},
    {"outbox"},
    {"schools", "accounts"},
    {"strategy"},
    {"followup"},
    {"actionplans"},
    {"dashboards"},
    {"portal"},
    {"devtools"},
    {"config"},
]
LAYER_OF = {app: n for n, apps in enumerate(LAYERS) for app in apps}


def imported_apps(path: Path) -> set[tuple[str, int]]:
    """The project's apps a module imports, anywhere in it (inside functions too), with the line."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in LAYER_OF}
    return found


def upward_imports(app: str) -> list[str]:
    own = LAYER_OF[app]
    return [
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for other, line in sorted(imported_apps(path))
        if LAYER_OF[other] > own
    ]


@pytest.mark.parametrize("app", sorted(LAYER_OF))
def test_an_app_imports_only_its_own_layer_and_those_below(app):
    assert upward_imports(app) == []


def test_every_app_of_the_project_has_a_layer():
    from django.conf import settings

    assert set(settings.LOCAL_APPS) | {"config"} == set(LAYER_OF)


def test_the_check_finds_an_import_that_runs_upward(tmp_path, monkeypatch):
    module = ROOT / "core" / "_layer_probe.py"
    monkeypatch.setattr("tests.core.test_layers.ROOT", tmp_path)
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / module.name).write_text("def f():\n    from dashboards import summaries\n")
    assert upward_imports("core") == ["core/_layer_probe.py:2 imports dashboards"]


def module_graph() -> dict[str, set[str]]:
    """Each module of the project and the project's modules it imports (anywhere in it)."""
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for app in LAYER_OF
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_modules_import_each_other_round_a_circle():
    assert import_circles(module_graph()) == []


def test_the_circle_check_finds_a_circle():
    assert import_circles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "b": {"a.x"}}) == [["a.x", "a.y", "a.z"]]


# A module longer than this is split along its seams into modules of its app.
MAX_LINES = 500
NOT_CHECKED = {"tests", "migrations", ".venv", "node_modules"}


def long_modules(root: Path) -> list[str]:
    """The project's Python files over MAX_LINES lines, outside the tests, the
    migrations and installed packages (whose folders are not walked)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in NOT_CHECKED and not d.startswith("."))
        for name in sorted(f for f in files if f.endswith(".py")):
            path = Path(folder) / name
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                found.append(f"{path.relative_to(root)}: {lines} lines")
    return found


def test_no_module_outside_the_tests_is_over_500_lines():
    assert long_modules(ROOT) == []


def test_the_length_check_finds_a_long_module_and_passes_over_tests_and_migrations(tmp_path):
    for place, lines in [
        ("strategy/services.py", MAX_LINES + 1),
        ("strategy/models.py", MAX_LINES),
        ("tests/strategy/test_services.py", 2 * MAX_LINES),
        ("strategy/migrations/0001_initial.py", 2 * MAX_LINES),
        (".venv/lib/django/db.py", 2 * MAX_LINES),
    ]:
        (tmp_path / place).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / place).write_text("x = 1\n" * lines)
    assert long_modules(tmp_path) == [f"strategy/services.py: {MAX_LINES + 1} lines"]
