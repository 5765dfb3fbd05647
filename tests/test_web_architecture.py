"""The web package's shape: no import cycle, no reaching into another module's private names, no
function-local imports of the web package (how cycles used to be dodged), no ``except ImportError``
that silently drops a feature, and every panel where the README says it is."""
from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "webapp"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# webapp/server.py (serving) and webapp/rooms/ (the rooms backend, no Dash) are written by others under
# their own rules: rooms/ picks its store backend with function-local imports. Their module-level imports
# still count for cycles, and no module anywhere may catch an import error.
OWN_ELSEWHERE_PREFIXES = ("webapp.server", "webapp.rooms")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(WEBAPP.rglob("*.py"))}
OWN_ELSEWHERE = {name for name in MODULES if name.startswith(OWN_ELSEWHERE_PREFIXES)}


def is_module(name: str) -> bool:
    return name in MODULES


def imports_of(path: Path):
    """``(target module, imported names, node, at module level)`` for every import of a ``webapp`` module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "webapp":
                    yield alias.name, [], node, id(node) in top
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "webapp":
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if is_module(child):
                    yield child, [], node, id(node) in top
                else:
                    yield node.module, [alias.name], node, id(node) in top


def graph() -> dict:
    """Module -> the web modules it imports (function-local imports included, except in others' modules)."""
    edges = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _, _, top in imports_of(path):
            if target != name and target in MODULES and (top or name not in OWN_ELSEWHERE):
                edges[name].add(target)
    return edges


def test_every_module_is_found():
    assert {"webapp.state", "webapp.state.coerce", "webapp.compute.cost", "webapp.figures.encode",
            "webapp.panels.page", "webapp.panels.stage.callbacks"} <= set(MODULES)


def test_no_import_cycle_inside_webapp():
    edges = graph()
    state = {}          # name -> "visiting" | "done"
    stack: list = []

    def visit(name):
        state[name] = "visiting"
        stack.append(name)
        for target in sorted(edges[name]):
            if state.get(target) == "visiting":
                cycle = stack[stack.index(target):] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name)


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    """The check above could fail: two modules importing each other are reported."""
    import sys

    monkeypatch.setattr(sys.modules[__name__], "graph", lambda: {"a": {"b"}, "b": {"a"}, "c": {"a"}})
    with pytest.raises(pytest.fail.Exception, match="a -> b -> a"):
        test_no_import_cycle_inside_webapp()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_names_of_another_module(name):
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    webapp_aliases = {}
    for target, names, node, _ in imports_of(path):
        for imported in names:
            assert not (imported.startswith("_") and not imported.startswith("__")), \
                f"{name} imports the private name {imported} of {target} (line {node.lineno})"
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if is_module(f"{node.module}.{alias.name}"):
                    webapp_aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        else:
            for alias in node.names:
                webapp_aliases[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in webapp_aliases:
            assert not (node.attr.startswith("_") and not node.attr.startswith("__")), \
                f"{name} reads {node.value.id}.{node.attr}, a private name of {webapp_aliases[node.value.id]}"


@pytest.mark.parametrize("name", sorted(set(MODULES) - OWN_ELSEWHERE))
def test_the_web_package_is_imported_at_module_level_only(name):
    """A function-local import of a web module is how an import cycle hides; none is left."""
    local = [(target, node.lineno) for target, _, node, top in imports_of(MODULES[name]) if not top]
    assert local == [], f"{name} imports web modules inside functions: {local}"


@pytest.mark.parametrize("path", [ROOT / "app.py", *MODULES.values()],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_error_guard(path):
    """An import error must fail loudly (at start-up and in CI), never switch a feature off."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = [n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)]
            assert "ImportError" not in caught and "ModuleNotFoundError" not in caught, \
                f"{path.name}:{node.lineno} catches an import error"


def test_state_never_imports_scenarios_compute_figures_or_panels():
    """The state is the bottom of the web package (with the message catalogs under it): scenarios import it,
    never the reverse."""
    edges = graph()
    for name in MODULES:
        if name.startswith("webapp.state"):
            above = [t for t in edges[name] if not t.startswith(("webapp.state", "webapp.i18n"))]
            assert above == [], f"{name} imports {above}"


def test_the_message_catalogs_import_no_other_web_module():
    edges = graph()
    for name in MODULES:
        if name.startswith("webapp.i18n"):
            assert edges[name] == set(), f"{name} imports {edges[name]}"


def test_compute_and_figures_know_no_dash():
    for name, path in MODULES.items():
        if name.startswith(("webapp.state", "webapp.compute", "webapp.figures")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            assert "dash" not in roots, f"{name} imports dash"


def test_every_panel_is_a_package_whose_edits_are_in_the_one_answer():
    from webapp.panels import answer, page
    panels = sorted(p.name for p in (WEBAPP / "panels").iterdir() if (p / "__init__.py").exists())
    layout = README.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    for panel in panels:
        assert re.search(rf"\b{panel}\b", layout), f"webapp/panels/{panel} is not in the README's Project layout"
        if (WEBAPP / "panels" / panel / "edits.py").exists():
            module = sys.modules.get(f"webapp.panels.{panel}.edits")     # imported by the answer, if it lists it
            assert module is not None, f"webapp.panels.{panel}.edits: list its EDITS in answer.EDITS"
            assert module.EDITS and all(edit in answer.EDITS for edit in module.EDITS), panel
    keys = [edit.key for edit in answer.EDITS]
    assert len(keys) == len(set(keys)) and all(key.isidentifier() for key in keys)
    assert answer in page.PANELS and all(callable(module.register) for module in page.PANELS)


def test_one_server_callback_listens_to_the_state_inputs():
    """Every edit is an input of the one answer; no other server callback writes the state."""
    import app

    writers = [key for key, spec in app.app.callback_map.items()
               if "state.data" in key.split("...") or key.startswith("state.data") or "..state.data..." in key]
    servers = [key for key in writers if not app.app.callback_map[key].get("clientside_function")]
    assert len(servers) == 1


@pytest.mark.parametrize("name", sorted(set(MODULES) - OWN_ELSEWHERE))
def test_no_javascript_inside_python_strings(name):
    """Clientside callbacks name functions of assets/clientside.js (ClientsideFunction), never inline JS."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            code = node.value.replace(" ", "")
            assert "function(" not in code and "window." not in code, f"{name}:{node.lineno} holds JavaScript"


# ------------------------------------------------------------------ the browser side (assets/)
ASSETS = ROOT / "assets"
PLOTLY_ADAPTER = "player-plotly.js"
# Plotly's internals: the full layout and data, axis conversions, plot-area geometry, subplot records
PLOTLY_INTERNALS = re.compile(r"_fullLayout|_fullData|\._plots\b|\b(?:c2p|p2c|l2p|p2l|c2l|l2c|d2p|p2d)\b|"
                              r"\._offset\b|\._length\b|\._size\b|_hoverlayer|\._subplot")


def strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


@pytest.mark.parametrize("path", sorted(ASSETS.glob("*.js")), ids=lambda p: p.name)
def test_only_the_adapter_touches_plotly_internals(path):
    found = PLOTLY_INTERNALS.findall(strip_comments(path.read_text(encoding="utf-8")))
    if path.name == PLOTLY_ADAPTER:
        assert found, "the adapter is where Plotly's internals are read"
    else:
        assert not found, f"{path.name} uses Plotly internals {sorted(set(found))}: go through {PLOTLY_ADAPTER}"


def test_the_player_is_small_files_in_one_namespace_all_in_the_export():
    from webapp import export

    files = sorted(p.name for p in ASSETS.glob("player-*.js"))
    assert sorted(export.PLAYER_FILES) == files
    for name in files:
        text = (ASSETS / name).read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 260, f"{name} is not small"
        assert "window.optiscapePlayer = window.optiscapePlayer || {}" in text, f"{name} has its own namespace"
        assert "window.optiscapePlayer = {" not in text and "window.optiscapePlayer = api" not in text
    assert not (ASSETS / "player.js").exists()


def test_the_adapter_spots_internals():
    assert PLOTLY_INTERNALS.search("var xa = gd._fullLayout.xaxis;")
    assert PLOTLY_INTERNALS.search("a.c2p(v)") and PLOTLY_INTERNALS.search("xa._length")
    assert not PLOTLY_INTERNALS.search("run.step_length + window.Plotly.relayout(gd, {})")
