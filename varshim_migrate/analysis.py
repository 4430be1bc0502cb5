"""What a rule may know about a file without running it: imports, scopes, scalars and ranks.

Everything here reads the standard `ast` of the file once: no libcst metadata pass, so `check`
stays fast. Inference is deliberately small and sound in one direction: "known scalar" and
"known rank" are claimed only from syntax that guarantees them; anything else is unknown, and the
rules turn unknown into "needs a human" instead of guessing.
"""

import ast

__all__ = ["Analysis", "Scope", "children", "child_fields"]

# Full reductions: called without a dim they return one element (a size-(1,) Variable in 0.3).
_REDUCTIONS = frozenset({"sum", "mean", "prod", "norm", "max", "min", "std", "var", "median", "dot"})
# torch.nn.functional losses (0.3 names); each returns one element unless reduce=False.
_LOSSES = frozenset({
    "nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "soft_margin_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
})
# Constructors whose integer arguments are the sizes: their rank is the number of sizes.
_SIZED = frozenset({
    "torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty", "torch.Tensor",
    "torch.FloatTensor", "torch.DoubleTensor", "torch.LongTensor", "torch.IntTensor",
    "torch.ByteTensor", "torch.HalfTensor",
})
_DATA_CONSTRUCTORS = frozenset({
    "torch.Tensor", "torch.FloatTensor", "torch.DoubleTensor", "torch.LongTensor", "torch.IntTensor",
    "torch.ByteTensor", "torch.tensor",
})
# Methods and functions that keep their input's rank.
_SAME_RANK = frozenset({
    "float", "double", "long", "int", "cuda", "cpu", "detach", "clone", "contiguous", "exp", "log",
    "abs", "sigmoid", "tanh", "relu", "neg", "sqrt", "pow", "clamp", "mul", "add", "sub", "div",
    "data", "t", "requires_grad_", "type_as", "to",
})
_TORCH_SAME_RANK = frozenset({
    "torch.exp", "torch.log", "torch.abs", "torch.sigmoid", "torch.tanh", "torch.relu",
    "torch.nn.functional.relu", "torch.nn.functional.sigmoid", "torch.nn.functional.tanh",
    "torch.nn.functional.dropout", "torch.nn.functional.elu", "torch.nn.functional.leaky_relu",
})
_VARIABLE = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_CHILD_FIELDS = {}
_LEAF_FIELDS = frozenset({  # fields that never hold a node, or only ctx/operator markers
    "ctx", "op", "id", "attr", "arg", "name", "type_comment", "kind", "level", "module", "conversion", "is_async",
})


def child_fields(node_type):
    """The fields of an ast node type that can hold nodes (not ctx/op markers or plain strings)."""
    try:
        return _CHILD_FIELDS[node_type]
    except KeyError:
        fields = _CHILD_FIELDS[node_type] = tuple(f for f in node_type._fields if f not in _LEAF_FIELDS)
        return fields


def children(node):
    """`ast.iter_child_nodes` without the ctx/operator markers, at a fraction of its cost."""
    for field in child_fields(type(node)):
        value = getattr(node, field)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


