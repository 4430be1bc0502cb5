"""What a rule may know about a file without running it: imports, scopes, scalars and ranks.

Everything here reads the standard `ast` of the file once: no libcst metadata pass, so `check`
stays fast. Inference is deliberately small and sound in one direction: "known scalar" and
"known rank" are claimed only from syntax that guarantees them; anything else is unknown, and the
rules turn unknown into "needs a human" instead of guessing.
"""

import ast
import bisect
import itertools
import re

__all__ = ["Analysis", "Scope", "SourceWords", "children", "add_children", "child_fields", "CHILD_FIELDS", "LINE", "LOSSES"]

# Full reductions: called without a dim they return one element (a size-(1,) Variable in 0.3).
_REDUCTIONS = frozenset({"sum", "mean", "prod", "norm", "max", "min", "std", "var", "median", "dot"})
# torch.nn.functional losses (0.3 names); each returns one element unless reduce=False.
LOSSES = frozenset({
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
# Elementwise methods: a one-element input stays one element.
_ELEMENTWISE = frozenset({
    "float", "double", "cuda", "cpu", "detach", "clone", "exp", "log", "abs", "sigmoid", "tanh", "relu", "neg",
    "sqrt", "pow", "clamp", "mul", "add", "sub", "div",
})
_SAME_RANK = frozenset({
    "float", "double", "long", "int", "cuda", "cpu", "detach", "clone", "contiguous", "exp", "log",
    "abs", "sigmoid", "tanh", "relu", "neg", "sqrt", "pow", "clamp", "mul", "add", "sub", "div",
    "data", "t", "requires_grad_", "type_as", "to",
})
_TORCH_SAME_RANK = frozenset({
    "torch.exp", "torch.log", "torch.abs", "torch.sigmoid", "torch.tanh", "torch.relu",
    "torch.nn.functional.relu", "torch.nn.functional.sigmoid", "torch.nn.functional.tanh",
    "torch.nn.functional.dropout", "torch.nn.functional.elu", "torch.nn.functional.leaky_relu",
    "torch.nn.functional.softmax", "torch.nn.functional.log_softmax", "torch.nn.functional.softmin",
    "torch.nn.functional.logsigmoid", "torch.nn.functional.softplus", "torch.nn.functional.hardtanh",
    "torch.nn.functional.selu", "torch.nn.functional.relu6", "torch.clamp", "torch.neg", "torch.sqrt",
})
_VARIABLE = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
# Factories of plain tensors (0.3 Tensors in a 0.3 file).
_CONSTRUCTORS = _SIZED | _DATA_CONSTRUCTORS | frozenset({
    "torch.arange", "torch.linspace", "torch.eye", "torch.from_numpy", "torch.randperm", "torch.rand_like",
})
# Full reductions of a 0.3 Tensor returned Python numbers (v0.3.1 torch/tensor.py, TH bindings).
_NUMBER_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min", "std", "var", "norm", "median", "dot"})
# Methods leaving the tensor world: what follows them is not a legacy Tensor.
_TENSOR_EXITS = frozenset({"numpy", "tolist", "item", "size", "dim", "numel", "type", "storage", "requires_grad_"})
# torch.nn layers whose output has the input's rank; recurrent ones return (output, hidden).
_SAME_RANK_LAYERS = frozenset({
    "Linear", "Bilinear", "Dropout", "Dropout2d", "Dropout3d", "AlphaDropout", "ReLU", "ReLU6", "LeakyReLU",
    "ELU", "SELU", "PReLU", "Sigmoid", "Tanh", "Hardtanh", "Softplus", "Softsign", "Threshold", "LogSigmoid",
    "Softmax", "LogSoftmax", "Softmin", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm2d", "LayerNorm",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "MaxPool1d",
    "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "Upsample", "ZeroPad2d", "Identity",
})
_RECURRENT = frozenset({"GRU", "RNN", "LSTM"})
# (values, indices) pairs of the input's rank.
_PAIRS = frozenset({"topk", "sort", "kthvalue"})
# str/list methods that return an int (an element of a list made into a LongTensor).
_INT_METHODS = frozenset({"find", "index", "count", "rfind"})
# How far inference follows names, calls and arguments before it gives up (unknown).
_MAX_DEPTH = 12


class _Function:
    """A module-level function: its node, the calls of it, and whether it is also used as a value."""

    def __init__(self, node, escapes):
        self.node = node
        self.escapes = escapes
        self.calls = []  # (ast.Call, the scope it is in)


class _Class:
    """A module-level class: its methods and what its methods assign to `self.<name>`."""

    def __init__(self, node):
        self.node = node
        self.methods = {f.name: f for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.calls = None  # calls of its instances, found on first use
        self._attributes = None

    def attributes(self, name):
        """[(value, None)] of every `self.<name> = value` in its methods (None if set otherwise)."""
        if self._attributes is None:
            self._attributes = {}
            for method in self.methods.values():
                owner = method.args.args[0].arg if method.args.args else None
                for node in ast.walk(method):
                    targets = node.targets if isinstance(node, ast.Assign) else (
                        [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
                    for target in targets:
                        if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                and target.value.id == owner):
                            value = node.value if isinstance(node, ast.Assign) else None
                            self._attributes.setdefault(target.attr, []).append((value, None))
        return self._attributes.get(name)


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCTION_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda})
# The node types `Scope._collect` reads a binding from (or does not enter).
_BINDERS = frozenset(_NESTED_SCOPES + (
    ast.Lambda, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.withitem,
    ast.NamedExpr, ast.Import, ast.ImportFrom, ast.ExceptHandler, ast.Global, ast.Nonlocal,
))
_EXPRESSIONS = frozenset(ast.expr.__subclasses__())  # the concrete expression node types
_STATEMENTS = frozenset(ast.stmt.__subclasses__())
_SIMPLE_STATEMENTS = frozenset(  # no statements inside
    t for t in _STATEMENTS if not {"body", "orelse", "finalbody", "handlers", "cases"} & set(t._fields))
_EXPRESSION_BINDERS = re.compile("for|:=")  # the text of a comprehension, of an assignment expression
CHILD_FIELDS = {}  # node type -> child_fields(node type), filled on first use
_LEAF_FIELDS = frozenset({  # fields that never hold a node, or only ctx/operator markers
    "ctx", "op", "id", "attr", "arg", "name", "type_comment", "kind", "level", "module", "conversion", "is_async",
})


def child_fields(node_type):
    """The fields of an ast node type that can hold nodes (not ctx/op markers or plain strings)."""
    try:
        return CHILD_FIELDS[node_type]
    except KeyError:
        fields = CHILD_FIELDS[node_type] = tuple(f for f in node_type._fields if f not in _LEAF_FIELDS)
        return fields


def add_children(found, node, _fields=CHILD_FIELDS, _node=ast.AST):
    """Append the children of `node` to the list `found`, in order: `found.extend(children(node))`
    without a generator (the traversals of a large file make one call per node)."""
    kind = type(node)
    fields = _fields.get(kind)
    if fields is None:
        fields = child_fields(kind)
    append = found.append
    for field in fields:
        value = getattr(node, field)
        if type(value) is list:
            for item in value:
                if isinstance(item, _node):
                    append(item)
        elif isinstance(value, _node):
            append(value)


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


# Lines as the parser counts them (at \r\n, \r and \n, not at \f or \v), ends kept.
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class SourceWords:
    """Which lines of a file's text match a pattern (the words a pass looks for): a whole-file pass
    skips the statements whose lines cannot hold what it looks for. Without the text, or for a text
    that is not ASCII (whose names the parser may normalize, NFKC), every statement may hold
    anything. Patterns are plain alternatives without `\\b` (searched for much faster; a false
    match costs only the walk it does not spare)."""

    def __init__(self, source):
        self._source = source if source is not None and source.isascii() else None
        self._matching = {}  # pattern -> (the numbers of the lines it matches, as a list and a set); text -> in it

    def may_contain(self, text):
        """Can the file hold `text` anywhere (a name as the parser reads it)? False only when its
        text is known, ASCII, and lacks it."""
        contains = self._matching.get(text)
        if contains is None:
            contains = self._matching[text] = self._source is None or text in self._source
        return contains

    def may_hold(self, pattern, statement):
        """Can `statement` (decorators included) hold a match of `pattern`? False only when none
        of its lines matches."""
        if self._source is None:
            return True
        matching = self._matching.get(pattern)
        if matching is None:
            numbers = self._matching_lines(pattern)
            matching = self._matching[pattern] = (numbers, frozenset(numbers))
        decorators = getattr(statement, "decorator_list", None)
        first = decorators[0].lineno if decorators else statement.lineno
        last = statement.end_lineno
        if first == last:
            return first in matching[1]
        numbers = matching[0]
        index = bisect.bisect_left(numbers, first)
        return index < len(numbers) and numbers[index] <= last

    def _matching_lines(self, pattern):
        source, numbers = self._source, []
        if "\r" in source:  # lines also end at \r\n and \r
            starts = list(itertools.accumulate(map(len, LINE.findall(source))))
            for match in pattern.finditer(source):
                number = bisect.bisect_right(starts, match.start()) + 1
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
            return numbers
        number, counted = 1, 0
        for match in pattern.finditer(source):
            start = match.start()
            number += source.count("\n", counted, start)
            counted = start
            if not numbers or numbers[-1] != number:
                numbers.append(number)
        return numbers


_APPEND = re.compile("append")


class Scope:
    """Names a function (or the module) binds, with the values assigned to them, read lazily."""

    def __init__(self, node, parent, words=None):
        self.node = node
        self.parent = parent
        self.words = words  # the file's SourceWords, when known
        self._bindings = None
        self._appended = None
        self._loops = {}  # name -> the iterables of the for loops binding it

    @property
    def parameters(self):
        """The function's parameter names (the first binding of each is the parameter's)."""
        if not isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return ()
        arguments = self.node.args
        names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
        return tuple(names + [a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None])

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
            self._collect(self.node.body if isinstance(self.node.body, list) else [self.node.body])
        return self._bindings

    def _bind(self, name, value):
        self._bindings.setdefault(name, []).append(value)

    def _collect(self, roots):
        bind, stack, words = self._bind, list(reversed(roots)), self.words
        while stack:  # depth first, in source order
            node = stack.pop()
            kind = type(node)
            if kind in _BINDERS:
                if kind in _NESTED_SCOPES:
                    bind(node.name, None)
                    continue
                if kind is ast.Lambda:
                    continue
                self._bind_node(kind, node)
            # Otherwise only its children may bind. An expression binds only in a comprehension or
            # with `:=`: a statement's expressions are skipped when its lines spell neither
            # (decided on statements and their direct children, whose positions are exact;
            # positions inside f-strings before 3.12 are not).
            if words is None or kind not in _STATEMENTS:
                found = []
                add_children(found, node)
                found.reverse()
                stack += found
            elif kind in _SIMPLE_STATEMENTS:
                if words.may_hold(_EXPRESSION_BINDERS, node):
                    found = []
                    add_children(found, node)
                    found.reverse()
                    stack += found
            else:
                found = []
                add_children(found, node)
                for child in reversed(found):
                    if type(child) not in _EXPRESSIONS or words.may_hold(_EXPRESSION_BINDERS, child):
                        stack.append(child)

    def _bind_node(self, kind, node):
        bind = self._bind
        if kind is ast.Assign:
            for target in node.targets:
                self._bind_target(target, node.value)
        elif kind in (ast.AnnAssign, ast.AugAssign):
            if type(node.target) is ast.Name:
                bind(node.target.id, node.value)
        elif kind in (ast.For, ast.AsyncFor, ast.comprehension):
            self._bind_target(node.target, None)
            self._bind_loop(node.target, node.iter)
        elif kind is ast.withitem:
            if node.optional_vars is not None:  # `with open(p) as f`: f is open(p)
                self._bind_target(node.optional_vars, node.context_expr)
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

    def _bind_target(self, target, value):
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            if value is None or any(isinstance(e, ast.Starred) for e in elements):
                for element in elements:  # values unknown
                    self._bind_target(element.value if isinstance(element, ast.Starred) else element, None)
            elif isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(elements):
                for element, part in zip(elements, value.elts):  # a, b = x, y
                    self._bind_target(element, None if isinstance(part, ast.Starred) else part)
            else:
                for index, element in enumerate(elements):  # a, b = f(): a is f()[0]
                    self._bind_target(element, _item(value, index))

    def _bind_loop(self, target, iterable):
        if isinstance(target, ast.Name):
            self._loops.setdefault(target.id, []).append(iterable)
        elif (isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[0], ast.Name)
              and isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)
              and iterable.func.id == "enumerate"):
            self._loops.setdefault(target.elts[0].id, []).append(_RANGE)  # for i, x in enumerate(xs): i counts

    def loops(self, name):
        """The iterables of the for loops (and comprehensions) binding `name` in this scope."""
        self.bindings  # collected with the bindings
        return self._loops.get(name, [])

    def appended(self, name):
        """Arguments of every `name.append(x)` in this scope (nested functions excluded)."""
        if self._appended is None:  # one walk of the scope for every name
            self._appended = {}
            body = self.node.body if isinstance(self.node.body, list) else [self.node.body]
            stack = list(body)
            words = self.words
            while stack:
                node = stack.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if words is not None and isinstance(node, ast.stmt) and not words.may_hold(_APPEND, node):
                    continue  # no `.append(` on its lines
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                        and isinstance(node.func.value, ast.Name) and len(node.args) == 1):
                    self._appended.setdefault(node.func.value.id, []).append(node.args[0])
                add_children(stack, node)
        return self._appended.get(name, [])

    def values(self, name):
        """Assigned values of `name` in the nearest scope binding it (class scopes skipped)."""
        scope = self.binding(name)
        return None if scope is None else scope.bindings[name]

    def comprehension(self, node):
        """The scope of a comprehension's own loop names, inside this one."""
        inner = Scope(ast.Module(body=[], type_ignores=[]), self, self.words)
        inner._bindings = {}
        for generator in node.generators:
            inner._bind_target(generator.target, None)
            inner._bind_loop(generator.target, generator.iter)
        return inner

    def binding(self, name):
        """The nearest scope (this one or an enclosing one) that binds `name`, or None."""
        scope = self
        while scope is not None and name not in scope.bindings:
            scope = scope.parent
        return scope


