"""backward (VS3xx): `retain_variables=`, `autograd.backward(variables=, grad_variables=)`,
`loss.backward(torch.ones(1))`.

Legacy: pytorch/pytorch v0.3.1 torch/autograd/__init__.py and torch/autograd/variable.py
(`retain_variables` deprecated in 0.2, removed in 0.4); 0.4.0 torch/autograd/__init__.py renamed
`variables`/`grad_variables` to `tensors`/`grad_tensors`. Since 1.3 (pytorch/pytorch#25349) a root
gradient must have the root's shape, so a size-(1,) `torch.ones(1)` fails on a 0-dim loss.
0.3's optimizers updated `p.data` (docs/0.3.1 _modules/torch/optim/sgd.html: `p.data.add_(-group['lr'],
d_p)`), which left the graph usable after a step; torch's update the parameters themselves.
"""

import ast

from ..edits import cst, last_arg_fixed
from ..rule import Rule

__all__ = ["RetainVariables", "BackwardKeywords", "BackwardOnes", "StaleBackward"]

_RENAMES = {"variables": "tensors", "grad_variables": "grad_tensors"}
_ONES = frozenset({"torch.ones", "torch.Tensor", "torch.FloatTensor", "torch.DoubleTensor"})


def _is_backward(call, analysis):
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "backward") or (
        analysis.qualify(func) == "torch.autograd.backward"
    )


class RetainVariables(Rule):
    code = "VS301"
    title = "backward(retain_variables=...)"
    modern = "backward(retain_graph=...)"
    nodes = (ast.keyword,)
    names = frozenset({"retain_variables"})

    def check(self, node, context):
        call = context.parent()
        if node.arg != "retain_variables" or not isinstance(call, ast.Call) or not _is_backward(call, context.analysis):
            return
        message = "retain_variables was renamed in 0.2 and removed in 0.4: write retain_graph="
        both = any(k.arg == "retain_graph" for k in call.keywords)
        yield context.finding(self, node, message, fixable=not both, suggestion="retain_graph=..." if both else "")

    def fix(self, node, finding):
        return node.with_changes(keyword=cst.Name("retain_graph"))


class BackwardKeywords(Rule):
    code = "VS302"
    title = "autograd.backward(variables=, grad_variables=)"
    modern = "autograd.backward(tensors=, grad_tensors=)"
    nodes = (ast.keyword,)
    names = frozenset(_RENAMES)

    def check(self, node, context):
        call = context.parent()
        if node.arg not in _RENAMES or not isinstance(call, ast.Call):
            return
        if context.analysis.qualify(call.func) != "torch.autograd.backward":
            return
        yield context.finding(
            self, node, f"autograd.backward's {node.arg}= was renamed in 0.4: write {_RENAMES[node.arg]}=",
            fixable=True,
        )

    def fix(self, node, finding):
        return node.with_changes(keyword=cst.Name(_RENAMES[node.keyword.value]))


class BackwardOnes(Rule):
    code = "VS303"
    title = "loss.backward(torch.ones(1))"
    modern = "loss.backward()"
    nodes = (ast.Call,)
    names = frozenset({"backward"})

    def check(self, node, context):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "backward"):
            return
        gradient = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "gradient"), None)
        if gradient is None:
            return
        receiver = ast.unparse(func.value)
        if not self._is_one(gradient, context):
            # `mone = one * -1` (the 2017 WGANs): one element that is not 1, and not a 0-dim result either
            analysis, scope = context.analysis, context.scope
            if analysis.one_element(gradient, scope) and not analysis.is_scalar(gradient, scope):
                shown = ast.unparse(gradient)
                yield context.finding(
                    self, node, f"a size-(1,) gradient no longer matches a 0-dim loss: write "
                    f"{receiver}.backward({shown}.reshape(())) if {receiver} is 0-dim (a loss, a full reduction)",
                    suggestion=f"{receiver}.backward({shown}.reshape(()))")
            return
        message = f"a size-(1,) gradient no longer matches a 0-dim loss: write {receiver}.backward()"
        if context.analysis.is_scalar(func.value, context.scope):
            yield context.finding(self, node, message, fixable=True)
        else:
            yield context.finding(self, node, message + " if it holds one value", suggestion=f"{receiver}.backward()")

    def _is_one(self, node, context):
        analysis = context.analysis
        if isinstance(node, ast.Name):
            values = context.scope.values(node.id)
            return bool(values) and len(values) == 1 and values[0] is not None and self._is_one(values[0], context)
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr == "cuda" and not node.args:
            return self._is_one(func.value, context)
        if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
            return False
        qualified = analysis.qualify(node.func)
        if qualified not in _ONES:
            return False
        arg = node.args[0]
        if qualified == "torch.ones":
            return isinstance(arg, ast.Constant) and arg.value == 1
        return (isinstance(arg, ast.List) and len(arg.elts) == 1 and isinstance(arg.elts[0], ast.Constant)
                and arg.elts[0].value == 1)

    def fix(self, node, finding):
        args = list(node.args)
        if args and args[0].keyword is None:
            args = args[1:]
        else:
            args = [a for a in args if a.keyword is None or a.keyword.value != "gradient"]
        return node.with_changes(args=last_arg_fixed(args))


