"""Lint: no code in the project may run text as code.

Walks every .py file of the project (app.py, landscapes/, optimizers/, webapp/,
benchmarks/, tests/, and any other project file; never .venv or build output) with the
``ast`` module and fails on

* a call of the builtins ``eval``, ``exec`` or ``compile`` (bare, or as
  ``builtins.eval`` / ``__builtins__.eval``); ``re.compile`` and other methods are fine;
* ``__import__(...)`` or ``importlib.import_module(...)`` (a way around the import check);
* an import of ``sympy`` or ``numexpr`` (their parsers run or hang on user text).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".hypothesis",
                ".pytest_cache"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"sympy", "numexpr"}
BUILTINS_NAMES = {"builtins", "__builtins__"}


def project_files() -> list[Path]:
    """Every .py file of the project, outside virtual environments and build output."""
    files = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if parts & SKIPPED_DIRS or any(part.endswith(".egg-info") for part in parts):
            continue
        files.append(path)
    return sorted(files)


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Each forbidden call or import in ``source`` as ``file:line: what``."""
    tree = ast.parse(source, filename=filename)
    # A module that imports its own ``compile`` (``from re import compile``) shadows the builtin.
    shadowed = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names if node.module not in BUILTINS_NAMES}
    found = []
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS and func.id not in shadowed:
                found.append(f"{where}: call of {func.id}()")
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                owner, attr = func.value.id, func.attr
                if owner in BUILTINS_NAMES and attr in FORBIDDEN_CALLS:
                    found.append(f"{where}: call of {owner}.{attr}()")
                if owner == "importlib" and attr == "import_module":
                    found.append(f"{where}: call of importlib.import_module()")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{where}: import of {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")[0]
            if module in FORBIDDEN_MODULES:
                found.append(f"{where}: import from {node.module}")
            if module in BUILTINS_NAMES and any(a.name in FORBIDDEN_CALLS for a in node.names):
                found.append(f"{where}: import of a builtin that runs text as code")
    return found


def test_the_walk_covers_the_project():
    files = {path.relative_to(ROOT).as_posix() for path in project_files()}
    assert "app.py" in files
    assert "landscapes/formula.py" in files and "tests/test_no_eval.py" in files
    assert any(name.startswith("optimizers/") for name in files)
    assert not any(name.startswith(".venv/") for name in files)


def test_no_file_runs_text_as_code():
    found = []
    for path in project_files():
        found += violations(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("source", [
    "eval('1')",
    "exec('x = 1')",
    "compile('1', 'f', 'eval')",
    "x = eval(text)",
    "def f(t):\n    return exec(t)",
    "builtins.eval('1')",
    "__builtins__.exec('1')",
    "__import__('os')",
    "importlib.import_module('sympy')",
    "import sympy",
    "import sympy as sp",
    "import numexpr.evaluate",
    "from sympy import sympify",
    "from sympy.parsing.sympy_parser import parse_expr",
    "from numexpr import evaluate",
    "from builtins import eval",
    "from builtins import exec as run",
])
def test_the_lint_catches(source):
    assert violations(source) != []


@pytest.mark.parametrize("source", [
    "import re\npattern = re.compile('x')",
    "from re import compile\npattern = compile('x')",
    "text = 'eval(1)'  # a string, not a call",
    "driver.execute_script('return 1')",
    "model.eval()",
    "def evaluate(x):\n    return x",
    "import numpy as np",
])
def test_the_lint_allows(source):
    assert violations(source) == []
