"""APIs torch 2.x removed (VS8xx): what `varshim.patches.removed_apis` restores at run time, rewritten to
the functions that replaced them; and `torch.load`, whose default became `weights_only=True` in 2.6
(what `varshim.patches.pickles` vouches for at run time).

Legacy semantics and sources: docs/compatibility.md, "0.4-1.13 code on torch 2.x". A rewrite is
made only where the modern call computes the same values in the same layout (the restored APIs
are computed with exactly these modern calls); anything else is reported with the suggested code.
Rewrites are one-line expressions built from the arguments' own source; calls that span several
lines are reported instead, so no comment inside them is lost.
"""

import ast
import dataclasses

from ..edits import cst, keyword_arg, with_arg_inserted
from ..project import checkpoint_key, checkpoint_saves
from ..rule import Rule

__all__ = [
    "TorchSix", "Symeig", "Eig", "Lstsq", "Solve", "MatrixRank", "LapackNames", "OldFFT", "StftReal",
    "BoolMaskArithmetic", "ByteMasks", "DataLoaderNames", "WholeCheckpoint",
]


# -- shared ---------------------------------------------------------------------------------------


def _source(context, node):
    return context.segment(node)


def _atom(context, node):
    """The source of `node`, parenthesized unless it is atomic (safe before `.attr` or after `~`)."""
    text = _source(context, node)
    return text if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)) else f"({text})"


_UNKNOWN = object()


def _literal(node):
    """The value of a literal (number, bool, None, tuple/list of them), else _UNKNOWN."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _UNKNOWN


def _arguments(call, names):
    """{name: ast node} of a call's arguments bound to the legacy signature `names`, or None when
    the call has starred arguments or unknown keywords."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    if len(call.args) > len(names):
        return None
    bound = dict(zip(names, call.args))
    for keyword in call.keywords:
        if keyword.arg not in names or keyword.arg in bound:
            return None
        bound[keyword.arg] = keyword.value
    return bound


def _target(call, context, name):
    """How the legacy call is spelled: "function" (torch.<name>(...)), "method" (<tensor>.<name>(...)) or None."""
    qualified = context.analysis.qualify(call.func)
    if qualified is not None:
        return "function" if qualified == "torch." + name else None
    if isinstance(call.func, ast.Attribute) and call.func.attr == name:
        root = call.func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id in context.analysis.aliases):  # np.linalg.eig: a module's
            return "method"
    return None


def _bound(call, context, name, signature):
    """The legacy call's arguments by name (the receiver of the method form first), or None."""
    form = _target(call, context, name)
    if form is None:
        return None
    if form == "method":
        fake = ast.Call(func=call.func, args=[call.func.value, *call.args], keywords=call.keywords)
        return _arguments(fake, signature)
    return _arguments(call, signature)


@dataclasses.dataclass(frozen=True)
class Replacement:
    """The fix of a `_TextRule` finding: the modern expression, one line of source."""

    text: str


@dataclasses.dataclass(frozen=True)
class SixImports:
    """The fix of a VS801 finding: the statements that replace `from torch._six import ...`."""

    statements: tuple


def _rewrite(rule, context, node, message, text, suggestion=None):
    """A finding at `node` rewritten to `text` (a one-line expression), or needing a human when the
    node spans lines or the file does not bind `torch`."""
    one_line = node.lineno == node.end_lineno
    if text is not None and one_line and context.analysis.torch_name():
        return context.finding(rule, node, message, fixable=True, plan=Replacement(text))
    return context.finding(rule, node, message, suggestion=suggestion or text or "")


class _TextRule(Rule):
    """A rule whose fix replaces the anchored expression with its plan's text (`Replacement`)."""

    nodes = (ast.Call,)

    def fix(self, node, finding):
        return cst.parse_expression(finding.plan.text).with_changes(lpar=node.lpar, rpar=node.rpar)


def _index_zero(node):
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == 0


def _first_result(context, call, field):
    """The parent taking the first result of `call` (`call[0]`, `call.<field>`), or None."""
    parent = context.parent()
    if isinstance(parent, ast.Subscript) and parent.value is call and _index_zero(parent):
        return parent
    if isinstance(parent, ast.Attribute) and parent.value is call and parent.attr == field:
        return parent
    return None


# -- torch._six -----------------------------------------------------------------------------------

