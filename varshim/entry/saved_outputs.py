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
"""

import difflib
import math
import re

__all__ = ["Tensor", "parse", "compare", "MATCH", "DIFFERS", "NOT_COMPARABLE"]

MATCH, DIFFERS, NOT_COMPARABLE = "match", "differs", "not comparable"

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
