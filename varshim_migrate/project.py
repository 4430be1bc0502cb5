"""What migrate knows beyond one file: the checkpoints the files of the tree write as whole objects.

torch >= 2.6 loads with `weights_only=True`, which refuses a pickled model; 0.1-2.5 code that saves
a whole model and loads it again (in the same program, or `main.py --save model.pt` then
`generate.py`) needs `weights_only=False` there, and only there: a file nobody here wrote must not
be unpickled on the migrator's say-so. A checkpoint is named by its path as the code spells it:
a string literal (normalized), an argparse option's default (`args.save`), `open(path)`, or,
within one file, the very expression both calls use.
"""

import ast
import os

from .analysis import Analysis

__all__ = ["Project", "checkpoint_key", "checkpoint_saves"]


class Project:
    """The checkpoints of a tree: key -> (the file that writes it, whether it writes it whole)."""

    def __init__(self, writers=None):
        self.writers = dict(writers or {})

    @classmethod
    def scan(cls, paths, read):
        """The checkpoints the files at `paths` write; `read(path)` gives a file's text."""
        writers = {}
        for path in paths:
            try:
                text = read(path)
            except (OSError, UnicodeDecodeError, SyntaxError):
                continue
            if "save" not in text:
                continue
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            for key, whole in checkpoint_saves(Analysis(tree)).items():
                if key[0] == "path":  # keys of other kinds only mean something within one file
                    name, before = writers.get(key, (os.path.basename(path), False))
                    writers[key] = (name, before or whole)
        return cls(writers)

    def writer(self, key):
        """(the file that writes checkpoint `key`, whether whole), or None."""
        return self.writers.get(key)


def checkpoint_saves(analysis):
    """{key: whole} of the checkpoints a module writes with `torch.save(obj, path)`; whole unless
    `obj` is something `weights_only=True` loads (a state_dict, a dict/list literal, tensors)."""
    saves = {}
    module = analysis.scope_for(analysis.tree, None)
    for call, scope in _torch_calls(analysis, module, "torch.save"):
        if len(call.args) < 2:
            continue
        key = checkpoint_key(call.args[1], analysis, scope)
        if key is not None:
            saves[key] = saves.get(key, False) or not _weights_only(call.args[0], analysis, scope)
    return saves


def checkpoint_key(node, analysis, scope, _depth=0):
    """("path", normalized path) for a path the code spells out, ("value", id) for one expression
    of this file both calls read; None when unknown or when the values disagree."""
    if _depth > 6:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "path", os.path.normpath(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open" and node.args:
        return checkpoint_key(node.args[0], analysis, scope, _depth + 1)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        default = _option_default(analysis, node.attr)
        return None if default is None else checkpoint_key(default, analysis, scope, _depth + 1)
    if isinstance(node, ast.Name):
        keys = set()
        for value, home in analysis.origins(node, scope):
            if value is None:
                return None
            keys.add(checkpoint_key(value, analysis, home, _depth + 1))
        return keys.pop() if len(keys) == 1 else None
    return "value", id(node)  # os.path.join(tmp, 'model.pt'): the same expression in one file


def _option_default(analysis, name):
    """The default of the argparse option whose destination is `name` (`--save` for args.save)."""
    for node in ast.walk(analysis.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        options = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        dest = keywords.get("dest")
        dests = [dest.value] if isinstance(dest, ast.Constant) else [o.lstrip("-").replace("-", "_") for o in options]
        if name in dests:
            return keywords.get("default")
    return None


def _weights_only(node, analysis, scope):
    """Can `weights_only=True` load it: a state_dict, a dict or list literal, a tensor?"""
    for value, home in analysis.origins(node, scope):
        if value is None:
            return False
        if isinstance(value, (ast.Dict, ast.List, ast.Tuple)):
            continue
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "state_dict":
            continue
        if analysis.is_legacy_tensor(value, home) or analysis.made_here(value, home):
            continue
        return False
    return True


def _torch_calls(analysis, module, qualified):
    """(call, scope) of every call of `qualified` in the module, scopes as the checker sees them."""
    found = []

    def visit(node, scope):
        if isinstance(node, ast.Call) and analysis.qualify(node.func) == qualified:
            found.append((node, scope))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            scope = analysis.scope_for(node, scope)
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(analysis.tree, module)
    return found
