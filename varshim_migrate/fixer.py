"""The libcst side of `migrate`: each rule's `fix` at the node its finding names, then each rule's
`fix_block` on the statement lists around its fixes, then the `# varshim:` notes (--annotate).

`Block` is what a rule's `fix_block` edits: one statement list, each statement paired with the
line its original started on (the line findings name), so a rule finds its statements again after
another rule removed or wrapped some.

Where nodes are: `_Spans` records, in one code generation pass over the parsed file, the span of
every node as libcst's `PositionProvider` defines it, as character offsets; only the nodes a fix or
a note may be at are turned into lines and columns. The visit skips the nodes whose code holds no
fix's node and no note's finding: nothing in them is rewritten, and a rule's `fix_block` only edits
the blocks around its own fixes.
"""

import ast
import bisect
import collections
import contextlib
import functools
import re

import libcst as cst
from libcst._nodes.internal import CodegenState

from .rule import Rule

__all__ = ["Block", "Pieces", "parse", "rewrite"]

_AST_TO_CST = {"keyword": "Arg", "BinOp": "BinaryOperation", "UnaryOp": "UnaryOperation", "Compare": "Comparison"}
_NOTE = "# varshim: "


def rewrite(text, findings, rules, annotate=False, pieces=None):
    """(`text` with the fixable findings of `rules` rewritten, Counter of rewrites per rule code);
    `pieces` (`Pieces`, from the `ast` of `text`) lets a large file be parsed in pieces."""
    module = parse(text, pieces)
    fixer = _Fixer(findings, rules, annotate)
    fixer.locate(module, text)
    if module.body:
        # libcst reads the comments above a file's first statement as the module's header: notes
        # written there by an earlier migrate are the first statement's
        fixer.header = (module.body[0], {line.comment.value for line in module.header if line.comment is not None})
    tree = module.visit(fixer)
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


class _Spans(CodegenState):
    """Where every node of a parsed module is, as `PositionProvider` computes it (the syntactic span
    where a node records one, else the span of its code with its whitespace), and the extent of its
    whole code, as character offsets into the module's text; `position` turns one into (line,
    column) as libcst counts them.

    libcst's provider tracks lines and columns token by token and builds two objects per node: most
    of a migrate's time. Here a token only adds its length; the text the tree generates is the
    text it was parsed from, so its line starts give the lines."""

    def __init__(self, module, text, unrecorded=frozenset(), unpositioned=frozenset()):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.unrecorded = unrecorded  # node types whose spans nobody asks for (leaves: whitespace, names, ...)
        self.unpositioned = unpositioned  # node types only asked for their extent (expressions no fix is at)
        self.offset = 0
        self.spans = {}  # node -> (start, end): PositionProvider's span
        self.extents = {}  # node -> (start, end): its whole code, leading lines and decorators included
        self._starts = []
        if not module.has_trailing_newline:
            text += module.default_newline  # written, then taken back once the module is written
        self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    @classmethod
    def of(cls, module, text, unrecorded=frozenset(), unpositioned=frozenset()):
        spans = cls(module, text, unrecorded, unpositioned)
        module._codegen(spans)
        return spans

    def add_indent_tokens(self):
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value):
        self.offset += len(value)
        if not self.tokens:  # the module's code generation asks whether anything was written
            self.tokens.append(value)

    def before_codegen(self, node):
        self._starts.append(self.offset)

    def after_codegen(self, node):
        start = self._starts.pop()
        if type(node) in self.unrecorded:
            return
        self.extents[node] = (start, self.offset)
        if type(node) in self.unpositioned:
            return
        if node not in self.spans:  # a syntactic span recorded inside the node wins
            self.spans[node] = (start, self.offset)

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if type(node) in self.unrecorded or type(node) in self.unpositioned:
            return _NOT_RECORDED
        return _Syntactic(self, node, start_node, end_node)

    def offset_of(self, line, col):
        return self._line_starts[line - 1] + col

    def position(self, offset):
        """(1-based line, 0-based column in characters) of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def lines(self, node):
        """(first line, last line) of `node`."""
        start, end = self.spans[node]
        return self.position(start)[0], self.position(end)[0]

    def key(self, node):
        """(type, line, col, end line, end col): a fix anchor; a class's has no end (`CheckContext.finding`)."""
        start, end = self.spans[node]
        key = (type(node).__name__, *self.position(start))
        return key if isinstance(node, cst.ClassDef) else key + self.position(end)


