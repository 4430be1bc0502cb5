"""Which torch release a source was written for, read from the idioms that date it.

`varshim run` and the other entry points decide from a program's own files whether it is code for
PyTorch 0.3 (`varshim.legacy_program`); this module reads one source text and says what dates it:

- idioms only code for PyTorch 0.1-0.3 writes, found by `varshim check`'s own rules (`volatile`,
  `loss.data[0]`, `retain_variables=`, a legacy `Function`, `reinforce`, `.creator`, `Variable(x)`,
  `async=`, ...): the code was written *before* 0.4;
- names that first appeared in 0.4 (`x.item()`, `torch.no_grad`, `torch.tensor(...)`,
  `torch.device`, `dtype=`, `torch.float32`, ...; the 0.4.0 migration guide): written *for 0.4 or
  later*, whatever older idioms remain (0.4 still accepted most of them, with a warning).

Releases are `(major, minor)` tuples; `parse_release("0.3")` reads the spelling users write.
Like the rest of `varshim_migrate` this never imports torch, and a text without any marker of
either kind is not parsed at all (most files of a modern program cost one substring scan).
"""

import ast
import dataclasses

__all__ = ["Evidence", "date_source", "parse_release", "format_release", "release_before", "RELEASES"]

# Every torch release a program can be written for, in order (minor releases; patch releases
# change no rule varshim knows).
RELEASES = (
    (0, 1), (0, 2), (0, 3), (0, 4),
    *((1, minor) for minor in range(14)),
    *((2, minor) for minor in range(14)),
)


def parse_release(text):
    """`(major, minor)` for "0.3", "0.3.1", "1.4", "2"; ValueError naming the accepted forms."""
    parts = str(text).strip().split(".")
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        numbers = ()
    if not 1 <= len(numbers) <= 3 or any(n < 0 for n in numbers):
        raise ValueError(f"{text!r} is not a torch release: write one like 0.3, 1.4 or 2.0")
    release = (numbers + (0,))[:2]
    if release < RELEASES[0]:
        raise ValueError(f"{text!r}: the first torch release is 0.1")
    return release


def format_release(release):
    return "%d.%d" % release


def release_before(bound):
    """The last release before `bound`: (0, 3) for (0, 4), (1, 13) for (2, 0); None before 0.1."""
    earlier = [release for release in RELEASES if release < bound]
    return earlier[-1] if earlier else None


@dataclasses.dataclass(frozen=True)
class Evidence:
    """One idiom that dates a source: written before `before`, or for `since` or later."""

    line: int
    idiom: str  # what the line does, short, as the decision line shows it
    before: tuple = None
    since: tuple = None


_0_4 = (0, 4)

# -- idioms only code for 0.1-0.3 writes (varshim check's rules) -----------------------------------

# Codes of `varshim check` whose idiom was gone or meaningless by 0.4 (docs/migration.md). VS201 and
# VS204 count only where the receiver certainly holds one element (their fixable findings):
# `x.data[0]` of a vector is ordinary indexing in every release.
_LEGACY_CODES = frozenset({
    "VS101", "VS102", "VS103", "VS104", "VS201", "VS202", "VS203", "VS204", "VS301", "VS302",
    "VS401", "VS402", "VS501", "VS502", "VS601", "VS701",
})
_CERTAIN_ONLY = frozenset({"VS201", "VS204"})
# A text that holds none of these cannot hold any of those idioms: the checker is not run.
_LEGACY_MARKERS = ("Variable", "volatile", ".data[", "retain_variables", "grad_variables", "Function",
                   "reinforce", ".creator", "async", "multinomial", "data_tensor")

# -- names new in 0.4 (pytorch.org/2018/04/22/0_4_0-migration-guide.html) -------------------------

_NEW_IN_0_4 = frozenset({
    "no_grad", "enable_grad", "set_grad_enabled", "tensor", "device", "empty", "full", "randint",
    "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "long", "float",
    "double", "half", "int", "short",
})
_NEW_METHODS_0_4 = frozenset({"item", "requires_grad_"})
_MODERN_MARKERS = (".item()", "requires_grad_(", "no_grad", "grad_enabled", "enable_grad", "torch.tensor",
                   "torch.device", "dtype=", "torch.empty", "torch.full", "torch.randint", "torch.float",
                   "torch.int", "torch.long", "torch.double", "torch.half", "torch.short", "torch.uint8")


def date_source(source):
    """The evidence in one source text (sorted by line): at most the first idiom of each kind.

    A file that does not parse dates nothing (it will fail to import on its own terms).
    """
    legacy = _legacy_evidence(source) if any(marker in source for marker in _LEGACY_MARKERS) else None
    modern = _modern_evidence(source) if any(marker in source for marker in _MODERN_MARKERS) else None
    return sorted((e for e in (legacy, modern) if e is not None), key=lambda e: e.line)


def _legacy_evidence(source):
    from .checker import check_source  # the checker (and its rules) only for texts that may need it
    from .rules import RULES

    rules = tuple(rule for rule in RULES if rule.code in _LEGACY_CODES)
    for finding in check_source(source, rules=rules):
        if finding.code in _LEGACY_CODES and (finding.code not in _CERTAIN_ONLY or finding.fixable):
            idiom = _LEGACY_IDIOMS.get(finding.code) or next(r.title for r in rules if r.code == finding.code)
            return Evidence(finding.line, f"{idiom} ({finding.code}, a 0.3 idiom)", before=_0_4)
    return None


# The idiom as the decision line names it, where the rule's title is long.
_LEGACY_IDIOMS = {
    "VS101": "Variable(x)", "VS102": "volatile=True", "VS201": "x.data[0]", "VS202": "loss[0]",
    "VS203": "a full reduction of .data used as a number", "VS401": "a legacy autograd.Function",
    "VS402": "F()(x) on a legacy Function", "VS601": "async=True",
}


def _modern_evidence(source):
    if "async" in source:
        from .async_keywords import rewrite_async_kwargs

        source = rewrite_async_kwargs(source)  # same lines: `x.cuda(async=True)` parses as non_blocking=
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    aliases = {"torch"}
    found = []
    for node in ast.walk(tree):
        idiom = None
        if isinstance(node, ast.Import):
            aliases.update(a.asname for a in node.names if a.name == "torch" and a.asname)
        elif isinstance(node, ast.ImportFrom) and node.module == "torch":
            names = [a.name for a in node.names if a.name in _NEW_IN_0_4]
            idiom = names and f"from torch import {names[0]}"
        elif isinstance(node, ast.Attribute) and node.attr in _NEW_IN_0_4 and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            idiom = f"{node.value.id}.{node.attr}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _NEW_METHODS_0_4 and (node.func.attr != "item" or not (node.args or node.keywords)):
                idiom = f"x.{node.func.attr}()"
            elif any(k.arg == "dtype" for k in node.keywords) and _is_torch_call(node.func, aliases):
                idiom = f"{ast.unparse(node.func)}(..., dtype=...)"
        if idiom:
            found.append(Evidence(node.lineno, f"{idiom} (new in 0.4)", since=_0_4))
    return min(found, key=lambda e: e.line) if found else None


def _is_torch_call(func, aliases):
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in aliases