# name -> modern statement, with {alias} for the name the file binds (None: needs a human)
_SIX = {
    "inf": "from math import inf{as_}", "nan": "from math import nan{as_}",
    "string_classes": "{alias} = (str, bytes)", "int_classes": "{alias} = int",
    "container_abcs": "import collections.abc as {alias}", "queue": "import queue{as_}",
    "builtins": "import builtins{as_}", "StringIO": "from io import StringIO{as_}",
    "PY2": "{alias} = False", "PY3": "{alias} = True", "PY37": "{alias} = True",
    "imap": "{alias} = map", "exec_": "{alias} = exec", "FileNotFoundError": "{alias} = FileNotFoundError",
}


def _six_statement(name, alias):
    template = _SIX.get(name)
    if template is None:
        return None
    if name == "FileNotFoundError" and alias == name:
        return ""  # the builtin itself: nothing to import
    as_ = "" if alias == name else f" as {alias}"
    return template.format(alias=alias, as_=as_)


class TorchSix(Rule):
    code = "VS801"
    title = "from torch._six import container_abcs, string_classes, int_classes, inf"
    modern = "import collections.abc as container_abcs; string_classes = (str, bytes); from math import inf"
    nodes = (ast.ImportFrom, ast.Import, ast.Attribute)

    def check(self, node, context):
        if isinstance(node, ast.Attribute):
            if not context.analysis.words.may_contain("_six"):  # every spelling of torch._six has it
                return
            if context.analysis.qualify(node) and context.analysis.qualify(node.value) == "torch._six":
                yield context.finding(self, node, f"torch._six was removed in torch 2.0: write {self._hint(node.attr)}",
                                      suggestion=self._hint(node.attr))
            return
        if isinstance(node, ast.Import):
            if any(alias.name == "torch._six" for alias in node.names):
                yield context.finding(self, node, "torch._six was removed in torch 2.0: import the modern names "
                                      "(math.inf, collections.abc, (str, bytes), int) instead",
                                      suggestion="import math, collections.abc")
            return
        if node.module == "torch" and any(alias.name == "_six" for alias in node.names):
            yield context.finding(self, node, "torch._six was removed in torch 2.0", suggestion="import math, collections.abc")
            return
        if node.module != "torch._six" or node.level:
            return
        statements = [_six_statement(a.name, a.asname or a.name) for a in node.names]
        line = context.lines[node.lineno - 1]
        alone = (node.lineno == node.end_lineno and not line[:node.col_offset].strip()
                 and line[node.end_col_offset:].split("#")[0].strip() == "")
        fixable = alone and None not in statements and node.col_offset == 0
        names = ", ".join(a.name for a in node.names)
        finding = context.finding(
            self, node, f"torch._six was removed in torch 2.0: import {names} from the standard library",
            fixable=fixable, suggestion="" if fixable else "; ".join(s or "" for s in statements if s is not None),
            plan=SixImports(tuple(s for s in statements if s)),
        )
        if fixable:  # the whole line becomes one statement per name
            finding.anchor = ("SimpleStatementLine",) + finding.anchor[1:]
        yield finding

    @staticmethod
    def _hint(name):
        statement = _six_statement(name, name)
        return statement or ("the builtin FileNotFoundError" if name == "FileNotFoundError" else f"a modern {name}")

    def fix(self, node, finding):
        statements = [cst.parse_statement(text + "\n") for text in finding.plan.statements] or [
            cst.SimpleStatementLine([cst.Pass()])
        ]
        statements[0] = statements[0].with_changes(leading_lines=node.leading_lines)
        statements[-1] = statements[-1].with_changes(trailing_whitespace=node.trailing_whitespace)
        return cst.FlattenSentinel(statements)


# -- linear algebra -------------------------------------------------------------------------------


def _uplo(bound, context, name="upper", default=True):
    value = _literal(bound[name]) if name in bound else default
    return None if value is _UNKNOWN or not isinstance(value, bool) else ("'U'" if value else "'L'")


