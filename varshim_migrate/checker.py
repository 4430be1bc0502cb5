"""`check`: one walk over the standard `ast` of a file, every rule dispatched by node type and, for
calls, attributes and keywords, by name (`Rule.names`): a node meets only the rules that can match it."""

import ast

from .analysis import CHILD_FIELDS, LINE, Analysis, child_fields
from .project import Project
from .rule import Finding, Rule
from .rules import RULES, TOKEN_PASSES

__all__ = ["check_source", "check_tree", "prepare", "CheckContext", "parse_failure"]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_NODE = ast.AST
# rules -> {node type: its rules} and {(node type, name, plain): the rules that may match there},
# made once per selection of rules: a tree of small files pays for it once.
_BY_TYPE = {}
_BY_NAME = {}


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
        self._segment_lines = None
        self._states = {}
        rules = tuple(rules)
        self._dispatch = _BY_TYPE.get(rules)
        if self._dispatch is None:
            self._dispatch = _BY_TYPE[rules] = {}
            for rule in rules:
                if isinstance(rule, Rule):
                    for node_type in rule.nodes:
                        self._dispatch.setdefault(node_type, []).append(rule)
        self._by_name = _BY_NAME.setdefault(rules, {})
        # Nodes without children that no rule looks at: the walk does not enter them.
        self._unvisited = frozenset(t for t in (ast.Name, ast.Constant) if t not in self._dispatch)
        self._imported = None  # local name -> the name it was imported under (`V` -> `Variable`)

    def parent(self, level=1):
        return self.parents[-level] if len(self.parents) >= level else None

    def state(self, rule):
        """The instance of `rule.State` for this file, made on first use from the analysis."""
        state = self._states.get(rule.State)
        if state is None:
            state = self._states[rule.State] = rule.State(self.analysis)
        return state

    def segment(self, node):
        """The source text of `node`, as `ast.get_source_segment` gives it, without re-splitting the
        file for every call."""
        if self._segment_lines is None:
            self._segment_lines = LINE.findall("\n".join(self.lines))
        lines, first, last = self._segment_lines, node.lineno - 1, node.end_lineno - 1
        if first == last:
            return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
        return "".join([lines[first].encode()[node.col_offset:].decode(), *lines[first + 1:last],
                        lines[last].encode()[:node.end_col_offset].decode()])

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

    def _named_rules(self, kind, name, plain):
        """The rules for a node of type `kind` named `name` (see `Rule.names`)."""
        key = (kind, name, plain)
        rules = self._by_name.get(key)
        if rules is None:
            rules = self._by_name[key] = tuple(r for r in self._dispatch.get(kind, ()) if r.may_match(name, plain))
        return rules

    def walk(self, node):
        kind = type(node)
        rules = self._dispatch.get(kind)
        if rules:
            if kind is ast.Call:
                func = node.func
                if isinstance(func, ast.Attribute):
                    rules = self._named_rules(kind, func.attr, False)
                elif isinstance(func, ast.Name):
                    imported = self._imported
                    if imported is None:
                        imported = self._imported = {
                            local: qualified.rpartition(".")[2] for local, qualified in self.analysis.aliases.items()}
                    rules = self._named_rules(kind, imported.get(func.id, func.id), True)
                else:
                    rules = self._named_rules(kind, None, False)
            elif kind is ast.Attribute:
                rules = self._named_rules(kind, node.attr, False)
            elif kind is ast.keyword:
                rules = self._named_rules(kind, node.arg, False)
            findings = self.findings
            for rule in rules:
                findings.extend(rule.check(node, self))
        fields = CHILD_FIELDS.get(kind)
        if fields is None:
            fields = child_fields(kind)
        if not fields:
            return
        scope = self.scope
        if kind in _SCOPES:
            self.scope = self.analysis.scope_for(node, scope)
        parents, walk, unvisited = self.parents, self.walk, self._unvisited
        parents.append(node)
        for field in fields:
            value = getattr(node, field)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _NODE) and type(item) not in unvisited:
                        walk(item)
            elif isinstance(value, _NODE) and type(value) not in unvisited:
                walk(value)
        parents.pop()
        self.scope = scope


def parse_failure(error):
    line = error.lineno or 1
    col = max((error.offset or 1) - 1, 0)
    return Finding("VS001", line, col, f"cannot parse this file: {error.msg}; fix the syntax, then re-run")


def check_tree(tree, source, rules=RULES, module=None, project=None):
    """Findings of `rules` in a parsed module; `module` supplies imports and globals (notebooks),
    `project` what the other files of the tree write (`project.Project`)."""
    analysis = Analysis(module) if module is not None else Analysis(tree, source)
    module = module or tree
    context = CheckContext(analysis, source.split("\n"), rules, project)
    context.scope = context.analysis.scope_for(module, None)
    context.walk(tree)
    return context.findings


def prepare(source):
    """(token pass findings, the text they leave, its ast or the VS001 finding)."""
    found, text, tree = [], source, None
    for token_pass in TOKEN_PASSES:
        findings, new_text, parsed = token_pass.apply(text)
        if new_text != text or parsed is not None:
            text, tree = new_text, parsed
        found += findings
    try:
        return found, text, tree or ast.parse(text)
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
