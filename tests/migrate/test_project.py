"""`project`: checkpoints one file of the tree writes and another loads (train.py, then generate.py)."""

import ast

import pytest

from varshim_cli import main
from varshim_migrate.analysis import Analysis
from varshim_migrate.project import Project, checkpoint_key, checkpoint_saves

TRAIN = """\
import argparse
import torch
from torch.autograd import Variable
parser = argparse.ArgumentParser()
parser.add_argument('--save', type=str, default='model.pt')
parser.add_argument('--best-weights', dest='weights', default='./weights.pt')
args = parser.parse_args()
torch.save(model, args.save)
torch.save(model.state_dict(), args.weights)
"""

GENERATE = """\
import argparse
import torch
from torch.autograd import Variable
parser = argparse.ArgumentParser()
parser.add_argument('--checkpoint', type=str, default='./model.pt')
args = parser.parse_args()
with open(args.checkpoint, 'rb') as f:
    model = torch.load(f)
weights = torch.load('weights.pt')
other = torch.load('downloaded.pt')
"""


def _keys(source):
    tree = ast.parse(source)
    return checkpoint_saves(Analysis(tree))


def test_saves_are_named_by_path_and_told_whole_from_state_dicts():
    assert _keys(TRAIN) == {("path", "model.pt"): True, ("path", "weights.pt"): False}


@pytest.mark.parametrize("text, key", [
    ("'./a/b.pt'", ("path", "a/b.pt")), ("open('m.pt', 'rb')", ("path", "m.pt")), ("args.save", ("path", "model.pt")),
    ("args.nowhere", None),
])
def test_checkpoint_keys(text, key):
    tree = ast.parse(TRAIN)
    analysis = Analysis(tree)
    assert checkpoint_key(ast.parse(text, mode="eval").body, analysis, analysis.scope_for(tree, None)) == key


def test_a_tree_knows_which_file_writes_which_checkpoint(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "broken.py").write_text("torch.save(\n")
    project = Project.scan([tmp_path / "train.py", tmp_path / "broken.py", tmp_path / "missing.py"],
                           lambda p: open(p).read())
    assert project.writer(("path", "model.pt")) == ("train.py", True)
    assert project.writer(("path", "weights.pt")) == ("train.py", False)


def test_migrate_trusts_the_checkpoint_another_file_writes_and_nothing_else(tmp_path, capsys):
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "generate.py").write_text(GENERATE)
    assert main(["migrate", "--write", str(tmp_path)]) == 1  # downloaded.pt is left to a human
    migrated = (tmp_path / "generate.py").read_text()
    assert "    # weights_only=False: model.pt is this program's own whole-object checkpoint (torch.save in train.py)" in migrated
    assert "model = torch.load(f, weights_only=False)" in migrated
    assert "weights = torch.load('weights.pt')\n" in migrated  # a state_dict loads as it is
    assert "other = torch.load('downloaded.pt')\n" in migrated
    assert "generate.py:10:9: VS813" in capsys.readouterr().err
    assert main(["migrate", "--write", str(tmp_path)]) == 1 and (tmp_path / "generate.py").read_text() == migrated