class Symeig(_TextRule):
    code = "VS802"
    title = "torch.symeig(A, eigenvectors=True)"
    modern = "torch.linalg.eigh(A, UPLO='U')"
    names = frozenset({"symeig"})

    def check(self, node, context):
        bound = _bound(node, context, "symeig", ("input", "eigenvectors", "upper"))
        if bound is None:
            return
        torch = context.analysis.torch_name() or "torch"
        uplo, vectors = _uplo(bound, context), _literal(bound["eigenvectors"]) if "eigenvectors" in bound else False
        a = _source(context, bound["input"])
        message = "torch.symeig was removed in torch 2.0 (it read the upper triangle by default)"
        if uplo and vectors is True:
            yield _rewrite(self, context, node, f"{message}: write torch.linalg.eigh(A, UPLO={uplo})",
                           f"{torch}.linalg.eigh({a}, UPLO={uplo})")
            return
        first = _first_result(context, node, "eigenvalues")
        if uplo and vectors is False and first is not None:
            yield _rewrite(self, context, first, f"{message}: write torch.linalg.eigvalsh(A, UPLO={uplo})",
                           f"{torch}.linalg.eigvalsh({a}, UPLO={uplo})")
            return
        yield context.finding(self, node, f"{message}: write torch.linalg.eigh(A, UPLO='U') for (values, vectors), "
                              "torch.linalg.eigvalsh(A, UPLO='U') for the values (a tensor, not a tuple)",
                              suggestion=f"{torch}.linalg.eigvalsh({a}, UPLO='U')")


class Eig(Rule):
    code = "VS803"
    title = "torch.eig(A, eigenvectors=True)"
    modern = "torch.linalg.eig(A) (complex results)"
    nodes = (ast.Call,)
    names = frozenset({"eig"})

    def check(self, node, context):
        if _bound(node, context, "eig", ("input", "eigenvectors")) is not None:
            yield context.finding(
                self, node, "torch.eig was removed in torch 2.0: torch.linalg.eig(A) returns complex eigenvalues and "
                "eigenvectors (torch.view_as_real(values) is the old (n, 2) layout; the old real eigenvector "
                "layout has no one-call spelling)", suggestion="values, vectors = torch.linalg.eig(A)",
            )


class Lstsq(Rule):
    code = "VS804"
    title = "torch.lstsq(B, A), torch.gels(B, A)"
    modern = "torch.linalg.lstsq(A, B).solution"
    nodes = (ast.Call,)
    names = frozenset({"lstsq", "gels"})

    def check(self, node, context):
        for name in ("lstsq", "gels"):
            bound = _bound(node, context, name, ("input", "A"))
            if bound is not None and len(bound) == 2:
                b, a = _source(context, bound["input"]), _source(context, bound["A"])
                yield context.finding(
                    self, node, f"torch.{name}(B, A) was removed: torch.linalg.lstsq(A, B).solution has the arguments "
                    "reversed and only the n solution rows (1.x returned max(m, n) rows and the QR factorization)",
                    suggestion=f"torch.linalg.lstsq({a}, {b}).solution",
                )


class Solve(_TextRule):
    code = "VS805"
    title = "torch.solve(B, A)[0], torch.gesv(B, A)[0]"
    modern = "torch.linalg.solve(A, B)"
    names = frozenset({"solve", "gesv"})

    def check(self, node, context):
        for name in ("solve", "gesv"):
            bound = _bound(node, context, name, ("input", "A"))
            if bound is None or len(bound) != 2:
                continue
            torch = context.analysis.torch_name() or "torch"
            b, a = _source(context, bound["input"]), _source(context, bound["A"])
            message = f"torch.{name}(B, A) was removed: write torch.linalg.solve(A, B) (arguments reversed)"
            first = _first_result(context, node, "solution")
            if first is not None:
                yield _rewrite(self, context, first, message, f"{torch}.linalg.solve({a}, {b})")
            else:
                yield context.finding(self, node, message + "; torch.linalg.lu_factor(A) gives the LU factorization",
                                      suggestion=f"{torch}.linalg.solve({a}, {b}), {torch}.linalg.lu_factor({a}).LU")


class MatrixRank(_TextRule):
    code = "VS806"
    title = "torch.matrix_rank(A, tol, symmetric)"
    modern = "torch.linalg.matrix_rank(A, atol=tol, rtol=0, hermitian=symmetric)"
    names = frozenset({"matrix_rank"})

    def check(self, node, context):
        bound = _bound(node, context, "matrix_rank", ("input", "tol", "symmetric"))
        if bound is None or _target(node, context, "matrix_rank") != "function":
            return
        torch = context.analysis.torch_name() or "torch"
        parts = [_source(context, bound["input"])]
        tol = bound.get("tol")
        if tol is not None and _literal(tol) is not None:
            parts += [f"atol={_source(context, tol)}", "rtol=0"]
        symmetric = _literal(bound["symmetric"]) if "symmetric" in bound else False
        if symmetric is _UNKNOWN:
            parts.append(f"hermitian={_source(context, bound['symmetric'])}")
        elif symmetric:
            parts.append("hermitian=True")
        text = f"{torch}.linalg.matrix_rank({', '.join(parts)})"
        yield _rewrite(self, context, node, "torch.matrix_rank was removed in torch 2.0: write torch.linalg.matrix_rank",
                       text)


