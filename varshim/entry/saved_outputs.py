"""Read printed output back into values, so a notebook's saved output can be compared by value.

Two tensor printouts are read:

- legacy (PyTorch <= 0.3.1, `torch/_tensor_str.py`; legacy_api.md section 6): an optional
  `Variable containing:` line, rows of numbers (optionally under a scale factor line such as
  `1.00000e-03 *`, in `(0 ,.,.) =` slices and `Columns a to b` blocks), then the footer
  `[torch.FloatTensor of size 2x2]`;
- modern (0.4+): `tensor([[1., 1.]], requires_grad=True)`, 0.4's sign-padded `tensor([ 10.,  10.])`
  and scale factor `tensor(1.00000e-03 *\n  [ 1.0000])`, 0-dim `tensor(20.)`, after an optional
  `Parameter containing:` line.

`compare(saved, new, tolerance)` splits both texts into tensors and plain text. Every number
belongs to an item: a tensor, an outermost bracket group of the plain text (a numpy array in
numpy < 1.14's `array([ 1.,  2.])` or 1.14's `array([1., 2.])` style, printed or not, a list, a
tuple) or else itself; two numbers match when they are within `tolerance * (1 + m)`, m the largest
|value| of the item in either text (a printout's precision is relative to its common scale).
Tensors match when their shapes match too (a size (1,) legacy scalar equals a 0-dim tensor); the
rest of the text matches token by token, whitespace aside, memory addresses (`0x7f3c...`) aside.

`judge(...)` gives one code cell its outcome (`OUTCOMES`: match, differs, random, not comparable,
error, failed, skipped) from its saved and new outputs, its nbval `markers(cell)`, the exception
it raised and why its numbers are random. `RandomSources` finds out the last while the notebook
runs: the random generators each cell drew from, the uninitialised memory it made, the names that
carry either. The runner (`varshim.entry.notebook`) runs cells and reports; the rules are here.
"""

import ast
import builtins
import contextlib
import difflib
import functools
import math
import random
import re
import sys
import types

import torch

__all__ = ["Tensor", "parse", "compare", "judge", "markers", "expects_error", "RandomSources", "OUTCOMES",
           "MATCH", "DIFFERS", "RANDOM", "NOT_COMPARABLE", "ERROR", "FAILED", "SKIPPED"]

MATCH, DIFFERS, RANDOM, NOT_COMPARABLE, ERROR, FAILED, SKIPPED = (
    "match", "differs", "random", "not comparable", "error", "failed", "skipped")
OUTCOMES = (MATCH, DIFFERS, RANDOM, NOT_COMPARABLE, ERROR, FAILED, SKIPPED)

_NUMBER = r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?|inf|nan)"
_NUMBER_RE = re.compile(r"^%s$" % _NUMBER, re.IGNORECASE)
_LEGACY_FOOTER = re.compile(
    r"\[torch\.(?:cuda\.)?\w+ (?:of size (?P<size>\d+(?:x\d+)*)(?: \(GPU \d+\))?|with no dimension)\]$", re.M)
_LEGACY_HEADER = re.compile(r"^(?:Variable|Parameter) containing:$")
_SCALE = re.compile(r"^\s*(%s) \*\s*$" % _NUMBER, re.IGNORECASE)
_SLICE = re.compile(r"^\s*\((?:\d+ ?,)+(?:\.,)*\.\) = ?$")
_COLUMNS = re.compile(r"^\s*Columns \d+ to \d+\s*$")
_SUMMARY = re.compile(r"^\s*(?:\.\.\.|⋮)\s*$|\.\.\.")
_MODERN_START = re.compile(r"(?<![\w.])tensor\(")
_MODERN_HEADER = re.compile(r"^(?:Variable|Parameter) containing:\s*\Z", re.M)


class Tensor:
    """A printed tensor: its shape and values (None when the printout was summarised with `...`)."""

    def __init__(self, shape, values, text):
        self.shape, self.values, self.text = tuple(shape), values, text

    def __repr__(self):
        return "Tensor(shape=%r, values=%r)" % (self.shape, self.values)


def _numbers(line):
    tokens = line.split()
    if tokens and all(_NUMBER_RE.match(token) for token in tokens):
        return [float(token) for token in tokens]
    return None