class _Syntactic:
    """`_Spans.record_syntactic_position`: a context manager without a generator's cost."""

    __slots__ = ("spans", "node", "start_node", "end_node", "start")

    def __init__(self, spans, node, start_node, end_node):
        self.spans, self.node, self.start_node, self.end_node = spans, node, start_node, end_node

    def __enter__(self):
        self.start = self.spans.offset

    def __exit__(self, *exc):
        spans = self.spans.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else self.spans.offset
        spans[self.node] = (start, end)


_NOT_RECORDED = contextlib.nullcontext()
# Leaves the visit need not look into: their spans are recorded only when a fix is at one.
_LEAVES = frozenset((
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.Newline, cst.EmptyLine,
    cst.Comment, cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Name,
    cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString,
))
@functools.cache
def _expression_types():
    """libcst's expression node types (and arguments): no statement's span starts or ends at one."""
    return frozenset(kind for kind in vars(cst).values()
                     if isinstance(kind, type) and issubclass(kind, (cst.BaseExpression, cst.Arg)))


_NEWLINE = re.compile(r"\r\n?|\n")  # libcst's line breaks (position_provider.NEWLINE_RE)
_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_BLOCKS = frozenset((cst.IndentedBlock, cst.Module))  # the statement lists a rule's `fix_block` edits


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
        self.fix_types = {key[0] for key in self.fixes}
        self.header = (None, set())  # (the first statement, the comments above it), set by `rewrite`
        self.applied = collections.defaultdict(list)  # rule code -> findings fixed, in order
        self.done = []  # (rule code, finding) fixed, in order
        self.entered = []  # len(self.done) when each block being visited was entered
        self.imports = set()

    def locate(self, module, text):
        """Record where the nodes of `module` (parsed from `text`) are, before visiting it."""
        spans = self.spans = _Spans.of(
            module, text, frozenset(t for t in _LEAVES if t.__name__ not in self.fix_types),
            frozenset(t for t in _expression_types() if t.__name__ not in self.fix_types))
        # Where the nodes to rewrite start and the findings to note are: a node holding none is not visited.
        self.wanted = sorted({spans.offset_of(line, col) for _, line, col, *_ in self.fixes} | {
            spans.offset_of(finding.line, finding.col) for found in self.notes.values() for finding in found})

    # The visit calls these for every node and field: no `visit_<Node>`/`leave_<Node>` lookups by name.
    def on_visit(self, node):
        if type(node) in _BLOCKS:
            self.entered.append(len(self.done))
        extent = self.spans.extents.get(node)
        if extent is None:
            return True  # a leaf
        start, end = extent
        index = bisect.bisect_left(self.wanted, start)
        return index < len(self.wanted) and self.wanted[index] < end  # else nothing to rewrite or note in it

    def on_visit_attribute(self, node, attribute):
        pass

    def on_leave_attribute(self, original, attribute):
        pass

    def on_leave(self, original, updated):
        if type(original) in _BLOCKS:
            updated = self._edit_block(original, updated)
        if not (self.fixes or self.notes):
            return updated
        if type(original).__name__ in self.fix_types:
            for finding in self.fixes.pop(self.spans.key(original), ()):
                fixed = self.rules[finding.code].fix(updated, finding)
                if fixed is updated or isinstance(fixed, cst.CSTNode) and fixed.deep_equals(updated):
                    continue  # an earlier fix of this node changed what this one rewrites: the next pass's
                updated = fixed
                self.applied[finding.code].append(finding)
                self.done.append((finding.code, finding))
        if self.notes and isinstance(original, _STATEMENTS):
            updated = self._annotate(original, updated)
        return updated

    def _edit_block(self, original, updated):
        inside = collections.defaultdict(list)  # rule code -> its findings fixed in this block
        for code, finding in self.done[self.entered.pop():]:
            inside[code].append(finding)
        rules = [rule for rule in self.block_rules if rule.code in inside]
        if not rules:
            return updated
        lines = [self.spans.lines(statement)[0] for statement in original.body]
        block = Block(lines, updated.body)
        for rule in rules:
            rule.fix_block(block, inside[rule.code])
        self.imports |= block.imports
        return updated.with_changes(
            body=[statement for _, statement in block.statements], footer=block.footer + list(updated.footer),
        )

    def _annotate(self, original, updated):
        first, last = self.spans.lines(original)
        lines = range(first, last + 1) if isinstance(original, cst.SimpleStatementLine) else (first,)
        notes = [finding for line in lines for finding in self.notes.pop(line, ())]
        if not notes:
            return updated
        existing = {line.comment.value for line in updated.leading_lines if line.comment is not None}
        if original is self.header[0]:
            existing |= self.header[1]
        added = []
        for finding in notes:
            text = f"{_NOTE}{finding.code} {finding.suggestion or finding.message}"
            if not any(c.startswith(f"{_NOTE}{finding.code}") for c in existing):
                added.append(cst.EmptyLine(comment=cst.Comment(text)))
        return updated.with_changes(leading_lines=list(updated.leading_lines) + added) if added else updated