# The iterable of `for i, x in enumerate(xs)` as far as `i` is concerned: a range.
_RANGE = ast.Call(func=ast.Name(id="range", ctx=ast.Load()), args=[], keywords=[])


def _item(value, index):
    """`value[index]`, made up for `a, b = value` (not in the file: no position)."""
    return ast.Subscript(value=value, slice=ast.Constant(index), ctx=ast.Load())


class Analysis:
    """Imports of one module, and the inferences the rules share."""

    def __init__(self, tree, source=None):
        self.tree = tree
        self.source = source  # the text of `tree`, when known: it spares some walks of the tree
        self.words = SourceWords(source)
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
        self._calls_variable = None
        self._targets_0_3 = None
        self._scopes = {}  # id(function or module node) -> its Scope, shared with the checker's walk
        self._returned = {}  # id(function node) -> (node, [(returned value, scope)]): one walk per function
        self._origins = {}  # (id(name), id(scope), depth) -> (name, scope, origins): a name's origins once
        self._functions = None  # name -> FunctionDef of the module-level functions, with their calls
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
        kind = type(node)
        if kind is ast.Name:  # the common cases without building the dotted name
            head, rest = node.id, ""
        elif kind is ast.Attribute and type(node.value) is ast.Name:
            head, rest = node.value.id, node.attr
        else:
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

    def targets_0_3(self):
        """Is this 0.1-0.3 code: it imports `Variable` and uses no API that 0.4 brought? 2019 code often
        kept `from torch.autograd import Variable` while writing `torch.device`, `.to(device)`,
        `torch.tensor(...)` or `dtype=`, none of which the migrator writes: there an index gives
        0-dim values on purpose, so the 0.3-only rules (0-dim results, TH leniencies) stay silent."""
        if self._targets_0_3 is None:
            self._targets_0_3 = self.imports_legacy_variable() and not (self._may_call_0_4() and any(
                _is_0_4_call(node, self) for node in _preorder(self.tree) if isinstance(node, ast.Call)))
        return self._targets_0_3

    def _may_call_0_4(self):
        """Can the text hold a call 0.4 introduced (`_is_0_4_call`)? Not without one of its names; a
        text that is not ASCII may spell names in other characters (NFKC), so it may."""
        source = self.source
        return source is None or not source.isascii() or _NAMES_0_4.search(source) is not None

    def torch_name(self):
        """The name this file binds the torch module to, or None."""
        return next((local for local, qualified in self.aliases.items() if qualified == "torch"), None)

    def is_variable(self, func):
        return self.qualify(func) in _VARIABLE

    # -- scopes and values across functions ------------------------------------------------------

    def scope_for(self, node, parent):
        """The Scope of a function (or module) node; one object per node, so bindings are read once."""
        scope = self._scopes.get(id(node))
        if scope is None or scope.node is not node:
            scope = self._scopes[id(node)] = Scope(node, parent, self.words)
        return scope

    def bound(self, name, scope):
        """[(value, the scope it is read in)] of every binding of `name` seen from `scope`; a
        parameter's values are the arguments of every call of its function in this module (None
        where one is unknown). None when nothing binds `name`."""
        home = scope.binding(name)
        if home is None:
            return None
        values = [(value, home) for value in home.bindings[name]]
        if name in home.parameters:
            arguments = self._arguments(home, name)
            values[:1] = arguments if arguments else [(None, home)]
        return values

    def origins(self, node, scope, _depth=0):
        """[(value, scope)] `node` may hold: names followed through their bindings (a None value
        where one is unknown); any other expression is its own origin."""
        if not isinstance(node, ast.Name):
            return [(node, scope)]
        key = (id(node), id(scope), _depth)
        known = self._origins.get(key)
        if known is None or known[0] is not node or known[1] is not scope:
            known = self._origins[key] = (node, scope, self._name_origins(node, scope, _depth))
        return list(known[2])

    def _name_origins(self, node, scope, _depth):
        values = self.bound(node.id, scope) if _depth < _MAX_DEPTH else None
        if not values:
            return [(None, scope)]
        found, seen = [], set()

        def add(origins):  # each origin once: names bound in loops would repeat them exponentially
            for origin in origins:
                key = (id(origin[0]), id(origin[1]))
                if key not in seen:
                    seen.add(key)
                    found.append(origin)

        for value, home in values:
            items = self._tuple_items(value, home)
            if items is not None:  # a, b = f(): the items f returns
                for item, item_home in items:
                    add(self.origins(item, item_home, _depth + 1))
            elif isinstance(value, ast.Name) and not (value.id == node.id and home is scope):
                add(self.origins(value, home, _depth + 1))
            else:
                add(((value, home),))
        return found

    def _tuple_items(self, node, scope):
        """[(item, scope)] when `node` is `call()[k]` and every return of the call is a tuple literal."""
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and _is_integer_literal(node.slice)):
            return None
        returned = self.call_results(node.value, scope)
        index = node.slice.value
        if not returned or any(not isinstance(v, ast.Tuple) or len(v.elts) <= index for v, _ in returned):
            return None
        return [(v.elts[index], home) for v, home in returned]

    def call_results(self, call, scope):
        """[(value, scope)] a call returns: a function of this module, or an instance of one of its
        classes (its `forward`); None when unknown."""
        returned = self.returns(call, scope)
        if returned is not None or not isinstance(call.func, ast.Name):
            return returned
        owner = self._instance_of(call.func, scope)
        forward = owner and owner.methods.get("forward")
        if forward is None:
            return None
        return self._returns_of(forward)

    # -- classes of this module ------------------------------------------------------------------

    def _owner(self, method):
        """The module-level class a method belongs to, or None."""
        self._index()
        return next((c for c in self._classes.values() if any(m is method for m in c.methods.values())), None)

    def _instance_of(self, node, scope):
        """The class of this module every value of `node` is an instance of (`rnn = RNN(...)`), or None."""
        self._index()
        classes = set()
        for value, home in self.origins(node, scope):
            if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id in self._classes and self._is_module(home.binding(value.func.id))):
                return None
            classes.add(value.func.id)
        return self._classes[classes.pop()] if len(classes) == 1 else None

    def _instance_calls(self, owner):
        """(call, scope) of every call of an instance of `owner` in the module."""
        if owner.calls is None:
            owner.calls = []  # while looking: a call inside forward itself is not known to be one
            owner.calls = [(c, s) for c, s in self._name_calls if self._instance_of(c.func, s) is owner]
        return owner.calls

    def layer(self, func, scope):
        """The torch.nn layer (qualified name, its constructor call) a called expression certainly is:
        `self.out` assigned once in the class, a name bound to one, `nn.Linear(...)` itself."""
        if isinstance(func, ast.Call):
            qualified = self.qualify(func.func) or ""
            return (qualified, func) if qualified.startswith("torch.nn.") else None
        values = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            home = scope.binding(func.value.id)
            owner = home is not None and func.value.id in home.parameters[:1] and self._owner(home.node)
            values = owner and owner.attributes(func.attr)
        elif isinstance(func, ast.Name):
            values = [(v, h) for v, h in self.origins(func, scope)]
        if not values or any(v is None for v, _ in values):
            return None
        layers = {self.layer(v, h) if isinstance(v, ast.Call) else None for v, h in values}
        if len(layers) != 1:
            return None
        return layers.pop()

    def returns(self, call, scope):
        """[(value, scope)] a call of a function of this module returns (None for a bare return),
        or None when `call` is not one or the function has no return."""
        function = self._function(call.func, scope)
        if function is None:
            return None
        return self._returns_of(function)

    def _returns_of(self, function):
        """[(value, scope)] of a function's own `return` statements, or None when it has none."""
        known = self._returned.get(id(function))
        if known is None or known[0] is not function:
            found = [(r.value, self.scope_for(function, self._module_scope())) for r in _own_nodes(function, ast.Return)]
            known = self._returned[id(function)] = (function, found or None)
        return known[1]

    def _module_scope(self):
        return self.scope_for(self.tree, None)

    def _is_module(self, scope):
        """Is `scope` this module's (whichever Scope object a caller made for it)?"""
        return scope is not None and scope.node is self.tree

    def _index(self):
        """The module-level functions (the calls of each, whether it escapes: is used as a value) and
        classes, and every call of a plain name (for calls of instances)."""
        if self._functions is None:
            self._functions, self._classes, self._name_calls = {}, {}, []
            module = self._module_scope()
            for statement in _statements_outside_definitions(self.tree):
                single = module.bindings.get(getattr(statement, "name", None)) == [None]
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    escapes = not single or bool(statement.decorator_list)
                    self._functions[statement.name] = _Function(statement, escapes=escapes)
                elif isinstance(statement, ast.ClassDef) and single:
                    self._classes[statement.name] = _Class(statement)
            self._find_calls([self.tree], module)
        return self._functions

    def _find_calls(self, roots, scope, called=None):
        """Depth first from `roots`, in source order; a function's defaults and decorators are in the
        enclosing scope, its body in its own (its annotations are not visited)."""
        functions, name_calls, tree = self._functions, self._name_calls, self.tree
        called = {} if called is None else called  # id(the Name a call calls) -> that call
        fields_of, node_type = CHILD_FIELDS, ast.AST
        stack = list(reversed(roots))
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            kind = type(node)
            if kind is ast.Call:
                if type(node.func) is ast.Name:
                    name_calls.append((node, scope))
                    if node.func.id in functions:
                        called[id(node.func)] = node
            elif kind is ast.Name:
                if node.id in functions and type(node.ctx) is ast.Load and self._is_module(scope.binding(node.id)):
                    function = functions[node.id]
                    call = called.get(id(node))
                    if call is not None:
                        function.calls.append((call, scope))
                    else:
                        function.escapes = True
            elif kind in _FUNCTION_SCOPES and node is not tree:
                arguments = node.args
                found = arguments.defaults + [d for d in arguments.kw_defaults if d is not None]
                found += getattr(node, "decorator_list", ())
                self._find_calls(found, scope, called)
                body = node.body
                self._find_calls(body if type(body) is list else [body], self.scope_for(node, scope), called)
                continue
            fields = fields_of.get(kind)
            if fields is None:
                fields = child_fields(kind)
            for field in reversed(fields):  # names of no function of the module and constants: nothing to find
                value = getattr(node, field)
                if type(value) is list:
                    for item in reversed(value):
                        if isinstance(item, node_type) and (
                                item.id in functions if type(item) is ast.Name else type(item) is not ast.Constant):
                            push(item)
                elif isinstance(value, node_type) and (
                        value.id in functions if type(value) is ast.Name else type(value) is not ast.Constant):
                    push(value)

    def _function(self, func, scope):
        """The module-level FunctionDef a called name refers to, or None."""
        if not isinstance(func, ast.Name):
            return None
        function = self._index().get(func.id)
        if function is None or not self._is_module(scope.binding(func.id)):
            return None
        return function.node

    def _arguments(self, home, name):
        """[(argument, caller scope)] passed for parameter `name` of `home`'s function at each of
        its calls, or None when any is unknown (the function escapes, *args/**kwargs, ...)."""
        node = home.node
        function = self._index().get(getattr(node, "name", None))
        if function is not None and function.node is node and not function.escapes:
            calls, skip = function.calls, 0
        else:
            owner = self._owner(node)  # forward(self, ...) of a module of this file: its instances' calls
            if owner is None or owner.methods.get("forward") is not node:
                return None
            calls, skip = self._instance_calls(owner), 1
        if not calls:
            return None
        arguments = node.args
        positional = [a.arg for a in arguments.posonlyargs + arguments.args][skip:]
        defaults = dict(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults))
        defaults.update({a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None})
        if name not in positional and name not in defaults and name not in [a.arg for a in arguments.kwonlyargs]:
            return None  # *args, **kwargs
        found = []
        for call, scope in calls:
            passed = self._positional(call, scope)
            keywords = {k.arg: k.value for k in call.keywords}
            if passed is None or None in keywords:  # **kwargs
                return None
            if name in positional and positional.index(name) < len(passed):
                found.extend(passed[positional.index(name)])
            elif name in keywords:
                found.append((keywords[name], scope))
            elif name in defaults:
                found.append((defaults[name], home.parent))
            else:
                return None
        return found

    def _positional(self, call, scope):
        """For each positional argument of a call, its [(value, scope)]: `*f()` is expanded when
        `f` is a function of this module whose every return is a tuple of one length; None if unknown."""
        passed = []
        for argument in call.args:
            if not isinstance(argument, ast.Starred):
                passed.append([(argument, scope)])
                continue
            inner = argument.value
            returned = self.returns(inner, scope) if isinstance(inner, ast.Call) else None
            if not returned or any(not isinstance(v, ast.Tuple) for v, _ in returned):
                return None
            if len({len(v.elts) for v, _ in returned}) != 1:
                return None
            passed.extend([(v.elts[i], home) for v, home in returned] for i in range(len(returned[0][0].elts)))
        return passed

    # -- scalars ---------------------------------------------------------------------------------

    def is_scalar(self, node, scope, _depth=0):
        """True only when `node` certainly holds a one-element tensor (legacy size (1,))."""
        if _depth > _MAX_DEPTH:
            return False
        depth = _depth + 1
        if isinstance(node, ast.Call):
            return self._is_scalar_call(node, scope, depth)
        if isinstance(node, ast.BinOp):
            return self._with_numbers(self.is_scalar, node, scope, depth)
        if isinstance(node, ast.UnaryOp):
            return self.is_scalar(node.operand, scope, depth)
        if isinstance(node, ast.Attribute) and node.attr == "data":
            return self.is_scalar(node.value, scope, depth)
        if isinstance(node, ast.Subscript) and _is_zero(node.slice):
            return self.is_scalar(node.value, scope, depth)
        if isinstance(node, ast.Name):
            return self._every_tensor_origin(self.is_scalar, node, scope, depth)
        return False

    def _with_numbers(self, holds, node, scope, depth):
        """`holds` for a binary operation: on one side at least, the other side a number if not."""
        sides = (node.left, node.right)
        held = [holds(side, scope, depth) for side in sides]
        return any(held) and all(h or self.is_number(side, scope) for h, side in zip(held, sides))

    def _every_tensor_origin(self, holds, node, scope, depth):
        """`holds` for a name: every value it may have is known, and `holds` for each that is no number."""
        values = self.origins(node, scope)
        if any(v is None for v, _ in values):
            return False
        tensors = [(v, s) for v, s in values if not self.is_number(v, s)]
        return bool(tensors) and all(holds(v, s, depth) for v, s in tensors)

    def one_element(self, node, scope, _depth=0):
        """Certainly one element (0.3: size (1,)), though maybe (1,) today too: a scalar (`is_scalar`),
        `torch.ones(1, 1)`, `torch.FloatTensor([2])`, and what keeps that (`Variable(...)`, `.data`,
        `.squeeze()`, `.view(1)`, elementwise methods, arithmetic with numbers)."""
        if _depth > _MAX_DEPTH:
            return False
        depth = _depth + 1
        if self.is_scalar(node, scope, depth):
            return True
        if isinstance(node, ast.Call):
            qualified = self.qualify(node.func)
            if qualified in _VARIABLE:
                return len(node.args) >= 1 and self.one_element(node.args[0], scope, depth)
            if qualified in _SIZED and node.args and all(_is_one(a) for a in node.args):
                return True  # torch.ones(1, 1), torch.FloatTensor(1)
            if qualified in _DATA_CONSTRUCTORS and len(node.args) == 1 and isinstance(node.args[0], ast.List):
                return len(node.args[0].elts) == 1 and _is_number(node.args[0].elts[0])
            func = node.func
            if isinstance(func, ast.Attribute) and (func.attr in _SAME_RANK or func.attr in ("squeeze", "view")):
                if func.attr == "view" and not all(_is_one(a) or _is_minus_one(a) for a in node.args):
                    return False
                if func.attr == "view" and all(_is_one(a) for a in node.args):
                    return True  # x.view(1): one element, whatever x was (or an error)
                return self.one_element(func.value, scope, depth)
            returned = self.call_results(node, scope)
            return bool(returned) and all(v is not None and self.one_element(v, s, depth) for v, s in returned)
        if isinstance(node, ast.Attribute) and node.attr == "data":
            return self.one_element(node.value, scope, depth)
        if isinstance(node, ast.BinOp):
            return self._with_numbers(self.one_element, node, scope, depth)
        if isinstance(node, ast.UnaryOp):
            return self.one_element(node.operand, scope, depth)
        if isinstance(node, ast.Name):
            return self._every_tensor_origin(self.one_element, node, scope, depth)
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
        if qualified in _TORCH_SAME_RANK:  # F.logsigmoid(score) of a scalar
            return bool(node.args) and self.is_scalar(node.args[0], scope, depth)
        if qualified and qualified.startswith("torch.nn.functional."):
            return qualified.rsplit(".", 1)[1] in LOSSES
        if isinstance(func, ast.Attribute) and func.attr in _ELEMENTWISE and qualified is None:
            return self.is_scalar(func.value, scope, depth)  # loss.float(), score.exp()
        if isinstance(func, ast.Call):  # nn.MSELoss()(a, b)
            return self._is_loss_module(func)
        if isinstance(func, ast.Name):  # criterion = nn.MSELoss(); criterion(a, b), or a function of this file
            returned = self.call_results(node, scope)
            if returned is not None:
                return all(v is not None and self.is_scalar(v, s, depth) for v, s in returned)
            values = self.origins(func, scope)
            return all(v is not None and self._is_loss_module(v) for v, _ in values)
        return False

    def is_loss_call(self, node, scope):
        """Is `node` a call of a loss: `F.nll_loss(...)`, `nn.NLLLoss()(...)`, or a name bound to a loss module?"""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        qualified = self.qualify(func) or ""
        if qualified.startswith("torch.nn.functional."):
            return qualified.rsplit(".", 1)[1] in LOSSES
        if isinstance(func, ast.Call):
            return self._is_loss_module(func, any_reduction=True)
        if isinstance(func, ast.Name):
            values = self.origins(func, scope)
            return all(v is not None and self._is_loss_module(v, any_reduction=True) for v, _ in values)
        return False

    def _is_loss_module(self, node, any_reduction=False):
        if not isinstance(node, ast.Call) or (_reduces_nothing(node) and not any_reduction):
            return False
        qualified = self.qualify(node.func)
        return bool(qualified) and qualified.startswith("torch.nn.") and qualified.endswith("Loss")

    # -- numbers and integers --------------------------------------------------------------------

    def is_number(self, node, scope):
        """A Python number literal, or an integer expression (`is_integer`)."""
        return _is_number(node) or self.is_integer(node, scope)

    def is_integer(self, node, scope, _depth=0):
        """Certainly a Python int: literals, `len(...)`, `x.size(0)`, arithmetic of those, names bound
        only to them or counting in a `for` over `range(...)` / `enumerate(...)`."""
        if _depth > _MAX_DEPTH:
            return False
        depth = _depth + 1
        if isinstance(node, ast.Constant):
            return type(node.value) is int
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.is_integer(node.operand, scope, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)):
            return self.is_integer(node.left, scope, depth) and self.is_integer(node.right, scope, depth)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("len", "int", "ord") and scope.binding(func.id) is None:
                return True
            return isinstance(func, ast.Attribute) and func.attr in ("size", "dim", "numel") and (
                func.attr != "size" or len(node.args) == 1)
        if isinstance(node, ast.Subscript):  # x.size()[0]
            value = node.value
            return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "size" and not value.args and self.is_integer(node.slice, scope, depth))
        if isinstance(node, ast.Name):
            home = scope.binding(node.id)
            if home is None:
                return False
            loops = home.loops(node.id)
            if not all(_is_range(iterable) for iterable in loops):
                return False
            values = [v for v, _ in (self.bound(node.id, scope) or [])]
            known = [v for v in values if v is not None]
            if values.count(None) != len(loops) or not (known or loops):
                return False
            return all(self.is_integer(v, home, depth) for v in known)
        return False

    # -- 0.3 Tensors -----------------------------------------------------------------------------

    def is_legacy_tensor(self, node, scope, _depth=0):
        """Is `node` a 0.3 Tensor (not a Variable): reached from a `.data` through tensor methods,
        indexing and arithmetic? (Full reductions and single elements of one were Python numbers.)"""
        if _depth > _MAX_DEPTH:
            return False
        depth = _depth + 1
        if isinstance(node, ast.Attribute):
            return node.attr == "data" or (node.attr == "T" and self.is_legacy_tensor(node.value, scope, depth))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _TENSOR_EXITS or node.func.attr in _NUMBER_REDUCTIONS and not node.args:
                return False
            return self.is_legacy_tensor(node.func.value, scope, depth)
        if isinstance(node, ast.Subscript):
            return self.is_legacy_tensor(node.value, scope, depth)
        if isinstance(node, ast.BinOp):
            return self.is_legacy_tensor(node.left, scope, depth) or self.is_legacy_tensor(node.right, scope, depth)
        if isinstance(node, ast.Name):
            values = self.origins(node, scope)
            return all(v is not None and self.is_legacy_tensor(v, s, depth) for v, s in values)
        return False

    def made_here(self, node, scope, _depth=0):
        """Is `node` a tensor made by a torch constructor of this file (`torch.LongTensor([0, 2])`,
        `torch.randn(3, 4)`) and kept plain, not wrapped in a Variable? In a 0.3 file that is a
        0.3 Tensor, but after a migration the same text may stand for a former Variable."""
        if _depth > _MAX_DEPTH:
            return False
        depth = _depth + 1
        if isinstance(node, ast.Call):
            if any(k.arg in ("requires_grad", "dtype", "device") for k in node.keywords):
                return False  # 0.4 spellings
            if self.qualify(node.func) in _CONSTRUCTORS:
                return True
            func = node.func
            return (isinstance(func, ast.Attribute) and func.attr in _SAME_RANK and func.attr != "requires_grad_"
                    and self.made_here(func.value, scope, depth))
        if isinstance(node, ast.Name):
            values = self.origins(node, scope)
            return all(v is not None and self.made_here(v, s, depth) for v, s in values)
        return False

    def calls_variable(self):
        """Does the module still call `Variable(...)`: is it 0.3 code, not (yet) migrated?"""
        if self._calls_variable is None:
            self._calls_variable = self.imports_legacy_variable() and any(
                isinstance(node, ast.Call) and self.is_variable(node.func) for node in _preorder(self.tree))
        return self._calls_variable

    # -- ranks -----------------------------------------------------------------------------------

    def ndim(self, node, scope, _depth=0):
        """The number of dimensions `node` certainly has (as a legacy tensor), or None."""
        if _depth > _MAX_DEPTH:
            return None
        depth = _depth + 1
        if isinstance(node, ast.Call):
            qualified = self.qualify(node.func)
            if qualified in _VARIABLE and node.args:
                return self.ndim(node.args[0], scope, depth)
            if qualified in _DATA_CONSTRUCTORS and len(node.args) == 1 and not _is_integer_literal(node.args[0]):
                return self._list_rank(node.args[0], scope, depth)
            if qualified in _SIZED:
                return _size_count(node.args)
            if qualified in _TORCH_SAME_RANK and node.args:
                return self.ndim(node.args[0], scope, depth)
            if qualified in ("torch.mm", "torch.matmul") and len(node.args) == 2:
                if qualified == "torch.mm":
                    return 2
                ranks = [self.ndim(a, scope, depth) for a in node.args]
                return 2 if ranks == [2, 2] else None
            layer = self.layer(node.func, scope)
            if layer is not None:
                return self._layer_rank(layer, node.args[0], scope, depth) if node.args else None
            func = node.func
            if isinstance(func, ast.Attribute):
                receiver = func.value
                if func.attr in ("view", "reshape"):
                    return _size_count(node.args)
                if func.attr == "mm":
                    return 2
                if func.attr == "unsqueeze":
                    rank = self.ndim(receiver, scope, depth)
                    return None if rank is None else rank + 1
                if func.attr in _SAME_RANK:
                    return self.ndim(receiver, scope, depth)
            returned = self.call_results(node, scope)
            if returned:
                ranks = {None if v is None else self.ndim(v, s, depth) for v, s in returned}
                return ranks.pop() if len(ranks) == 1 else None
            return None
        if isinstance(node, ast.Attribute) and node.attr == "data":
            return self.ndim(node.value, scope, depth)
        if isinstance(node, ast.Subscript):
            return self._indexed_rank(node, scope, depth)
        if isinstance(node, ast.BinOp):
            sides = (node.left, node.right)
            ranks = [None if self.is_number(s, scope) else self.ndim(s, scope, depth) for s in sides]
            known = [r for r, s in zip(ranks, sides) if not self.is_number(s, scope)]
            return max(known) if known and None not in known else None
        if isinstance(node, ast.Name):
            values = self.origins(node, scope)
            ranks = {None if v is None else self.ndim(v, s, depth) for v, s in values}
            return ranks.pop() if len(ranks) == 1 else None
        return None

    def _layer_rank(self, layer, argument, scope, depth):
        """The rank of `layer(argument)` for the layers whose output rank follows from the input's."""
        qualified, constructor = layer
        name = qualified.rsplit(".", 1)[-1]
        if name == "Sequential":
            rank = self.ndim(argument, scope, depth)
            for inner in constructor.args:
                inner_layer = self.layer(inner, scope) if isinstance(inner, ast.Call) else None
                if rank is None or inner_layer is None:
                    return None
                rank = self._layer_rank_from(inner_layer, rank)
            return rank
        rank = self.ndim(argument, scope, depth)
        return None if rank is None else self._layer_rank_from(layer, rank)

    def _layer_rank_from(self, layer, rank):
        name = layer[0].rsplit(".", 1)[-1]
        if name in _SAME_RANK_LAYERS:
            return rank
        return rank + 1 if name == "Embedding" else None

    def _indexed_rank(self, node, scope, depth):
        value = node.value
        layer = self.layer(value.func, scope) if isinstance(value, ast.Call) else None
        if layer is not None and layer[0].rsplit(".", 1)[-1] in _RECURRENT and _is_integer_literal(node.slice):
            if node.slice.value == 0 and value.args:  # output, hidden = self.gru(x, h): output has x's rank
                return self.ndim(value.args[0], scope, depth)
            return 3 if node.slice.value == 1 and layer[0].rsplit(".", 1)[-1] != "LSTM" else None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _PAIRS:
            if _is_integer_literal(node.slice) and not _has_dim(value) and len(value.args) <= 1:
                return self.ndim(value.func.value, scope, depth)  # values, indices = x.topk(k)
            return None
        rank = self.ndim(value, scope, depth)
        removed = self.integer_indices(node, scope)
        return None if rank is None or removed is None or removed > rank else rank - removed

    def integer_indices(self, node, scope):
        """How many dimensions the index of a Subscript removes (integers; slices keep theirs),
        or None when it is not that simple (None, Ellipsis, tensors, unknown names)."""
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        count = 0
        for part in parts:
            if isinstance(part, ast.Slice):
                continue
            if not self.is_integer(part, scope):
                return None
            count += 1
        return count

    def _list_rank(self, node, scope, depth):
        """The rank of the tensor a constructor makes from a list: nested literals, or a name bound
        only to a list (or list comprehension) of numbers and appended numbers."""
        if isinstance(node, (ast.List, ast.Tuple)):
            return _list_depth(node)
        if isinstance(node, ast.ListComp):
            return 1 if self._is_element(node.elt, scope.comprehension(node)) else None
        if not isinstance(node, ast.Name):
            return None
        values = self.origins(node, scope)
        if not values or any(not isinstance(v, (ast.List, ast.ListComp)) for v, _ in values):
            return None
        home = scope.binding(node.id)
        items = [(v.elt, s.comprehension(v)) for v, s in values if isinstance(v, ast.ListComp)]
        items += [(e, s) for v, s in values if isinstance(v, ast.List) for e in v.elts]
        items += [(a, home) for a in home.appended(node.id)]
        if None in items or not all(self._is_element(v, s) for v, s in items):
            return None
        return 1

    def _is_element(self, node, scope):
        """A number as an element of a list made into a tensor."""
        if self.is_number(node, scope) or (isinstance(node, ast.Constant) and type(node.value) is float):
            return True
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _INT_METHODS