def _legacy_at(text, footer):
    """The legacy printout ending with `footer`: (start offset, Tensor), or None."""
    size = footer.group("size")
    lines = text[:footer.start()].split("\n")
    if size is None:  # an empty tensor: no body, header (if any) on the same line
        header = re.search(r"(?:Variable|Parameter) containing:$", lines[-1])
        start = footer.start() - (len(header.group()) if header else 0)
        return start, Tensor((0,), [], text[start:footer.end()])
    if lines[-1]:
        return None  # the footer does not start a line
    shape = tuple(int(d) for d in size.split("x"))
    need = math.prod(shape)
    body, count, summarised = [], 0, False
    index = len(lines) - 2
    while index >= 0:
        line = lines[index]
        numbers = _numbers(line)
        if numbers is not None and count < need:
            count += len(numbers)
        elif _SCALE.match(line) or _SLICE.match(line) or _COLUMNS.match(line):
            pass
        elif _SUMMARY.search(line):
            summarised = True
        elif not line.strip() and (count < need or summarised) and index > 0:
            pass
        else:
            break
        body.insert(0, line)
        index -= 1
    while body and not body[0].strip():
        body.pop(0)
        index += 1
    start_line = index + 1
    above = index
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and _LEGACY_HEADER.match(lines[above]):
        start_line = above  # the header belongs to the tensor
    start = sum(len(line) + 1 for line in lines[:start_line])
    if summarised:
        return start, Tensor(shape, None, text[start:footer.end()])
    values = _legacy_values(body)
    if values is None or len(values) != need:
        return None
    return start, Tensor(shape, values, text[start:footer.end()])


def _legacy_values(body):
    """Row-major values of a legacy body; `Columns a to b` blocks are put back side by side."""
    values, blocks, scale = [], [[]], 1.0

    def flush():
        rows = max(len(block) for block in blocks)
        if any(len(block) != rows for block in blocks if block):
            return False
        for row in range(rows):
            for block in blocks:
                values.extend(block[row] if block else [])
        return True

    for line in body:
        if _SLICE.match(line):
            if not flush():
                return None
            blocks = [[]]
        elif _COLUMNS.match(line):
            if blocks[-1]:
                blocks.append([])
        elif _SCALE.match(line):
            scale = float(_SCALE.match(line).group(1))
        elif line.strip():
            blocks[-1].append([scale * value for value in _numbers(line)])
    return values if flush() else None


