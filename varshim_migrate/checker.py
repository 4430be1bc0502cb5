"""`check`: one walk over the standard `ast` of a file, every rule dispatched by node type."""

import ast

from .analysis import Analysis
from .project import Project
from .rule import Finding, Rule
from .rules import RULES, TOKEN_PASSES

__all__ = ["check_source", "check_tree", "prepare", "CheckContext", "parse_failure"]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class CheckContext:
    """What a rule sees at a node: the analysis, the current scope, the chain of parents, the
    source lines and its own state for this file."""

    def __init__(self, analysis, source_lines, rules, project=None):
        self.analysis = analysis
        self.project = project or Project()  # what the other files of the tree write
        self.lines = source_lines
        self.scope = None
        self.parents = []
        self.findings = []
        self._states = {}
        self._dispatch = {}
        for rule in rules:
            if isinstance(rule, Rule):
                for node_type in rule.nodes:
                    self._dispatch.setdefault(node_type, []).append(rule)

    def parent(self, level=1):
        return self.parents[-level] if len(self.parents) >= level else None

    def state(self, rule):
        """The instance of `rule.State` for this file, made on first use from the analysis."""
        state = self._states.get(rule.State)
        if state is None:
            state = self._states[rule.State] = rule.State(self.analysis)
        return state

    def column(self, line, col):
        """ast columns count UTF-8 bytes; findings and libcst count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return col if text.isascii() else len(text.encode()[:col].decode(errors="replace"))

    def finding(self, rule, node, message, *, fixable=False, suggestion="", plan=None):
        """A Finding at `node`; its anchor is the libcst node type and span a fix replaces, `plan`
        what the rule's fix needs to know (a dataclass of the rule's)."""
        col = self.column(node.lineno, node.col_offset)
        key = (type(node).__name__, node.lineno, col)
        if not isinstance(node, ast.ClassDef):  # a class's end is where its body's trailing comments end
            key += (node.end_lineno, self.column(node.end_lineno, node.end_col_offset))
        return Finding(
            rule.code, node.lineno, col, message, fixable=fixable, suggestion=suggestion,
            anchor=key, plan=plan,
        )

    def walk(self, node):
        rules = self._dispatch.get(type(node))
        if rules:
            for rule in rules:
                self.findings.extend(rule.check(node, self))
        scope = self.scope
        if isinstance(node, _SCOPES):
            self.scope = self.analysis.scope_for(node, scope)
        self.parents.append(node)
        for field in _child_fields(type(node)):
            value = getattr(node, field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        self.walk(item)
            elif isinstance(value, ast.AST):
                self.walk(value)
        self.parents.pop()
        self.scope = scope


_FIELDS = {}
_LEAF_FIELDS = frozenset({
    "ctx", "op", "id", "attr", "arg", "name", "type_comment", "kind", "level", "module", "conversion", "is_async",
})


def _child_fields(node_type):
    """The fields of an ast node type that can hold nodes (not ctx/op markers or plain strings)."""
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = _FIELDS[node_type] = tuple(f for f in node_type._fields if f not in _LEAF_FIELDS)
    return fields


def parse_failure(error):
    line = error.lineno or 1
    col = max((error.offset or 1) - 1, 0)
    return Finding("VS001", line, col, f"cannot parse this file: {error.msg}; fix the syntax, then re-run")


def check_tree(tree, source, rules=RULES, module=None, project=None):
    """Findings of `rules` in a parsed module; `module` supplies imports and globals (notebooks),
    `project` what the other files of the tree write (`project.Project`)."""
    module = module or tree
    context = CheckContext(Analysis(module), source.split("\n"), rules, project)
    context.scope = context.analysis.scope_for(module, None)
    context.walk(tree)
    return context.findings


def prepare(source):
    """(token pass findings, the text they leave, its ast or the VS001 finding)."""
    found, text = [], source
    for token_pass in TOKEN_PASSES:
        findings, text = token_pass.apply(text)
        found += findings
    try:
        return found, text, ast.parse(text)
    except (SyntaxError, ValueError) as error:
        return found, text, parse_failure(error if isinstance(error, SyntaxError) else SyntaxError(str(error)))


def check_source(source, rules=RULES, module=None, prepared=None, project=None):
    """Findings in one source text, parse failures included (as VS001), sorted by position.

    `module` (notebooks) is the ast whose imports and globals the text sees; `prepared` is what
    `prepare(source)` returned, when the caller already has it; `project` is as for `check_tree`.
    """
    found, text, tree = prepared or prepare(source)
    codes = {rule.code for rule in rules}
    findings = [finding for finding in found if finding.code in codes]
    if isinstance(tree, Finding):
        return findings + [tree]
    if module is not None or "torch" in text or "Variable" in text:  # no torch: nothing legacy
        findings.extend(check_tree(tree, text, rules, module, project))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings
