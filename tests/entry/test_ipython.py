"""`%load_ext varshim` in an IPython InteractiveShell: varshim installed, `async=` cells run."""

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import varshim
from varshim.entry.ipython import async_kwargs_transformer

ASYNC_CELL = "y = torch.zeros(2)\ny.copy_(torch.ones(2), async=True)\ntotal = y.sum().item()"


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, colors="nocolor")
    was_installed = varshim.installed()
    yield shell
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
