"""The tree's promises: no import cycles, and the migrator and the command line without torch.

Imports are read from the source (`ast`), function-level ones included, so a lazy import cannot
hide a cycle; what the command line loads at run time is checked in a fresh interpreter.
"""

import ast
import json
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("varshim", "varshim_migrate")
MODULES = ("varshim_cli",)


def _module_files():
    files = {name: ROOT / f"{name}.py" for name in MODULES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    return files


FILES = _module_files()


def _imports(name, path):
    """The project modules `name` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import sub` imports the submodule when there is one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in FILES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in FILES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in FILES.items()}


def test_no_import_cycles():
    state = {}  # name -> "active" while on the stack, "done" after

    def visit(name, stack):
        state[name] = "active"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "active":
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, stack + [target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


def _reachable(start):
    seen, stack = set(), [start]
    while stack:
        for target in GRAPH[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _imports_torch(name):
    tree = ast.parse(FILES[name].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "torch" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "torch":
            return True
    return False


def test_the_migrator_never_imports_torch_or_the_shim():
    for name in [n for n in FILES if n.startswith("varshim_migrate")]:
        reached = _reachable(name) | {name}
        assert not any(m == "varshim" or m.startswith("varshim.") for m in reached), name
        assert not any(_imports_torch(m) for m in reached), name


def _fresh(code, tmp_path):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=tmp_path)


def test_check_migrate_help_and_the_flake8_plugin_load_no_torch(tmp_path):
    (tmp_path / "old.py").write_text("import torch\nloss = model(x)\nprint(loss.data[0])\n")
    result = _fresh("""
        import contextlib, io, sys
        import varshim_cli
        import varshim_migrate.flake8
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            varshim_cli.main(["check", "old.py"])
            varshim_cli.main(["migrate", "old.py"])
            varshim_cli.main(["--help"])
            try:
                varshim_cli.main(["run", "--no-such-option"])
            except SystemExit:
                pass
        print(sorted(m for m in ("torch", "varshim") if m in sys.modules))
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_check_help_and_the_flake8_plugin_load_neither_libcst_nor_nbformat(tmp_path):
    """libcst (~0.4 s to import) is for writing rewrites, nbformat for running notebooks."""
    (tmp_path / "old.py").write_text("import torch\nx = y.creator\nprint(loss.data[0])\n")
    (tmp_path / "old.ipynb").write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "source": ["import torch\n", "x = y.creator"], "metadata": {},
                   "outputs": [], "execution_count": None}],
    }))
    result = _fresh("""
        import ast, contextlib, io, sys
        import varshim_cli
        from varshim_migrate.flake8 import Flake8Checker
        source = open("old.py").read()
        assert len(list(Flake8Checker(ast.parse(source), source.splitlines(True)).run())) == 2
        loaded = lambda: sorted({m.split(".")[0] for m in sys.modules} & {"libcst", "nbformat", "torch", "varshim"})
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
            statuses = [varshim_cli.main(["check", "old.py"]), varshim_cli.main(["check", "old.ipynb"])]
            for argv in (["migrate", "--help"], ["check", "--help"], ["--help"]):
                try:
                    varshim_cli.main(argv)
                except SystemExit:
                    pass
        print(statuses, out.getvalue().count(": VS104 "), loaded())  # findings, not the help's code list
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[1, 1] 2 []\n"  # both files checked, and nothing heavy loaded