# name -> (legacy signature, modern template, its note); templates use the argument names
_LAPACK = {
    "potrf": (("a", "upper"), "{torch}.linalg.cholesky({a}, upper={upper})", "potrf defaulted to upper=True"),
    "potrs": (("b", "u", "upper"), "{torch}.cholesky_solve({b}, {u}, upper={upper})", "potrs defaulted to upper=True"),
    "potri": (("u", "upper"), "{torch}.cholesky_inverse({u}, upper={upper})", "potri defaulted to upper=True"),
    "btrifact": (("A", "pivot"), "{torch}.linalg.lu_factor({A}, pivot={pivot})", ""),
    "btrisolve": (("b", "LU_data", "LU_pivots"), "{torch}.linalg.lu_solve({LU_data}, {LU_pivots}, {b})", "arguments reordered"),
    "btriunpack": (("LU_data", "LU_pivots"), "{torch}.lu_unpack({LU_data}, {LU_pivots})", ""),
}
_LAPACK_HUMAN = {
    "trtrs": "torch.linalg.solve_triangular(A, b, upper=True) (trtrs returned (solution, A's copy))",
    "btrifact_with_info": "torch.linalg.lu_factor_ex(A)",
}
_DEFAULTS = {"upper": "True", "pivot": "True"}


class LapackNames(_TextRule):
    code = "VS807"
    title = "potrf, potrs, potri, trtrs, btrifact, btrisolve, btriunpack"
    modern = "torch.linalg.cholesky(upper=True), cholesky_solve, cholesky_inverse, linalg.lu_factor, ..."
    names = frozenset(_LAPACK) | frozenset(_LAPACK_HUMAN)

    def check(self, node, context):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in _LAPACK_HUMAN and _target(node, context, name):
            yield context.finding(self, node, f"torch.{name} was removed after 1.1: write {_LAPACK_HUMAN[name]}",
                                  suggestion=_LAPACK_HUMAN[name])
            return
        if name not in _LAPACK:
            return
        signature, template, note = _LAPACK[name]
        bound = _bound(node, context, name, signature)
        if bound is None:
            return
        values = {key: _source(context, value) for key, value in bound.items()}
        for key, default in _DEFAULTS.items():
            if key in signature and key not in values:
                values[key] = default
        missing = [key for key in signature if key not in values]
        modern = template.format(torch=context.analysis.torch_name() or "torch", **values) if not missing else None
        hint = f" ({note})" if note else ""
        yield _rewrite(self, context, node, f"torch.{name} was removed after 1.1: write {modern or template}{hint}", modern)


# -- spectral -------------------------------------------------------------------------------------


def _fft_call(context, node):
    """(legacy name, bound arguments) of torch.fft(x, d) / torch.rfft / .ifft / .irfft (or methods)."""
    for name, signature in (("fft", ("input", "signal_ndim", "normalized")),
                            ("ifft", ("input", "signal_ndim", "normalized")),
                            ("rfft", ("input", "signal_ndim", "normalized", "onesided")),
                            ("irfft", ("input", "signal_ndim", "normalized", "onesided", "signal_sizes"))):
        bound = _bound(node, context, name, signature)
        method = _target(node, context, name) == "method"
        if bound is not None and "signal_ndim" in bound and (not method or type(_literal(bound["signal_ndim"])) is int):
            return name, bound
    return None, None