# Calls 0.4 introduced (pytorch/pytorch v0.4.0 release notes: torch.device, Tensor.to, torch.tensor,
# dtype= and device= in the factory functions, torch.set_grad_enabled).
_SINCE_0_4 = frozenset({"torch.device", "torch.tensor", "torch.set_grad_enabled", "torch.as_tensor"})


def _is_0_4_call(node, analysis):
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "to" and node.args:
        return True
    qualified = analysis.qualify(func) or ""
    return qualified in _SINCE_0_4 or (qualified.startswith("torch.") and any(
        k.arg in ("dtype", "device") for k in node.keywords))


# The names `_is_0_4_call` looks for, as words of the source.
_NAMES_0_4 = re.compile(r"\b(?:to|dtype|device|tensor|set_grad_enabled|as_tensor)\b")


def _preorder(tree):
    """Every node under `tree` (ctx and operator markers aside), depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        add_children(stack, node)


def _is_range(iterable):
    return (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)
            and iterable.func.id in ("range", "xrange"))


def _is_integer_literal(node):
    return isinstance(node, ast.Constant) and type(node.value) is int


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


def _statements_outside_definitions(tree):
    """The module's statements, those inside if/try/with/for included, not those of functions or classes."""
    stack = list(tree.body)
    while stack:
        statement = stack.pop()
        yield statement
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                stack.extend(getattr(statement, field, None) or ())


def _own_nodes(function, node_type):
    """Nodes of `node_type` in a function's body, not in the functions or classes it defines."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, node_type):
            yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            add_children(stack, node)


def _is_number(node):
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_one(node):
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 1


def _is_minus_one(node):
    return (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_one(node.operand))


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
    if args and all((isinstance(a, ast.Constant) and type(a.value) is int) or _is_minus_one(a) for a in args):
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
