"""The libcst side of `migrate`: each rule's `fix` at the node its finding names, then each rule's
`fix_block` on the statement lists around its fixes, then the `# varshim:` notes (--annotate).

`Block` is what a rule's `fix_block` edits: one statement list, each statement paired with the
line its original started on (the line findings name), so a rule finds its statements again after
another rule removed or wrapped some.
"""

import collections

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .rule import Rule

__all__ = ["Block", "rewrite"]

_AST_TO_CST = {"keyword": "Arg", "BinOp": "BinaryOperation", "UnaryOp": "UnaryOperation", "Compare": "Comparison"}
_NOTE = "# varshim: "


def rewrite(text, findings, rules, annotate=False):
    """(`text` with the fixable findings of `rules` rewritten, Counter of rewrites per rule code)."""
    fixer = _Fixer(findings, rules, annotate)
    tree = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True).visit(fixer)
    if fixer.imports:
        tree = _with_imports(tree, fixer.imports)
    return tree.code, collections.Counter({code: len(done) for code, done in fixer.applied.items()})


def _with_imports(module, names):
    """`module` with `import NAME` for each of `names` that its leading imports lack, placed as
    libcst's `AddImportsVisitor` places it: after the docstring (or `__strict__` flag) and the
    imports that follow it, one blank line before the next statement. That visitor walks the whole
    tree twice with matchers (most of a migrate's time); only the top statements matter."""
    body = list(module.body)
    start = 1 if body and _docstring_or_strict(body[0]) else 0
    end = start
    imported = set()
    while end < len(body) and _lone_import(body[end]):
        statement = body[end].body[0]
        if isinstance(statement, cst.Import):
            imported.update(alias.evaluated_name for alias in statement.names if alias.asname is None)
        end += 1
    missing = sorted(set(names) - imported)
    if not missing:
        return module
    rest = body[end:]
    if rest and (not rest[0].leading_lines or rest[0].leading_lines[0].comment is not None):
        rest[0] = rest[0].with_changes(leading_lines=(cst.EmptyLine(), *rest[0].leading_lines))
    added = [cst.parse_statement(f"import {name}", config=module.config_for_parsing) for name in missing]
    return module.with_changes(body=(*body[:end], *added, *rest))


def _lone_import(statement):
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], (cst.Import, cst.ImportFrom)))


def _docstring_or_strict(statement):
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == "__strict__")


class Block:
    """One statement list (a module's body or an indented block) being rewritten.

    `lines`: the line each original statement started on, in order; `statements`: the current
    (original line, libcst statement) pairs, which a rule may edit in place.
    """

    def __init__(self, lines, statements):
        self.lines = tuple(lines)
        self.statements = list(zip(lines, statements))
        self.footer = []  # comment lines of a removed last statement
        self.imports = set()

    def index_from(self, line):
        """The index of the first statement that started on `line` or later, or None."""
        return next((i for i, (start, _) in enumerate(self.statements) if start >= line), None)

    def remove(self, index):
        """Remove a statement; its comments and blank lines above it stay, on the statement after
        it (a `pass` takes its place if the block would be empty)."""
        line, statement = self.statements.pop(index)
        carried = list(statement.leading_lines)
        if not self.statements:
            self.statements.append((line, cst.SimpleStatementLine([cst.Pass()], leading_lines=carried)))
        elif index < len(self.statements):
            start, following = self.statements[index]
            following = following.with_changes(leading_lines=carried + list(following.leading_lines))
            self.statements[index] = (start, following)
        else:
            self.footer = carried + self.footer

    def require_import(self, module):
        """Add `import module` to the file (once, after its other imports) unless it has it."""
        self.imports.add(module)


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, findings, rules, annotate):
        super().__init__()
        self.rules = {rule.code: rule for rule in rules if isinstance(rule, Rule)}
        self.block_rules = [rule for rule in self.rules.values() if type(rule).fix_block is not Rule.fix_block]
        self.fixes = collections.defaultdict(list)
        self.notes = collections.defaultdict(list)
        for finding in findings:
            if finding.fixable and finding.anchor and finding.code in self.rules:
                node_type, *position = finding.anchor
                self.fixes[(_AST_TO_CST.get(node_type, node_type), *position)].append(finding)
            elif annotate and not finding.fixable and finding.code != "VS001":
                self.notes[finding.line].append(finding)
        self.applied = collections.defaultdict(list)  # rule code -> findings fixed, in order
        self.imports = set()

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if isinstance(updated, cst.RemovalSentinel) or not (self.fixes or self.notes):
            return updated
        position = self.get_metadata(PositionProvider, original)
        key = (type(original).__name__, position.start.line, position.start.column)
        if not isinstance(original, cst.ClassDef):
            key += (position.end.line, position.end.column)
        for finding in self.fixes.pop(key, ()):
            updated = self.rules[finding.code].fix(updated, finding)
            self.applied[finding.code].append(finding)
        if self.notes and isinstance(original, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            updated = self._annotate(original, updated)
        return updated

    def leave_IndentedBlock(self, original, updated):
        return self._edit_block(original, updated)

    def leave_Module(self, original, updated):
        return self._edit_block(original, updated)

    def _edit_block(self, original, updated):
        rules = [rule for rule in self.block_rules if rule.code in self.applied]
        if not rules:
            return updated
        lines = [self.get_metadata(PositionProvider, statement).start.line for statement in original.body]
        block = Block(lines, updated.body)
        for rule in rules:
            rule.fix_block(block, self.applied[rule.code])
        self.imports |= block.imports
        return updated.with_changes(
            body=[statement for _, statement in block.statements], footer=block.footer + list(updated.footer),
        )

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
