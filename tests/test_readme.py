"""The README cannot rot: its Python examples run, and its tables list what the registries hold.

* Every ```` ```python ```` block of README.md runs, in order, in one fresh interpreter
  (a subprocess, so an example that registers an optimizer cannot leak into other tests).
  Blocks fenced with any other info string (``text``, ``bash``, ...) are not run.
* Every registered surface, optimizer and schedule has a row in its README table, and the
  optimizer rows state every default of the schema (``maximize`` is stated once for all).
* Every Makefile target is described as ``make <target>``.
"""
from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

import landscapes
import optimizers
from optimizers import schedules

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK_MARKER = "### README block"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def code_blocks(text: str, info: str = "python") -> list[tuple[int, str]]:
    """``(line number, code)`` of every fenced block whose info string is exactly ``info``."""
    blocks = []
    for match in FENCE.finditer(text):
        if match.group(1).strip() == info:
            blocks.append((text.count("\n", 0, match.start()) + 2, match.group(2)))
    return blocks


def table_rows(text: str) -> list[list[str]]:
    """Every Markdown table row as a list of stripped cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and line.rstrip().endswith("|"):
            rows.append([cell.strip() for cell in line.strip()[1:-1].split("|")])
    return rows


def row_for(text: str, name: str) -> list[str]:
    rows = [row for row in table_rows(text) if row and row[0] == f"`{name}`"]
    assert rows, f"README has no table row for `{name}`"
    return rows[0]


# ------------------------------------------------------------------ the examples run
def test_the_fence_parser_finds_blocks_and_their_lines():
    sample = "intro\n```python\nx = 1\n```\ntext\n```text\nnot run\n```\n```python\ny = 2\n```\n"
    assert code_blocks(sample) == [(3, "x = 1\n"), (10, "y = 2\n")]
    assert code_blocks(sample, "text") == [(7, "not run\n")]


def test_readme_has_examples_for_every_part_of_the_api():
    code = "\n".join(block for _, block in code_blocks(readme_text()))
    for call in ("landscapes.get(", "landscapes.formula(", ".with_l2(", "l2=", "FormulaError",
                 "optimizers.get(", "optimizers.run(", "optimizers.simulate(", "schedules.get(",
                 "optimizers.basin_map(", "optimizers.sensitivity_map(", "optimizers.param_grid(",
                 "noise=", "betas=", "bias_correction=False", "saddle_free=True", "@register"):
        assert call in code, f"no README example uses {call}"


def test_python_blocks_run_in_order(tmp_path):
    """All blocks as one script (they build on each other, like notebook cells), in a fresh interpreter."""
    blocks = code_blocks(readme_text())
    assert len(blocks) >= 10
    parts = []
    for index, (line, code) in enumerate(blocks):
        parts.append(f"print({f'{BLOCK_MARKER} {index + 1} (README.md line {line})'!r}, flush=True)\n{code}")
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(parts), encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    started = [line for line in result.stdout.splitlines() if line.startswith(BLOCK_MARKER)]
    where = started[-1] if started else "before the first block"
    assert result.returncode == 0, f"{where} failed:\n{result.stderr[-3000:]}"
    assert len(started) == len(blocks)


# ------------------------------------------------------------------ the tables are complete
def test_every_surface_has_a_row_with_its_parameters():
    text = readme_text()
    for name in landscapes.names():
        row = " ".join(row_for(text, name))
        for param in landscapes.schema(name):
            if param.name != "l2":
                shown = repr(param.default) if param.kind == "text" else f"{param.default:g}"
                assert f"`{param.name}`={shown}" in row, (name, param.name)


def _stated_defaults(row_text: str) -> dict:
    """``name=value`` pairs of a README row, values read as Python literals (a fraction such
    as ``1/3`` is read as its float)."""
    pairs = {}
    for key, value in re.findall(r"\b([A-Za-z_0-9]+)=('[^']*'|[^\s,]+)", row_text):   # 'quoted text' whole
        fraction = re.fullmatch(r"(\d+)/(\d+)", value)
        pairs[key] = int(fraction[1]) / int(fraction[2]) if fraction else ast.literal_eval(value)
    return pairs


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_row_states_torchs_class_and_every_default(name):
    row = row_for(readme_text(), name)
    cls = optimizers.base.optimizer_class(name)
    if cls.torch_name is None:
        assert "beyond torch" in row[1]
    else:
        assert row[1] == f"`{cls.torch_name}`"
    stated = _stated_defaults(row[2])
    expected = {p.name: p.default for p in cls.schema if p.name != "maximize"}
    assert set(stated) == set(expected), name
    for key, default in expected.items():
        if isinstance(default, float):
            assert math.isclose(stated[key], default, rel_tol=1e-12), (name, key)
        else:
            assert stated[key] == default and type(stated[key]) is type(default), (name, key)


def test_maximize_is_stated_once_for_the_optimizers_that_have_it():
    with_maximize = {n for n in optimizers.names()
                     if "maximize" in {p.name for p in optimizers.schema(n)}}
    without = set(optimizers.names()) - with_maximize
    beyond = {n for n in optimizers.names() if getattr(optimizers.base.optimizer_class(n), "reference", None)}
    assert without - beyond == {"lbfgs", "newton", "muon"}    # beyond torch: the reference's arguments (tested there)
    assert "except `lbfgs`, `newton` and `muon` also takes `maximize=False`" in readme_text()


@pytest.mark.parametrize("name", schedules.names())
def test_every_schedule_row_names_torchs_scheduler_and_its_defaults(name):
    row = row_for(readme_text(), name)
    cls = schedules.schedule_class(name)
    if cls.torch_name is not None:
        assert f"`{cls.torch_name}`" in row[1]
    for param in cls.schema:
        assert f"{param.name}=" in row[3], (name, param.name)
        stated = _stated_defaults(row[3])[param.name]
        if isinstance(param.default, float):
            assert math.isclose(stated, param.default, rel_tol=1e-12), (name, param.name)
        else:
            assert stated == param.default, (name, param.name)


def test_every_makefile_target_is_described():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()
    assert {"run", "test"} <= set(phony)
    text = readme_text()
    for target in phony:
        assert f"make {target}`" in text, f"README does not describe `make {target}`"


def test_quick_start_opens_with_the_two_commands():
    text = readme_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = code_blocks(quick, "bash")[0][1]
    assert [line.split("#")[0].strip() for line in commands.strip().splitlines()] == ["make run", "make test"]
    assert "http://127.0.0.1:8050" in commands and "PORT" in commands