# -- parsing a large file in pieces ------------------------------------------------------------------

_PIECE_LINES = 2000
_AST_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
                 ast.With, ast.AsyncWith, ast.Try, ast.Match, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


class Pieces:
    """Where to cut a file for `parse`, read from its `ast` (which the caller may then let go)."""

    def __init__(self, text, tree, piece_lines=_PIECE_LINES):
        line_starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        self.ends = [line_starts[cut] for cut in _cuts(tree, piece_lines)]  # character offsets
        self.indent = _first_indent(text, tree, line_starts)
        # where the top-level statements holding an indented block start
        self.blocks = [line_starts[top.lineno - 1] for top in tree.body if _opens_blocks(top, text, line_starts)]


def parse(text, pieces=None):
    """`cst.parse_module(text)`, node for node; in `pieces` (`Pieces`) when given.

    libcst's parser holds about 20 KB per line of a file while it parses it (the tree it returns,
    under 2 KB): a 50,000-line file took a gigabyte. A piece ends after a top-level statement that
    opens no block, so nothing after it is the footer of one of its blocks: the blank and comment
    lines that follow are the next statement's, as in the whole file; a piece after the first
    starts with a `pass` line (dropped) so that they are not taken for the file's header. Each
    piece with a block must detect the file's indentation (a file of mixed indentation is parsed
    whole: libcst's nodes would differ), and starts with the file's newline."""
    if pieces is None or not pieces.ends:
        return cst.parse_module(text)
    newline = _NEWLINE.search(text).group()
    body, parsed, start = [], [], 0
    for end in pieces.ends + [len(text)]:
        piece = cst.parse_module(text[start:end] if start == 0 else "pass" + newline + text[start:end])
        index = bisect.bisect_left(pieces.blocks, start)
        opens_blocks = index < len(pieces.blocks) and pieces.blocks[index] < end
        if opens_blocks and piece.default_indent != pieces.indent or (end < len(text) and piece.footer):
            return cst.parse_module(text)
        body.extend(piece.body if start == 0 else piece.body[1:])
        parsed.append(piece)
        start = end
    first, last = parsed[0], parsed[-1]
    return cst.Module(
        body=body, header=first.header, footer=last.footer, encoding=first.encoding,
        default_indent=pieces.indent or first.default_indent, default_newline=first.default_newline,
        has_trailing_newline=last.has_trailing_newline,
    )


def _cuts(tree, piece_lines):
    """The lines (1-based) after which pieces end: a top-level statement that is not compound and
    shares no line with the next, at least `piece_lines` after the previous cut."""
    cuts, previous, body = [], 0, tree.body
    for statement, following in zip(body, body[1:]):
        end = statement.end_lineno
        if end - previous >= piece_lines and following.lineno > end and not isinstance(statement, _AST_COMPOUND):
            cuts.append(end)
            previous = end
    return cuts


def _own_line_statements(statement):
    """The statements nested in `statement`, each clause's in source order."""
    for field in ("body", "handlers", "orelse", "finalbody", "cases"):
        for child in getattr(statement, field, ()):
            if isinstance(child, ast.stmt):
                yield child
            yield from _own_line_statements(child)


def _indented(statement, text, line_starts):
    """Does `statement` start its line after some indentation (the first line of a block)?"""
    start = line_starts[statement.lineno - 1]
    prefix = text[start:start + statement.col_offset]  # ast columns count UTF-8 bytes: indentation is ASCII
    return statement.col_offset > 0 and not prefix.strip(" \t\f")


def _first_indent(text, tree, line_starts):
    """The indentation libcst takes for the file's default: the first indented line's (None: none)."""
    for top in tree.body:
        for statement in _own_line_statements(top):
            if _indented(statement, text, line_starts):
                start = line_starts[statement.lineno - 1]
                return text[start:start + statement.col_offset]
    return None


def _opens_blocks(top, text, line_starts):
    """Does the top-level statement `top` hold an indented block?"""
    return isinstance(top, _AST_COMPOUND) and any(
        _indented(statement, text, line_starts) for statement in _own_line_statements(top))