def _closing_paren(text, start):
    depth, quote = 0, None
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([<":
            depth += 1
        elif char in ")]>":
            depth -= 1
            if depth == 0:
                return index
    return None


_MODERN_TOKEN = re.compile(r"\s*(\[|\]|,|\.\.\.|True|False|%s)" % _NUMBER, re.IGNORECASE)


def _modern_at(text, match):
    """The modern printout starting at `match`: (end offset, Tensor), or None."""
    end = _closing_paren(text, match.end() - 1)
    if end is None:
        return None
    inner = text[match.end():end]
    scale = 1.0
    scaled = re.match(r"\s*(%s) \*\s*\n" % _NUMBER, inner, re.IGNORECASE)
    if scaled:
        scale, inner = float(scaled.group(1)), inner[scaled.end():]
    position, stack, root, summarised = 0, [], None, False
    while True:
        token = _MODERN_TOKEN.match(inner, position)
        if token is None:
            break
        position, value = token.end(), token.group(1)
        if value == "[":
            stack.append([])
        elif value == "]":
            if not stack:
                return None
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                root = done
                break
        elif value == "...":
            summarised = True
        elif value != ",":
            number = {"true": 1.0, "false": 0.0}.get(value.lower())
            number = float(value) * scale if number is None else number
            if not stack:
                root = number
                break
            stack[-1].append(number)
    if root is None or stack:
        return None
    size = re.search(r"size=\((\d+(?:, ?\d+)*),?\)", inner[position:])
    if isinstance(root, float):
        shape, values = (), [root]
    elif size and not _flatten(root):
        shape, values = tuple(int(d) for d in size.group(1).split(",")), []
    else:
        shape, values = _shape(root), _flatten(root)
        if shape is None:
            summarised = True
    return end + 1, Tensor(shape or (), None if summarised else values, text[match.start():end + 1])


def _shape(nested):
    if not isinstance(nested, list):
        return ()
    shapes = {_shape(item) for item in nested}
    if len(shapes) > 1 or None in shapes:
        return None
    return (len(nested),) + (shapes.pop() if shapes else ())


def _flatten(nested):
    if not isinstance(nested, list):
        return [nested]
    return [value for item in nested for value in _flatten(item)]


def parse(text):
    """`text` as a list of items: `Tensor`s and the plain text between them."""
    spans = []
    for footer in _LEGACY_FOOTER.finditer(text):
        found = _legacy_at(text, footer)
        if found:
            spans.append((found[0], footer.end(), found[1]))
    for match in _MODERN_START.finditer(text):
        found = _modern_at(text, match)
        if found and not any(start <= match.start() < end for start, end, _ in spans):
            header = _MODERN_HEADER.search(text, 0, match.start())  # 0.4+: `Parameter containing:\ntensor(`
            spans.append((header.start() if header else match.start(), found[0], found[1]))
    items, position = [], 0
    for start, end, tensor in sorted(spans, key=lambda span: span[0]):
        if start < position:
            continue
        if text[position:start].strip():
            items.append(text[position:start])
        items.append(tensor)
        position = end
    if text[position:].strip():
        items.append(text[position:])
    return items


def _close(saved, new, tolerance, scale):
    if math.isnan(saved) or math.isnan(new):
        return math.isnan(saved) and math.isnan(new)
    if math.isinf(saved) or math.isinf(new):
        return saved == new
    return abs(saved - new) <= tolerance * (1 + scale)


def _magnitude(values):
    return max((abs(v) for v in values if math.isfinite(v)), default=0.0)


# -- plain text: words, numbers, bracket groups, addresses -------------------------------------

# A number is a token of its own (not part of a name such as `conv1` or a version such as 0.3.0);
# brackets group numbers (a numpy array, a list, a tuple) so that they share one scale, as the
# numbers of a printed tensor do; addresses (`0x7f3c...`) are never compared.
_TOKEN = re.compile(r"""
    (?P<address>0x[0-9a-f]+)
  | (?P<number>(?<![\w.])[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?|inf|nan)(?!\w|\.\d))
  | (?P<summary>\.\.\.|…)
  | (?P<open>[\[({])
  | (?P<close>[\])}])
  | (?P<word>[a-z_][\w.]*|\w+|[^\s\w\[\](){}]+)
""", re.IGNORECASE | re.VERBOSE)
# numpy >= 2 prints scalars as `np.float64(0.5)`; numpy < 1.14 (and so 0.3-era notebooks) as `0.5`
_NUMPY_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|complex|longdouble|bool)\w*\(([^()]*)\)")
_NUMPY_BOOL = re.compile(r"\bnp\.(True|False)_")
_NODE_NAME = re.compile(r"\b\w+Backward\d+\b")  # torch numbers a function's backward nodes:
_NODE_NUMBER = re.compile(r"(?<=Backward)\d+\b")  # AddBackward1 in 0.3 is AddBackward0 in 2.x


def _tokens(text):
    """(kind, text, group) per token; the numbers of one outermost bracket group share `group`."""
    text = _NUMPY_BOOL.sub(r"\1", _NUMPY_SCALAR.sub(r"\1", text))
    tokens, depth, groups = [], 0, 0
    for index, match in enumerate(_TOKEN.finditer(text)):
        kind = match.lastgroup
        if kind == "open":
            groups += depth == 0
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        tokens.append((kind, match.group(), groups if depth or kind == "close" else -index))
    return tokens


def _same_text(saved, new, tolerance, values=True):
    saved_tokens, new_tokens = _tokens(saved), _tokens(new)
    if [kind for kind, _, _ in saved_tokens] != [kind for kind, _, _ in new_tokens]:
        return False
    scales = {}
    for (kind, a, group), (_, b, _) in zip(saved_tokens, new_tokens):
        if kind == "number":
            scales[group] = max(scales.get(group, 0.0), _magnitude([float(a), float(b)]))
    for (kind, a, group), (_, b, _) in zip(saved_tokens, new_tokens):
        if kind == "number":
            if values and not _close(float(a), float(b), tolerance, scales[group]):
                return False
        elif kind != "address" and a != b:
            return False
    return True


def _summarised(text):
    """Whether `text` has a `...` inside brackets (a numpy array or list printed in summary)."""
    return any(kind == "summary" and group > 0 for kind, _, group in _tokens(text))


def _scalar_shape(shape):
    return (1,) if shape == () else shape


def _describe(tensor):
    shape = "x".join(map(str, tensor.shape)) or "0-dim"
    values = tensor.values if len(tensor.values) <= 8 else tensor.values[:8] + ["..."]
    return "%s %s" % (shape, "[" + ", ".join("%g" % v if isinstance(v, float) else v for v in values) + "]")


def compare(saved, new, tolerance=1e-4, values=True):
    """(MATCH | DIFFERS | NOT_COMPARABLE, short explanation) for two printed outputs.

    With `values=False` only the structure is compared: the text with any number in place of a
    number, and each tensor's shape (what can be compared of a cell whose numbers are random).
    """
    saved_items, new_items = parse(saved), parse(new)
    same = [type(item) for item in saved_items] == [type(item) for item in new_items]
    tensors = 0
    for a, b in zip(saved_items, new_items) if same else ():
        if not isinstance(a, Tensor):
            if not _same_text(a, b, tolerance, values):
                same = False
                break
            continue
        tensors += 1
        if a.values is None or b.values is None:
            return NOT_COMPARABLE, "tensor %d is summarised with '...'" % tensors
        if _scalar_shape(a.shape) != _scalar_shape(b.shape):
            return DIFFERS, "tensor %d: saved size %s, got %s" % (tensors, _describe(a), _describe(b))
        # printouts share one scale factor per tensor, so precision is relative to its largest value
        scale = _magnitude(a.values + b.values)
        if values and not all(_close(x, y, tolerance, scale) for x, y in zip(a.values, b.values)):
            return DIFFERS, "tensor %d: saved %s, got %s" % (tensors, _describe(a), _describe(b))
    if same:
        return MATCH, ""
    if _summarised(saved):
        return NOT_COMPARABLE, "summarised with '...'"
    saved_nodes, new_nodes = _NODE_NAME.findall(saved), _NODE_NAME.findall(new)
    if saved_nodes != new_nodes and compare(_NODE_NUMBER.sub("", saved), _NODE_NUMBER.sub("", new),
                                            tolerance, values)[0] == MATCH:
        changed = next((a, b) for a, b in zip(saved_nodes, new_nodes) if a != b)
        return NOT_COMPARABLE, "autograd node numbering: saved %s, got %s" % changed
    diff = difflib.unified_diff(_normalised(saved), _normalised(new), "saved", "new", n=0, lineterm="")
    return DIFFERS, "\n".join(list(diff)[2:8])


def _normalised(text):
    """The lines of `text` with spacing normalised (numpy's old and new spacing show no difference)."""
    lines = (re.sub(r"(?<=[\[(]) | (?=[\]),])", "", " ".join(line.split())) for line in text.strip().splitlines())
    return [line for line in lines if line]


# -- one cell: its outcome ----------------------------------------------------------------------

# nbval's conventions (cell tags, or comment markers such as `# NBVAL_SKIP` in the cell)
SKIP, IGNORE_OUTPUT, RAISES = "nbval-skip", "nbval-ignore-output", "raises-exception"
_TAGS = {SKIP: SKIP, IGNORE_OUTPUT: IGNORE_OUTPUT, RAISES: RAISES, "nbval-raises-exception": RAISES}
_COMMENTS = {"NBVAL_SKIP": SKIP, "NBVAL_IGNORE_OUTPUT": IGNORE_OUTPUT, "NBVAL_RAISES_EXCEPTION": RAISES}


def markers(cell):
    """What the cell's nbval tags and comment markers ask: a set of SKIP, IGNORE_OUTPUT, RAISES."""
    tags = cell.get("metadata", {}).get("tags", [])
    found = {_TAGS[tag] for tag in tags if tag in _TAGS}
    found.update(_COMMENTS[line.strip().lstrip("#").strip()] for line in cell.get("source", "").splitlines()
                 if line.strip().startswith("#") and line.strip().lstrip("#").strip() in _COMMENTS)
    return frozenset(found)


def _saved_error(outputs):
    return next((output.ename for output in outputs if output.output_type == "error"), None)


def expects_error(saved_outputs, cell_markers):
    """Whether the cell is meant to raise: its saved output is an error, or it is tagged so."""
    return _saved_error(saved_outputs) is not None or RAISES in cell_markers


def _compared_text(outputs):
    """What is compared: stdout, results and displays as plain text (stderr is warnings)."""
    parts = []
    for output in outputs:
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data") and "text/plain" in output.data \
                and not any(kind.startswith("image/") for kind in output.data):  # a figure's text is its address
            parts.append(output.data["text/plain"] + "\n")
    return "".join(parts)


# What can never match a rerun, whatever varshim does; consulted only when a cell's output differs.
_INTROSPECTION = re.compile(
    r"^\s*(?:\?\??[\w.]+|[\w.]+\?\??|%(?:pinfo2?|pdoc|pdef|psource|pfile)\b.*)\s*$|\b(?:help|dir)\(", re.M)
_TIMING = re.compile(r"^\s*%%?(?:time|timeit|prun)\b", re.M)
_TIMING_OUTPUT = re.compile(r"\bWall time: |\bCPU times: | per loop \(|\bloops?, best of ")
_VERSION = re.compile(r"__version__|\bsys\.version|\bversion_info\b|\btorch\.version\b|\bplatform\.\w+\(")
_SHELL = re.compile(r"^\s*!|^\s*%%(?:bash|sh|system)\b|%(?:system|sx)\b", re.M)
_CLOCK = re.compile(r"\b(?:time\.(?:time|perf_counter|process_time|monotonic|clock)|datetime\.(?:now|today|utcnow))\(")
_ADDRESS_REPR = re.compile(r"<[^<>\n]* at 0x[0-9a-f]+>", re.IGNORECASE)


def _not_comparable(source, saved, new):
    """Why a rerun cannot reproduce this cell's output (None if it can)."""
    if _INTROSPECTION.search(source):
        return "IPython introspection (`x?`, `help`, `dir`)"
    if _TIMING.search(source) or _TIMING_OUTPUT.search(saved):
        return "timing"
    if _VERSION.search(source):
        return "a version string"
    if _SHELL.search(source):
        return "a shell command: its output is the machine's"
    if _ADDRESS_REPR.search(saved) and not re.sub(r"[\s\[\](),]", "", _ADDRESS_REPR.sub("", saved)):
        return "the saved output is only object reprs with memory addresses"
    return None


def judge(saved_outputs, new_outputs, source, raised=None, random_because=None, cell_markers=frozenset(),
          tolerance=1e-4):
    """(outcome, explanation) of one code cell that ran, from its saved and its new outputs.

    `raised`: the name of the exception the cell raised in this run, or None; `random_because`: why
    its numbers are random (`RandomSources.end_cell`), or None; `cell_markers`: `markers(cell)`.
    A FAILED outcome's explanation says only what was expected; the runner adds where it failed.
    """
    saved_error = _saved_error(saved_outputs)
    if saved_error == "KeyboardInterrupt":
        return NOT_COMPARABLE, "the saved run was interrupted (KeyboardInterrupt)"
    if raised is not None and (raised == saved_error or (saved_error is None and RAISES in cell_markers)):
        if _compared_text(saved_outputs).strip():  # what it printed before raising
            outcome, detail = _judge_text(saved_outputs, new_outputs, source, random_because, tolerance)
            if outcome != MATCH:
                return outcome, detail
        return ERROR, "raised %s, as %s" % (raised, "saved" if saved_error else "tagged " + RAISES)
    if raised is not None:
        return FAILED, ("the saved run raised %s" % saved_error) if saved_error else ""
    if saved_error is not None:
        return DIFFERS, "the saved run raised %s; this run raised nothing" % saved_error
    if IGNORE_OUTPUT in cell_markers:
        return NOT_COMPARABLE, "tagged " + IGNORE_OUTPUT
    return _judge_text(saved_outputs, new_outputs, source, random_because, tolerance)


def _judge_text(saved_outputs, new_outputs, source, random_because, tolerance):
    saved, new = _compared_text(saved_outputs), _compared_text(new_outputs)
    if saved.strip():
        verdict = compare(saved, new, tolerance)
    elif any(output.output_type in ("execute_result", "display_data") for output in saved_outputs):
        return NOT_COMPARABLE, "the saved output is an image or other non-text data"
    else:
        verdict = (MATCH, "") if not new.strip() else (NOT_COMPARABLE, "no saved output")
    if verdict[0] == MATCH or (verdict[0] == NOT_COMPARABLE and saved.strip()):  # numbering, summaries
        return verdict
    reason = _not_comparable(source, saved, new)
    if reason:
        return NOT_COMPARABLE, reason
    if verdict[0] == DIFFERS and compare(saved, new, tolerance, values=False)[0] == MATCH:
        if random_because:  # all but the numbers match: the numbers were drawn at random
            return RANDOM, random_because
        if _CLOCK.search(source):
            return NOT_COMPARABLE, "timing: the cell reads the clock"
    return verdict


# -- random cells ---------------------------------------------------------------------------------

_GENERATORS = {"torch": "torch's generator", "torch.cuda": "torch's CUDA generator",
               "numpy": "numpy's generator", "random": "Python's random generator"}
# 0.3 made a float from all 32 bits of a Mersenne Twister draw (TH/THRandom.c `__uniform__`); torch
# 2.x from its low 24 (ATen `uniform_real_distribution`), so the same seed gives other numbers.
_TORCH_STREAMS = "but torch 2.x draws other numbers from a seed than 0.3 did"
_UNSEEDED = ", not seeded by the notebook"  # `--seed` does not count: the saved run had no such seed
# Constructors that return uninitialised memory when given sizes (0.3: `torch.Tensor(3, 4)`).
_LEGACY_CONSTRUCTORS = ("Tensor", "FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor", "CharTensor",
                        "ShortTensor", "IntTensor", "LongTensor")
_FILLS = {"zero_", "fill_", "copy_", "normal_", "uniform_", "random_", "bernoulli_", "exponential_",
          "geometric_", "cauchy_", "log_normal_", "set_"}


def _generators():
    """(name, read its state) of each process-wide generator a legacy notebook draws from."""
    found = [("torch", torch.get_rng_state), ("random", random.getstate)]
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        found.append(("numpy", numpy.random.get_state))
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        found.append(("torch.cuda", torch.cuda.get_rng_state_all))
    return found


def _same_state(a, b):
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same_state(x, y) for x, y in zip(a, b))
    if hasattr(a, "shape"):  # numpy's key array
        return a.shape == b.shape and bool((a == b).all())
    return a == b


class RandomSources:
    """Why a cell's numbers are random, from what the runner sees while the notebook runs.

    A cell's numbers are random when, since the notebook started, it drew from a generator that the
    notebook did not seed (torch's, numpy's, Python's: their states before and after the cell
    differ), when it made uninitialised memory (`torch.Tensor(3, 4)`, `torch.empty`, `x.new(2)`),
    or when it uses a name that an earlier random cell left behind. torch's draws are random even
    when seeded (`_TORCH_STREAMS`). `--seed` seeds all three but does not make them comparable:
    the saved run did not use that seed.
    """

    def __init__(self, namespace):
        self.namespace = namespace
        self.carriers = {}  # name -> label of the cell that drew the random numbers it holds
        self.seeded = {}  # generator -> label of the cell that seeded it
        self._label, self._before, self._torch_seed = None, {}, torch.initial_seed()

    @contextlib.contextmanager
    def watch(self):
        """While the notebook runs, notice its own `random.seed(...)` and `numpy.random.seed(...)`."""
        targets = [(random, "random")]
        if sys.modules.get("numpy") is not None:
            targets.append((sys.modules["numpy"].random, "numpy"))
        originals = [(module, module.seed) for module, _ in targets]
        for module, generator in targets:
            module.seed = self._noticing(module.seed, generator)
        try:
            yield self
        finally:
            for module, original in originals:
                module.seed = original

    def _noticing(self, seed, generator):
        @functools.wraps(seed)
        def noticed(*args, **kwargs):
            self.seeded[generator] = self._label
            return seed(*args, **kwargs)
        return noticed

    def seed_all(self, seed):
        """`--seed N`: seed every generator before the first cell, as the saved run did not."""
        torch.manual_seed(seed)
        getattr(random.seed, "__wrapped__", random.seed)(seed)
        if sys.modules.get("numpy") is not None:
            numpy_seed = sys.modules["numpy"].random.seed
            getattr(numpy_seed, "__wrapped__", numpy_seed)(seed)
        self._torch_seed = torch.initial_seed()

    def start_cell(self, label):
        self._label = label
        self._before = {name: read() for name, read in _generators()}

    def end_cell(self, code, label):
        """Why the cell that just ran has random numbers (None if it has none); remembers its names."""
        reasons = self._draws(label)
        tree = _parse(code)
        read_first, mentioned = _names(tree)
        reasons += ["uninitialised memory: " + call for call in _uninitialised(tree, code, self.namespace)]
        origin = label if reasons else None  # where the numbers a name holds were drawn
        inherited = sorted(name for name in read_first if name in self.carriers)
        if inherited:
            origin = origin or self.carriers[inherited[0]]
            reasons.append("uses %s, random since %s" % (", ".join(inherited[:3]), self.carriers[inherited[0]]))
        for name in mentioned:  # what a random cell touched may hold its numbers; what another bound, not
            if reasons and _holds_values(self.namespace, name):
                self.carriers[name] = origin
            elif not reasons and name not in read_first:
                self.carriers.pop(name, None)
        return "; ".join(reasons) or None

    def _draws(self, label):
        reasons = []
        for name, read in _generators():
            before, after = self._before.get(name), read()
            if before is None or _same_state(before, after):
                continue
            if name.startswith("torch"):
                if torch.initial_seed() != self._torch_seed:
                    self._torch_seed, self.seeded["torch"] = torch.initial_seed(), label
                    if _same_state(torch.Generator().manual_seed(self._torch_seed).get_state(), after):
                        continue  # seeded, nothing drawn since
                seeded = self.seeded.get("torch")
                reasons.append(_GENERATORS[name] + (": seeded in %s, %s" % (seeded, _TORCH_STREAMS) if seeded
                                                    else _UNSEEDED))
            elif name not in self.seeded:
                reasons.append(_GENERATORS[name] + _UNSEEDED)
        return reasons


