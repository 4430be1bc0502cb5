"""`%load_ext varshim` in an IPython InteractiveShell: varshim installed, `async=` cells run."""

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import varshim
from varshim import legacy_program
from varshim.entry.ipython import async_kwargs_transformer

ASYNC_CELL = "y = torch.zeros(2)\ny.copy_(torch.ones(2), async=True)\ntotal = float(y.sum())"  # 0.3 code


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, colors="nocolor")
    was_installed = varshim.installed()
    yield shell
    if "varshim" in shell.extension_manager.loaded:
        shell.run_line_magic("unload_ext", "varshim")  # the kernel's program leaves too
    InteractiveShell.clear_instance()
    (varshim.install if was_installed else varshim.uninstall)()  # the test process gets torch back


def test_load_ext_installs_varshim_and_reads_async_cells(shell):
    varshim.uninstall()
    shell.run_line_magic("load_ext", "varshim")
    assert torch.autograd.Variable is varshim.Variable
    assert async_kwargs_transformer in shell.input_transformers_cleanup
    result = shell.run_cell("import torch\n" + ASYNC_CELL)
    assert result.success, result.error_before_exec or result.error_in_exec
    assert shell.user_ns["total"] == 2.0
    result = shell.run_cell("v = torch.autograd.Variable(torch.ones(1)).sum()\nv.data[0]")
    assert result.success and result.result == 1.0


def test_unload_ext_uninstalls_and_removes_the_transformer(shell):
    shell.run_line_magic("load_ext", "varshim")
    shell.run_line_magic("unload_ext", "varshim")
    assert torch.autograd.Variable is not varshim.Variable
    assert async_kwargs_transformer not in shell.input_transformers_cleanup
    result = shell.run_cell("import torch\n" + ASYNC_CELL)
    assert isinstance(result.error_before_exec, SyntaxError)
    shell.run_line_magic("load_ext", "varshim")  # and it loads again
    assert shell.run_cell("import torch\n" + ASYNC_CELL).success


def test_transformer_keeps_lines_and_leaves_other_cells_alone():
    lines = ["x.cuda(async=True)\n", "%time f(1)\n", "y = 1\n"]
    assert async_kwargs_transformer(lines) == ["x.cuda(non_blocking=True)\n", "%time f(1)\n", "y = 1\n"]
    other = ["!ls\n", "x = f'{y}'\n"]
    assert async_kwargs_transformer(other) is other


def test_cells_are_dated_as_they_run_and_the_magic_overrides(shell, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VARSHIM_WRITTEN_FOR", raising=False)
    shell.run_line_magic("load_ext", "varshim")
    program = legacy_program.cells_program()
    assert program is not None and program.release is None
    assert shell.run_cell("import torch\ndtype = torch.arange(3).dtype", store_history=True).success
    assert shell.user_ns["dtype"] is torch.int64
    cell = "v = torch.autograd.Variable(torch.ones(2))\nn = torch.LongTensor([4]).max() + 1"
    dated = f"In [{shell.execution_count}], line 1"  # the number this cell runs as
    assert shell.run_cell(cell, store_history=True).success
    assert shell.user_ns["n"] == 5 and type(shell.user_ns["n"]) is int  # this cell dated the kernel 0.3
    assert shell.run_cell("dtype = torch.arange(3).dtype", store_history=True).success
    assert shell.user_ns["dtype"] is torch.float32
    shell.run_line_magic("varshim_written_for", "modern")
    assert shell.run_cell("dtype = torch.arange(3).dtype", store_history=True).success
    assert shell.user_ns["dtype"] is torch.int64
    shell.run_line_magic("varshim_written_for", "0.x")
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "varshim: this kernel runs as code for PyTorch 0.4 or later until it shows a 0.3 idiom; "
        "%varshim_written_for 0.3 applies the 0.3 rules",
        f"varshim: this kernel runs as code for PyTorch 0.3: {dated} has Variable(x) (VS101, a 0.3 idiom); "
        "%varshim_written_for modern runs it with torch 2.x rules",
        "varshim: this kernel runs as code for torch 2.x rules, as told (%varshim_written_for or $VARSHIM_WRITTEN_FOR)",
    ]
    assert captured.out.strip() == "%varshim_written_for: '0.x' is not a torch release: write one like 0.3, 1.4 or " \
                                   "2.0, or auto, or modern"
    shell.run_line_magic("unload_ext", "varshim")
    assert legacy_program.cells_program() is not program