class OldFFT(_TextRule):
    code = "VS808"
    title = "torch.rfft(x, 1), torch.fft(x, 1), torch.ifft, torch.irfft"
    modern = "torch.view_as_real(torch.fft.rfft(x)) and friends"
    names = frozenset({"fft", "ifft", "rfft", "irfft"})

    def check(self, node, context):
        name, bound = _fft_call(context, node)
        if name is None:
            return
        torch = context.analysis.torch_name() or "torch"
        message = f"torch.{name}(input, signal_ndim) was removed in 1.8: the torch.fft module works on complex tensors"
        yield _rewrite(self, context, node, message, self._modern(name, bound, context, torch),
                       suggestion=f"{torch}.view_as_real({torch}.fft.{name}n(...))")

    @staticmethod
    def _modern(name, bound, context, torch):
        d = _literal(bound["signal_ndim"])
        normalized = _literal(bound["normalized"]) if "normalized" in bound else False
        onesided = _literal(bound["onesided"]) if "onesided" in bound else True
        if d not in (1, 2, 3) or not isinstance(normalized, bool) or not isinstance(onesided, bool):
            return None
        x, fft = _source(context, bound["input"]), f"{torch}.fft"
        one, dims = d == 1, tuple(range(-d, 0))
        options = ("" if one else f", dim={dims}") + (", norm='ortho'" if normalized else "")
        if name == "rfft":
            transform = ("rfft" if onesided else "fft") + ("" if one else "n")
            return f"{torch}.view_as_real({fft}.{transform}({x}{options}))"
        spectrum = f"{torch}.view_as_complex({_atom(context, bound['input'])}.contiguous())"
        if name in ("fft", "ifft"):
            return f"{torch}.view_as_real({fft}.{name}{'' if one else 'n'}({spectrum}{options}))"
        sizes = bound.get("signal_sizes")
        if sizes is None:
            # the default output size, 2 * (M - 1), is irfft's; a two-sided input's size is not in the source
            return f"{fft}.{'irfft' if one else 'irfftn'}({spectrum}{options})" if onesided else None
        literal = _literal(sizes)
        if one and isinstance(literal, (tuple, list)) and len(literal) == 1:
            return f"{fft}.irfft({spectrum}, n={literal[0]}{options})"
        norm = ", norm='ortho'" if normalized else ""
        return f"{fft}.irfftn({spectrum}, s={_source(context, sizes)}, dim={dims}{norm})"


class StftReal(_TextRule):
    code = "VS809"
    title = "torch.stft(x, n_fft) without return_complex"
    modern = "torch.view_as_real(torch.stft(x, n_fft, return_complex=True))"
    names = frozenset({"stft"})

    def check(self, node, context):
        form = _target(node, context, "stft")
        if form is None or any(k.arg == "return_complex" for k in node.keywords) or len(node.args) >= (10 if form == "function" else 9):
            return
        torch = context.analysis.torch_name() or "torch"
        call = _source(context, node)[:-1].rstrip().rstrip(",")  # without its closing parenthesis
        text = f"{torch}.view_as_real({call}{', ' if node.args or node.keywords else ''}return_complex=True))"
        yield _rewrite(self, context, node, "torch.stft of a real signal needs return_complex since torch 2.0: "
                       "write torch.view_as_real(torch.stft(..., return_complex=True)) for the old real layout", text)


# -- masks ----------------------------------------------------------------------------------------

_COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "logical_not",
                          "logical_and", "logical_or", "logical_xor", "bool"})
_BYTE_CASTS = frozenset({"byte"})
# Where a bool mask and the uint8 mask `1 - mask` gave mean the same (mask arguments, conversions)
_MASK_METHODS = {"masked_fill": 0, "masked_fill_": 0, "masked_select": 0, "masked_scatter": 0, "masked_scatter_": 0}
_CONVERSIONS = frozenset({"float", "double", "half", "long", "int", "sum", "any", "all"})
# Methods whose result has their receiver's dtype (a uint8 mask stays one).
_KEEPS_DTYPE = frozenset({"zero_", "fill_", "clone", "cuda", "cpu", "contiguous", "view", "view_as", "expand",
                          "expand_as", "unsqueeze", "squeeze", "t", "transpose", "detach", "narrow", "repeat"})


