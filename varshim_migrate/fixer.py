"""`migrate` on one source text: the `async=` token pre-pass, then libcst rewrites at the findings.

`check` finds each idiom on the standard `ast`; a fixable finding names the libcst node (type and
start position) its rule rewrites. Everything else in the file is left byte for byte, comments and
formatting included. `VarshimCodemod` exposes the same rewrite as a libcst codemod.
"""

import collections
import dataclasses

import libcst as cst
from libcst.codemod import Codemod, CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from .checker import check_source
from .rules import ASYNC, BY_CODE, RULES

__all__ = ["Migration", "migrate_source", "VarshimCodemod", "select_rules"]

_AST_TO_CST = {"keyword": "Arg", "BinOp": "BinaryOperation", "UnaryOp": "UnaryOperation"}
_UNWRAPS = frozenset({"VS101", "VS102"})
_NOTE = "# varshim: "


def select_rules(select=None, ignore=None):
    """The rules whose codes start with one of `select` (all by default) and none of `ignore`."""
    chosen = []
    for rule in RULES:
        if select and not any(rule.code.startswith(prefix) for prefix in select):
            continue
        if ignore and any(rule.code.startswith(prefix) for prefix in ignore):
            continue
        chosen.append(rule)
    return tuple(chosen)


@dataclasses.dataclass
class Migration:
    """The outcome of migrating one source text."""

    source: str
    new_source: str
    findings: list  # everything check found (VS001 if the file does not parse)
    applied: collections.Counter  # rule code -> idioms rewritten

    @property
    def changed(self):
        return self.new_source != self.source

    @property
    def human(self):
        """Findings left for a person (not rewritten)."""
        return [f for f in self.findings if not f.fixable and f.code != "VS001"]

    @property
    def failure(self):
        return next((f for f in self.findings if f.code == "VS001"), None)


def migrate_source(source, rules=RULES, annotate=False, module=None, prepared=None):
    """Migrate one source text; idempotent, and the identity on code with nothing legacy in it."""
    findings = check_source(source, rules, module, prepared)
    unchanged = Migration(source, source, findings, collections.Counter())
    if unchanged.failure or not (any(f.fixable for f in findings) or (annotate and unchanged.human)):
        return unchanged
    text = ASYNC.rewrite(source)
    applied = collections.Counter(f.code for f in findings if f.code == ASYNC.code)
    fixer = _Fixer(findings, annotate)
    tree = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True).visit(fixer)
    if fixer.needs_torch:
        context = CodemodContext()
        AddImportsVisitor.add_needed_import(context, "torch")
        tree = AddImportsVisitor(context).transform_module(tree)
    applied.update(fixer.applied)
    return Migration(source, tree.code, findings, applied)


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, findings, annotate):
        super().__init__()
        self.fixes = collections.defaultdict(list)
        self.wraps = set()
        self.notes = collections.defaultdict(list)
        for finding in findings:
            if finding.fixable and finding.anchor:
                node_type, *position = finding.anchor
                self.fixes[(_AST_TO_CST.get(node_type, node_type), *position)].append(finding)
                if "wrap" in finding.data:
                    self.wraps.add(finding.data["wrap"])
            elif annotate and not finding.fixable and finding.code != "VS001":
                self.notes[finding.line].append(finding)
        self.applied = collections.Counter()
        self.needs_torch = False
        self.unwrapped = set()  # lines where a Variable(...) became its tensor

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if isinstance(updated, cst.RemovalSentinel) or not (self.fixes or self.notes):
            return updated
        position = self.get_metadata(PositionProvider, original)
        key = (type(original).__name__, position.start.line, position.start.column)
        if not isinstance(original, cst.ClassDef):
            key += (position.end.line, position.end.column)
        for finding in self.fixes.pop(key, ()):
            updated = BY_CODE[finding.code].fix(updated, finding)
            self.applied[finding.code] += 1
            if finding.code in _UNWRAPS:
                self.unwrapped.add(finding.line)
        if self.notes and isinstance(original, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            updated = self._annotate(original, updated)
        return updated

    def leave_IndentedBlock(self, original, updated):
        return updated.with_changes(body=self._wrapped(original.body, updated.body))

    def leave_Module(self, original, updated):
        return updated.with_changes(body=self._wrapped(original.body, updated.body))

    def _wrapped(self, original_body, body):
        """The block with `with torch.no_grad():` around everything from a volatile statement on,
        and without the `x = x` statements left where `x = Variable(x)` was."""
        lines = [self.get_metadata(PositionProvider, statement).start.line for statement in original_body]
        if self.unwrapped.intersection(lines):
            kept, carried, wrap = [], [], False
            for line, statement in zip(lines, body):
                if line in self.unwrapped and _is_self_assignment(statement):
                    carried.extend(statement.leading_lines)
                    wrap = wrap or line in self.wraps
                    continue
                if wrap:
                    self.wraps.add(line)
                kept.append((line, statement.with_changes(leading_lines=carried + list(statement.leading_lines))))
                carried, wrap = [], False
            if not kept:
                kept = [(lines[0], cst.SimpleStatementLine([cst.Pass()], leading_lines=carried))]
            lines, body = [k[0] for k in kept], [k[1] for k in kept]
        for index, line in enumerate(lines):
            if line in self.wraps:
                break
        else:
            return body
        first = body[index]
        block = cst.With(
            items=[cst.WithItem(cst.parse_expression("torch.no_grad()"))],
            body=cst.IndentedBlock(body=[first.with_changes(leading_lines=[])] + list(body[index + 1:])),
            leading_lines=first.leading_lines,
        )
        self.needs_torch = True
        return list(body[:index]) + [block]

    def _annotate(self, original, updated):
        position = self.get_metadata(PositionProvider, original)
        if isinstance(original, cst.SimpleStatementLine):
            lines = range(position.start.line, position.end.line + 1)
        else:
            lines = (position.start.line,)
        notes = [finding for line in lines for finding in self.notes.pop(line, ())]
        if not notes:
            return updated
        existing = {line.comment.value for line in updated.leading_lines if line.comment is not None}
        added = []
        for finding in notes:
            text = f"{_NOTE}{finding.code} {finding.suggestion or finding.message}"
            if not any(c.startswith(f"{_NOTE}{finding.code}") for c in existing):
                added.append(cst.EmptyLine(comment=cst.Comment(text)))
        return updated.with_changes(leading_lines=list(updated.leading_lines) + added) if added else updated


def _is_self_assignment(statement):
    """`x = x` or `a, b = a, b`: what `x = Variable(x)` leaves behind."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return False
    return _names(assign.targets[0].target) is not None and _names(assign.targets[0].target) == _names(assign.value)


def _names(node):
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Tuple) and all(isinstance(e.value, cst.Name) for e in node.elements):
        return tuple(e.value.value for e in node.elements)
    return None


class VarshimCodemod(Codemod):
    """`migrate` as a libcst codemod: `VarshimCodemod(context, codes=("VS101",), annotate=False)`.

    What needs a human is reported through `context.warnings` as `VSnnn line N: message`.
    """

    def __init__(self, context, codes=None, annotate=False):
        super().__init__(context)
        self.rules = select_rules(codes)
        self.annotate = annotate

    def transform_module_impl(self, tree):
        migration = migrate_source(tree.code, self.rules, self.annotate)
        for finding in migration.human:
            self.warn(f"{finding.code} line {finding.line}: {finding.message}")
        return cst.parse_module(migration.new_source) if migration.changed else tree