class StaleBackward(Rule):
    code = "VS304"
    title = "backward through a module after its optimizer stepped (GAN step order)"
    modern = "a fresh forward pass after the step"
    nodes = (ast.Call,)
    names = frozenset({"backward"})

    def check(self, node, context):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "backward"):
            return
        statement, block = _statement_and_block(context)
        if block is None:
            return
        index = next(i for i, s in enumerate(block) if s is statement)
        for step_index in range(index - 1, -1, -1):
            module = _stepped_module(block[step_index], context)
            if module is None:
                continue
            stale = _results_of(module, block[:step_index], set())
            stale = _results_of(None, block[step_index + 1:index], stale)
            if stale and _names_in(func.value) & stale:
                root = ast.unparse(func.value)
                step = ast.unparse(block[step_index].value)
                yield context.finding(
                    self, node, f"{root} was computed through {module} before {step}: 0.3's optimizers updated "
                    f".data, so this backward ran with {module}'s new weights and the old activations; torch's "
                    f"update the parameters and this backward fails (modified by an inplace operation)",
                    suggestion=f"recompute {module}(...) after {step} and build {root} from it (the usual modern "
                    f"order; the numbers differ from 0.3's mix of old activations and new weights), or call "
                    f"{root}.backward() before {step}")
            return


def _statement_and_block(context):
    """The statement around the current node and the statement list it is in."""
    chain = context.parents
    for depth in range(len(chain) - 1, 0, -1):
        statement, container = chain[depth], chain[depth - 1]
        if isinstance(statement, ast.stmt):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(container, field, None)
                if isinstance(block, list) and any(s is statement for s in block):
                    return statement, block
            return statement, None
    return None, None


def _stepped_module(statement, context):
    """`M` when `statement` is `opt.step()` and opt is `torch.optim.X(M.parameters(), ...)`."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "step" and not call.args):
        return None
    modules = set()
    for value, _ in context.analysis.origins(call.func.value, context.scope):
        if not (isinstance(value, ast.Call) and (context.analysis.qualify(value.func) or "").startswith("torch.optim.")):
            return None
        parameters = value.args[0] if value.args else None
        if not (isinstance(parameters, ast.Call) and isinstance(parameters.func, ast.Attribute)
                and parameters.func.attr == "parameters"):
            return None
        modules.add(ast.unparse(parameters.func.value))
    return modules.pop() if len(modules) == 1 else None


def _results_of(module, statements, stale):
    """The names assigned, in `statements`, from a call of `module` (or from names already in
    `stale`); a name assigned from anything else leaves the set."""
    stale = set(stale)
    for statement in statements:
        if isinstance(statement, ast.Assign):
            value, targets = statement.value, statement.targets
        elif isinstance(statement, ast.AugAssign):
            value, targets = statement.value, [statement.target]
        else:
            continue
        computed = (module is not None and _calls(value, module)) or bool(_names_in(value) & stale)
        for target in targets:
            for name in _target_names(target):
                if computed:
                    stale.add(name)
                elif not isinstance(statement, ast.AugAssign):
                    stale.discard(name)
    return stale


def _calls(node, module):
    return any(isinstance(n, ast.Call) and ast.unparse(n.func) == module for n in ast.walk(node))


def _names_in(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    return []