def dotted(node):
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class Scope:
    """Names a function (or the module) binds, with the values assigned to them, read lazily."""

    def __init__(self, node, parent):
        self.node = node
        self.parent = parent
        self._bindings = None
        self._appended = None

    @property
    def bindings(self):
        """name -> list of assigned value nodes (None for a binding whose value is unknown)."""
        if self._bindings is None:
            self._bindings = {}
            if isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                arguments = self.node.args
                for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
                    self._bind(arg.arg, None)
                for arg in (arguments.vararg, arguments.kwarg):
                    if arg is not None:
                        self._bind(arg.arg, None)
            body = self.node.body if isinstance(self.node.body, list) else [self.node.body]
            for statement in body:
                self._collect(statement)
        return self._bindings

    def _bind(self, name, value):
        self._bindings.setdefault(name, []).append(value)

    def _collect(self, root):
        bind, stack = self._bind, [root]
        while stack:  # depth first, in source order
            node = stack.pop()
            kind = type(node)
            if kind in _NESTED_SCOPES:
                bind(node.name, None)
                continue
            if kind is ast.Lambda:
                continue
            if kind is ast.Assign:
                for target in node.targets:
                    self._bind_target(target, node.value)
            elif kind in (ast.AnnAssign, ast.AugAssign):
                if type(node.target) is ast.Name:
                    bind(node.target.id, node.value)
            elif kind in (ast.For, ast.AsyncFor, ast.comprehension):
                self._bind_target(node.target, None)
            elif kind is ast.withitem:
                if node.optional_vars is not None:
                    self._bind_target(node.optional_vars, None)
            elif kind is ast.NamedExpr:
                bind(node.target.id, node.value)
            elif kind in (ast.Import, ast.ImportFrom):
                for alias in node.names:
                    bind((alias.asname or alias.name).split(".")[0], None)
            elif kind is ast.ExceptHandler:
                if node.name:
                    bind(node.name, None)
            elif kind in (ast.Global, ast.Nonlocal):
                for name in node.names:
                    bind(name, None)
            found = list(children(node))
            found.reverse()
            stack.extend(found)

    def _bind_target(self, target, value):
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:  # unpacking: values unknown
                self._bind_target(element.value if isinstance(element, ast.Starred) else element, None)

    def appended(self, name):
        """Arguments of every `name.append(x)` in this scope (nested functions excluded)."""
        if self._appended is None:  # one walk of the scope for every name
            self._appended = {}
            body = self.node.body if isinstance(self.node.body, list) else [self.node.body]
            stack = list(body)
            while stack:
                node = stack.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                        and isinstance(node.func.value, ast.Name) and len(node.args) == 1):
                    self._appended.setdefault(node.func.value.id, []).append(node.args[0])
                stack.extend(children(node))
        return self._appended.get(name, [])

    def values(self, name):
        """Assigned values of `name` in the nearest scope binding it (class scopes skipped)."""
        scope = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return None