def _is_bool(node, context, depth=0):
    """Certainly a bool tensor: a comparison, a logical op, `~`/`.bool()`, or a name bound only to one."""
    if depth > 4:
        return False
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
        return not (_is_number(node.left) and all(_is_number(c) for c in node.comparators))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return _is_bool(node.operand, context, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _COMPARISONS:
        return node.func.attr != "bool" or not node.args
    if isinstance(node, ast.Name) and context.scope is not None:
        values = context.scope.values(node.id)
        return bool(values) and None not in values and all(_is_bool(v, context, depth + 1) for v in values)
    return False


def _is_number(node):
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_byte(node, context):
    return context.scope is not None and _byte_value(node, context.scope, context.analysis)


def _byte_value(node, scope, analysis, depth=0):
    """Certainly a uint8 tensor: `.byte()`, `torch.ByteTensor(...)` and what keeps its dtype
    (`.zero_()`, `Variable(m)`, `.data`), or a name only ever holding one, followed through returns,
    unpacking and the arguments of the calls of a function or `forward` (2017 padding masks are made
    in a batch helper and passed to the model)."""
    if depth > 6:
        return False
    if isinstance(node, ast.Call):
        func, qualified = node.func, analysis.qualify(node.func)
        if qualified == "torch.ByteTensor" or (isinstance(func, ast.Attribute) and func.attr in _BYTE_CASTS
                                               and not node.args):
            return True
        if qualified in ("torch.autograd.Variable", "torch.autograd.variable.Variable"):
            return bool(node.args) and _byte_value(node.args[0], scope, analysis, depth + 1)
        return (isinstance(func, ast.Attribute) and not qualified and func.attr in _KEEPS_DTYPE
                and _byte_value(func.value, scope, analysis, depth + 1))
    if isinstance(node, ast.Attribute) and node.attr == "data":
        return _byte_value(node.value, scope, analysis, depth + 1)
    if isinstance(node, ast.Name):
        values = analysis.origins(node, scope)
        return bool(values) and all(v is not None and _byte_value(v, s, analysis, depth + 1) for v, s in values)
    return False


def _used_as_mask(context, node):
    """Is `node` a mask argument, an index, a where condition, or converted (`.float()`, `.sum()`)?"""
    parent = context.parent()
    if isinstance(parent, ast.Call):
        func = parent.func
        name = func.attr if isinstance(func, ast.Attribute) else None
        qualified = context.analysis.qualify(func) or ""
        if name in _MASK_METHODS and not qualified and parent.args[:1] == [node]:
            return True
        if qualified in ("torch.masked_fill", "torch.masked_select", "torch.masked_scatter", "torch.where"):
            index = 0 if qualified == "torch.where" else 1
            return len(parent.args) > index and parent.args[index] is node
        return False
    if isinstance(parent, ast.Subscript) and parent.slice is node:
        return True
    if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr in _CONVERSIONS:
        grand = context.parent(2)
        return isinstance(grand, ast.Call) and grand.func is parent and not grand.args
    return False


class BoolMaskArithmetic(_TextRule):
    code = "VS810"
    title = "1 - mask, -mask on a comparison result"
    modern = "~mask"
    nodes = (ast.BinOp, ast.UnaryOp)

    def check(self, node, context):
        if isinstance(node, ast.BinOp):
            if not (isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant)
                    and node.left.value == 1 and type(node.left.value) is int and _is_bool(node.right, context)):
                return
            operand = _atom(context, node.right)
            message = ("`1 - mask` on a bool tensor is an error since 1.2 (comparisons returned uint8 before): write "
                       "~mask")
            if _used_as_mask(context, node):
                yield _rewrite(self, context, node, message, f"~{operand}")
            else:
                yield context.finding(self, node, message + " (a bool mask), or 1 - mask.byte() for the uint8 tensor",
                                      suggestion=f"~{operand}")
        elif isinstance(node.op, ast.USub) and _is_bool(node.operand, context):
            yield context.finding(self, node, "`-mask` on a bool tensor is an error since 1.2 (on uint8 it was 255 "
                                  "where True): write ~mask to invert it", suggestion="~mask")


class ByteMasks(_TextRule):
    code = "VS811"
    title = "x.masked_fill(mask.byte(), v), x[mask.byte()] = v"
    modern = "x.masked_fill(mask.bool(), v)"
    nodes = (ast.Call, ast.Subscript)
    names = frozenset(_MASK_METHODS)  # calls; any subscript

    def check(self, node, context):
        if isinstance(node, ast.Subscript):
            mask = node.slice
        else:
            func = node.func
            qualified = context.analysis.qualify(func) or ""
            if isinstance(func, ast.Attribute) and func.attr in _MASK_METHODS and not qualified and node.args:
                mask = node.args[0]
            elif qualified in ("torch.masked_fill", "torch.masked_select", "torch.masked_scatter") and len(node.args) > 1:
                mask = node.args[1]
            else:
                return
        if not _is_byte(mask, context):
            return
        message = "uint8 masks are an error since torch 2.x: write mask.bool()"
        if isinstance(mask, ast.Call) and isinstance(mask.func, ast.Attribute) and mask.func.attr == "byte":
            yield _rewrite(self, context, mask, message, f"{_atom(context, mask.func.value)}.bool()")
        else:
            yield context.finding(self, mask, message, suggestion=f"{_source(context, mask)}.bool()")