def _parse(code):
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def _names(tree):
    """(names the code reads before it binds them, names it reads or binds), statement by statement."""
    read_first, mentioned = set(), set()
    for statement in tree.body if tree is not None else ():
        loads, stores = set(), set()
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stores.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                stores.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        read_first |= loads - mentioned  # `x = x + 1` reads the x it had
        mentioned |= loads | stores
    return read_first, mentioned


def _holds_values(namespace, name):
    """Whether `name` is the notebook's and can hold numbers (not a builtin, module, class or function)."""
    value = namespace.get(name, builtins)
    code = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial)
    return value is not builtins and not isinstance(value, code)


def _resolve(node, namespace):
    """The object a `name` or `module.attribute` expression names, or None (never runs user code)."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, namespace)
        if isinstance(base, types.ModuleType):
            return getattr(base, node.attr, None)
    return None


def _is_size(node, namespace):
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return isinstance(namespace.get(node.id), (int, torch.Size)) and not isinstance(namespace.get(node.id), bool)
    if isinstance(node, ast.Call):
        return getattr(node.func, "attr", None) == "size" or _resolve(node.func, namespace) is torch.Size
    if isinstance(node, ast.Attribute):
        return node.attr == "shape"
    if isinstance(node, ast.BinOp):
        return _is_size(node.left, namespace) and _is_size(node.right, namespace)
    return isinstance(node, (ast.Starred, ast.Subscript))


def _uninitialised(tree, code, namespace):
    """The calls in `code` that make uninitialised memory and leave it so, as source text."""
    if tree is None:
        return []
    constructors = {getattr(torch, name) for name in _LEGACY_CONSTRUCTORS} | {
        getattr(torch.cuda, name) for name in _LEGACY_CONSTRUCTORS if hasattr(torch.cuda, name)}
    empties = (torch.empty, torch.empty_like, torch.empty_strided)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    filled = _filled_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = _resolve(node.func, namespace)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if isinstance(func, type) and func in constructors or (func is None and method == "new"):
            uninitialised = bool(node.args) and all(_is_size(arg, namespace) for arg in node.args)
        else:
            uninitialised = (func is not None and any(func is empty for empty in empties)) or (
                func is None and method == "new_empty")
        parent = parents.get(node)
        if not uninitialised or (isinstance(parent, ast.Attribute) and parent.attr in _FILLS):
            continue  # `torch.Tensor(3).zero_()`
        target = parent.targets[0] if isinstance(parent, ast.Assign) and len(parent.targets) == 1 else None
        if isinstance(target, ast.Name) and target.id in filled:
            continue  # `w = torch.Tensor(3, 4)` then `w.normal_()` or `out=w`
        found.append(ast.get_source_segment(code, node) or "torch.Tensor(...)")
    return found


def _filled_names(tree):
    """Names the code fills in place: `w.fill_(...)`, `torch.add(a, b, out=w)`, `nn.init.xavier_uniform(w)`."""
    filled = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _FILLS and isinstance(func.value, ast.Name):
            filled.add(func.value.id)
        filled.update(keyword.value.id for keyword in node.keywords
                      if keyword.arg == "out" and isinstance(keyword.value, ast.Name))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "init" \
                and node.args and isinstance(node.args[0], ast.Name):
            filled.add(node.args[0].id)
    return filled