class Analysis:
    """Imports of one module, and the inferences the rules share."""

    def __init__(self, tree):
        self.tree = tree
        self.aliases = {}  # local name -> qualified name
        self.star_modules = set()
        for node in _statements(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        self.aliases[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.add(node.module)
                    else:
                        self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        self._legacy_variable = any(q in _VARIABLE for q in self.aliases.values()) or bool(
            self.star_modules & {"torch.autograd", "torch.autograd.variable"}
        )
        self._qualified = {}  # id(node) -> (node, its qualified name)

    def qualify(self, node):
        """The qualified name a Name/Attribute chain refers to through the imports, or None."""
        known = self._qualified.get(id(node))  # rules ask about the same call's function many times
        if known is None or known[0] is not node:
            known = self._qualified[id(node)] = (node, self._qualify(node))
        return known[1]

    def _qualify(self, node):
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
        elif head == "Variable" and self.star_modules & {"torch.autograd", "torch.autograd.variable"}:
            base = "torch.autograd.Variable"
        elif head == "Function" and "torch.autograd" in self.star_modules:
            base = "torch.autograd.Function"
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def imports_legacy_variable(self):
        """Does the module import `Variable` (the hallmark of pre-0.4 code)?"""
        return self._legacy_variable

    def is_variable(self, func):
        return self.qualify(func) in _VARIABLE

    # -- scalars ---------------------------------------------------------------------------------

    def is_scalar(self, node, scope, _depth=0):
        """True only when `node` certainly holds a one-element tensor (legacy size (1,))."""
        if _depth > 6:
            return False
        depth = _depth + 1
        if isinstance(node, ast.Call):
            return self._is_scalar_call(node, scope, depth)
        if isinstance(node, ast.BinOp):
            sides = (node.left, node.right)
            scalars = [self.is_scalar(side, scope, depth) for side in sides]
            return any(scalars) and all(s or _is_number(side) for s, side in zip(scalars, sides))
        if isinstance(node, ast.UnaryOp):
            return self.is_scalar(node.operand, scope, depth)
        if isinstance(node, ast.Attribute) and node.attr == "data":
            return self.is_scalar(node.value, scope, depth)
        if isinstance(node, ast.Subscript) and _is_zero(node.slice):
            return self.is_scalar(node.value, scope, depth)
        if isinstance(node, ast.Name):
            values = scope.values(node.id)
            if not values or None in values:
                return False
            tensors = [v for v in values if not _is_number(v)]
            return bool(tensors) and all(self.is_scalar(v, scope, depth) for v in tensors)
        return False

    def _is_scalar_call(self, node, scope, depth):
        if _reduces_nothing(node):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _REDUCTIONS:
            qualified = self.qualify(func)
            if qualified and qualified.startswith("torch."):
                return len(node.args) == (2 if func.attr == "dot" else 1) and not _has_dim(node)
            if func.attr == "dot":
                return len(node.args) == 1
            if func.attr == "norm":
                return len(node.args) <= 1 and not _has_dim(node)
            return not node.args and not node.keywords
        qualified = self.qualify(func)
        if qualified and qualified.startswith("torch.nn.functional."):
            return qualified.rsplit(".", 1)[1] in _LOSSES
        if isinstance(func, ast.Call):  # nn.MSELoss()(a, b)
            return self._is_loss_module(func)
        if isinstance(func, ast.Name):  # criterion = nn.MSELoss(); criterion(a, b)
            values = scope.values(func.id)
            return bool(values) and all(v is not None and self._is_loss_module(v) for v in values)
        return False

    def _is_loss_module(self, node):
        if not isinstance(node, ast.Call) or _reduces_nothing(node):
            return False
        qualified = self.qualify(node.func)
        return bool(qualified) and qualified.startswith("torch.nn.") and qualified.endswith("Loss")

    # -- ranks -----------------------------------------------------------------------------------

    def ndim(self, node, scope, _depth=0):
        """The number of dimensions `node` certainly has (as a legacy tensor), or None."""
        if _depth > 6:
            return None
        depth = _depth + 1
        if isinstance(node, ast.Call):
            qualified = self.qualify(node.func)
            if qualified in _VARIABLE and node.args:
                return self.ndim(node.args[0], scope, depth)
            if qualified in _DATA_CONSTRUCTORS and len(node.args) == 1 and isinstance(node.args[0], ast.List):
                return _list_depth(node.args[0])
            if qualified in _SIZED:
                return _size_count(node.args)
            if qualified in _TORCH_SAME_RANK and node.args:
                return self.ndim(node.args[0], scope, depth)
            if qualified in ("torch.mm", "torch.matmul") and len(node.args) == 2:
                ranks = [self.ndim(a, scope, depth) for a in node.args]
                return 2 if ranks == [2, 2] else None
            func = node.func
            if isinstance(func, ast.Attribute):
                receiver = func.value
                if func.attr in ("view", "reshape"):
                    return _size_count(node.args)
                if func.attr == "unsqueeze":
                    rank = self.ndim(receiver, scope, depth)
                    return None if rank is None else rank + 1
                if func.attr in _SAME_RANK:
                    return self.ndim(receiver, scope, depth)
            return None
        if isinstance(node, ast.Attribute) and node.attr == "data":
            return self.ndim(node.value, scope, depth)
        if isinstance(node, ast.BinOp):
            ranks = [None if _is_number(s) else self.ndim(s, scope, depth) for s in (node.left, node.right)]
            known = [r for r, s in zip(ranks, (node.left, node.right)) if not _is_number(s)]
            return max(known) if known and None not in known else None
        if isinstance(node, ast.Name):
            values = scope.values(node.id)
            if not values or None in values:
                return None
            ranks = {self.ndim(v, scope, depth) for v in values}
            return ranks.pop() if len(ranks) == 1 else None
        return None


def _statements(tree):
    """Every statement, nested ones included (imports are statements): no expression is visited."""
    stack = list(tree.body)
    while stack:
        statement = stack.pop()
        yield statement
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(statement, field, None)
            if block:
                stack.extend(block)


def _is_number(node):
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_zero(node):
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 0


def _has_dim(call):
    return any(k.arg in ("dim", "axis") for k in call.keywords)


def _reduces_nothing(call):
    """`reduce=False` / `reduction='none'`: the loss keeps one value per element."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "reduce" and not (isinstance(value, ast.Constant) and value.value is True):
            return True
        if keyword.arg == "reduction" and not (isinstance(value, ast.Constant) and value.value in ("mean", "sum")):
            return True
    return False


def _size_count(args):
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = args[0].elts
    if args and all(isinstance(a, ast.Constant) and type(a.value) is int for a in args):
        return len(args)
    if args and not any(isinstance(a, ast.Starred) for a in args) and len(args) > 1:
        return len(args)  # several sizes, whatever their values: one dimension each
    return None


def _list_depth(node):
    depth = 0
    while isinstance(node, (ast.List, ast.Tuple)):
        depth += 1
        if not node.elts:
            return depth
        node = node.elts[0]
    return depth