# -- DataLoader internals -------------------------------------------------------------------------

_LOADER_NAMES = {
    "numpy_type_map": "torch.as_tensor(array) (keeps the NumPy dtype)",
    "_DataLoaderIter": "iter(loader), or subclass DataLoader and override __iter__",
    "_use_shared_memory": "torch.utils.data.get_worker_info() is not None",
    "pin_memory_batch": "torch.utils.data._utils.pin_memory.pin_memory",
    "string_classes": "(str, bytes)", "int_classes": "int",
}


class DataLoaderNames(Rule):
    code = "VS812"
    title = "from torch.utils.data.dataloader import numpy_type_map, _DataLoaderIter"
    modern = "torch.as_tensor, iter(loader), get_worker_info()"
    nodes = (ast.ImportFrom,)

    def check(self, node, context):
        if node.module not in ("torch.utils.data.dataloader", "torch.utils.data._utils.collate") or node.level:
            return
        for alias in node.names:
            if alias.name in _LOADER_NAMES:
                yield context.finding(self, node, f"{node.module}.{alias.name} was removed from torch: write "
                                      f"{_LOADER_NAMES[alias.name]}", suggestion=_LOADER_NAMES[alias.name])


# -- whole-object checkpoints ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class TrustPlan:
    comment: str  # the line written above the statement: why this file may be unpickled


class _Checkpoints:
    """VS813's state in one file: the checkpoints it writes ({key: whole})."""

    def __init__(self, analysis):
        self.saves = checkpoint_saves(analysis)


class WholeCheckpoint(Rule):
    code = "VS813"
    title = "torch.load(f) of a whole pickled model"
    modern = "torch.load(f, weights_only=False)  # this program's own checkpoint"
    nodes = (ast.Call,)
    names = frozenset({"load"})
    State = _Checkpoints

    def check(self, node, context):
        analysis = context.analysis
        if analysis.qualify(node.func) != "torch.load" or any(k.arg in ("weights_only", None) for k in node.keywords):
            return
        parent = context.parent()
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "load_state_dict":
            return  # a state_dict: weights_only=True loads it
        path = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "f"), None)
        key = None if path is None else checkpoint_key(path, analysis, context.scope)
        saves = context.state(self).saves
        written = ("this file", saves[key]) if key in saves else (context.project.writer(key) if key else None)
        if written is not None and not written[1]:
            return  # written as a state_dict (or tensors) here: weights_only=True loads it
        writer = written and written[0]
        message = ("torch.load defaults to weights_only=True since torch 2.6, which refuses a pickled model: "
                   "pass weights_only=False")
        if writer is not None:
            shown = key[1] if key[0] == "path" else ast.unparse(path)
            comment = (f"# weights_only=False: {shown} is this program's own whole-object checkpoint (torch.save "
                       f"in {writer}); unpickling runs code, so load only files you trust")
            yield context.finding(self, node, f"{message} (the checkpoint is written whole by {writer})",
                                  fixable=True, plan=TrustPlan(comment))
        elif analysis.targets_0_3():
            yield context.finding(
                self, node, f"{message} if it holds a whole object (a model) from a source you trust; a state_dict "
                "loads as it is", suggestion="torch.load(f, weights_only=False)  # only for a file you trust")

    def fix(self, node, finding):
        flag = keyword_arg("weights_only", cst.Name("False"))
        return node.with_changes(args=with_arg_inserted(node.args, len(node.args), flag))

    def fix_block(self, block, applied):
        for finding in applied:
            index = _statement_at(block, finding.line)
            if index is None:
                continue
            line, statement = block.statements[index]
            if not (isinstance(statement, cst.SimpleStatementLine) or isinstance(statement.body, cst.SimpleStatementSuite)):
                continue  # the load is in an inner block, which has its note
            if any(getattr(l.comment, "value", None) == finding.plan.comment for l in statement.leading_lines):
                continue
            note = cst.EmptyLine(comment=cst.Comment(finding.plan.comment))
            block.statements[index] = (line, statement.with_changes(leading_lines=[*statement.leading_lines, note]))


def _statement_at(block, line):
    """The index of the statement of `block` that holds `line` (the last one starting at or before it)."""
    found = None
    for index, (start, _) in enumerate(block.statements):
        if start <= line:
            found = index
    return found
