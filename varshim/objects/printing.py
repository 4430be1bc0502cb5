"""Legacy printing: `repr`/`str` of Variables and `.data` tensors as PyTorch <= 0.3.1 printed them.

A port of pytorch/pytorch v0.3.1 `torch/_tensor_str.py` (`_str`, `_number_format`, `_vector_str`,
`_matrix_str`, `_tensor_str`), `torch/tensor.py` (`__repr__` = `__str__` = `_tensor_str._str`)
and `torch/autograd/variable.py` (`'Variable containing:' + self.data.__repr__()`), read from
pytorch/pytorch.github.io `docs/0.3.1/_modules/torch/_tensor_str.html`. Only `Variable` and
`LegacyTensor` print this way; plain tensors keep modern printing. Modern spelling: `print(t)`.

The printer reads the values from a detached plain alias, so nothing here re-enters the legacy
classes (no 0-dim lifting, no warnings) and no graph is recorded.
"""

import math
from functools import reduce
from sys import float_info

import torch

__all__ = ["PRINT_OPTS", "tensor_repr", "variable_repr"]

_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_DisableSubclass = torch._C.DisableTorchFunctionSubclass


# 0.3's `torch.set_printoptions` set these same options, and modern torch's defaults equal 0.3's
# (precision 4, threshold 1000, edgeitems 3, linewidth 80): a legacy script's call still applies.
PRINT_OPTS = torch._tensor_str.PRINT_OPTS
SCALE_FORMAT = "{:.5e} *\n"

# 0.3 had one tensor class per dtype; bool did not exist (masks were ByteTensors).
_TYPE_NAMES = {
    torch.float32: "FloatTensor",
    torch.float64: "DoubleTensor",
    torch.float16: "HalfTensor",
    torch.int64: "LongTensor",
    torch.int32: "IntTensor",
    torch.int16: "ShortTensor",
    torch.int8: "CharTensor",
    torch.uint8: "ByteTensor",
    torch.bool: "ByteTensor",
}

# 0.3 `_get_min_log_scale`: the smallest denormal's decade (the smallest normal under DAZ/FTZ).
_MIN_POSITIVE = float_info.min * float_info.epsilon or float_info.min
_MIN_LOG_SCALE = math.ceil(math.log(_MIN_POSITIVE, 10))


def variable_repr(variable):
    """0.3.1 `Variable.__repr__`: `'Variable containing:' + repr(self.data)`."""
    return "Variable containing:" + tensor_repr(variable)


def tensor_repr(tensor):
    """0.3.1 `_tensor_str._str`: body, then `[torch.FloatTensor of size 2x3]`, framed by newlines."""
    with _DisableSubclass():
        plain = _TensorBase.data.__get__(tensor)  # detached plain alias: modern ops only
    if plain.is_complex() or plain.layout != torch.strided or plain.is_meta or plain.is_quantized:
        return _Tensor.__repr__(plain)  # no 0.3 counterpart: keep the modern form
    name = _typename(plain)
    if plain.numel() == 0:
        return "[{} with no dimension]\n".format(name)  # 0.3 empty tensors had no dimension
    if plain.dim() == 0:
        plain = plain.reshape(1)  # 0.3 had no 0-dim tensors; varshim lifts them to size (1,)
    # `tolist()` gives the Python numbers iterating a 0.3 tensor gave (floats exactly as doubles).
    src = plain.cpu() if plain.dtype is not torch.bool else plain.to("cpu", torch.uint8)
    if src.dim() == 1:
        body = _vector_str(src)
    elif src.dim() == 2:
        body = _matrix_str(src)
    else:
        body = _tensor_str(src)
    size = "x".join(str(s) for s in plain.shape)
    device = " (GPU {})".format(plain.get_device()) if plain.is_cuda else ""
    return "\n" + body + "[{} of size {}{}]\n".format(name, size, device)


def _typename(plain):
    legacy = _TYPE_NAMES.get(plain.dtype)
    if legacy is None:
        return plain.type()  # dtypes 0.3 lacked (bfloat16, uint16, ...): their modern type name
    return ("torch.cuda." if plain.is_cuda else "torch.") + legacy


def _number_format(tensor, min_sz=-1):
    """0.3 `_number_format`: (format string, scale, column width) shared by all printed values."""
    min_sz = max(min_sz, 2)
    # 0.3 measured a float64 copy; float32/float64 values measure the same in their own dtype
    # (abs, min, max and ceil are exact), smaller floats widen exactly to float32.
    magnitudes = tensor.reshape(-1)
    if not magnitudes.is_floating_point():
        magnitudes = magnitudes.to(torch.float64)
    elif magnitudes.dtype not in (torch.float32, torch.float64):
        magnitudes = magnitudes.to(torch.float32)
    magnitudes = magnitudes.abs()
    smallest, largest = (m.item() for m in torch.aminmax(magnitudes))
    if not math.isfinite(largest):  # nan propagates through max: some value is inf or nan
        # 0.3 overwrote inf/nan with the first finite value (0 if none) before measuring.
        min_sz = max(min_sz, 3)
        magnitudes = magnitudes[torch.isfinite(magnitudes)]
        if magnitudes.numel() == 0:
            magnitudes = magnitudes.new_zeros(1)
        smallest, largest = (m.item() for m in torch.aminmax(magnitudes))
    int_mode = torch.equal(magnitudes.ceil(), magnitudes)
    exp_min = _exponent(smallest)
    exp_max = _exponent(largest)
    scale = 1
    prec = PRINT_OPTS.precision
    if int_mode:
        if exp_max > prec + 1:
            fmt = "{{:11.{}e}}".format(prec)
            sz = max(min_sz, 7 + prec)
        else:
            sz = max(min_sz, exp_max + 1)
            fmt = "{:" + str(sz) + ".0f}"
    elif exp_max - exp_min > prec:
        sz = 7 + prec
        if abs(exp_max) > 99 or abs(exp_min) > 99:
            sz = sz + 1
        sz = max(min_sz, sz)
        fmt = "{{:{}.{}e}}".format(sz, prec)
    else:
        if exp_max > prec + 1 or exp_max < 0:
            sz = max(min_sz, 7)
            scale = math.pow(10, max(exp_max - 1, _MIN_LOG_SCALE))
        else:
            sz = max(min_sz, 7 if exp_max == 0 else exp_max + 6)
        fmt = "{{:{}.{}f}}".format(sz, prec)
    return fmt, scale, sz


def _exponent(magnitude):
    # Number of integer digits (0 for 0.1 <= x < 1, negative below); 1 for zero.
    return int(math.floor(math.log10(magnitude)) + 1) if magnitude != 0 else 1


def _join(values, fmt, scale):
    return " ".join(fmt.format(val / scale) for val in values)


def _vector_str(vector):
    """0.3 `_vector_str`: one value per line, `⋮` between the edges when summarised."""
    fmt, scale, sz = _number_format(vector)
    ident = ""
    strt = ""
    if scale != 1:
        strt += SCALE_FORMAT.format(scale)
        ident = " "

    def lines(values):
        return "\n".join(ident + fmt.format(val / scale) for val in values)

    if vector.numel() < PRINT_OPTS.threshold:
        return strt + lines(vector.tolist()) + "\n"
    n = PRINT_OPTS.edgeitems
    dotfmt = "{:^" + str(sz) + "}\n"
    return (
        strt + lines(vector[:n].tolist()) + "\n" + ident + dotfmt.format("\u22ee")
        + lines(vector[-n:].tolist()) + "\n"
    )


def _repr_row(row, indent, fmt, scale, truncate=None):
    """0.3 `__repr_row`: a row, or its `truncate` first and last values around `...`."""
    if truncate is not None:
        return (
            indent + _join(row[:truncate], fmt, scale) + " {:^5} ".format("...")
            + _join(row[-truncate:], fmt, scale) + "\n"
        )
    return indent + _join(row, fmt, scale) + "\n"


def _matrix_str(matrix, indent="", formatter=None, force_truncate=False):
    """0.3 `_matrix_str`: rows of values; `Columns a to b` blocks when wide; `...`/`⋮`/`⋱` when big."""
    n = PRINT_OPTS.edgeitems
    nrows, ncols = matrix.shape
    has_hdots = ncols > 2 * n
    has_vdots = nrows > 2 * n
    print_full_mat = not has_hdots and not has_vdots
    if formatter is None:
        formatter = _number_format(matrix, min_sz=5 if not print_full_mat else 0)
    fmt, scale, sz = formatter
    # max(1, ...): 0.3 looped forever when one column did not fit the line width.
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - len(indent)) / (sz + 1))))
    strt = ""
    if not force_truncate and (matrix.numel() < PRINT_OPTS.threshold or print_full_mat):
        rows = matrix.tolist()
        first = 0
        while first < ncols:
            last = min(first + per_line - 1, ncols - 1)
            if per_line < ncols:
                strt += "\n" if first != 1 else ""
                strt += "Columns {} to {} \n{}".format(first, last, indent)
            if scale != 1:
                strt += SCALE_FORMAT.format(scale)
            for row in rows:
                strt += indent + (" " if scale != 1 else "") + _join(row[first:last + 1], fmt, scale) + "\n"
            first = last + 1
        return strt
    if scale != 1:
        strt += SCALE_FORMAT.format(scale)
    if has_hdots:
        # Only the edge columns are ever printed: fetch just those.
        matrix = torch.cat((matrix[:, :n], matrix[:, -n:]), 1)
    if has_vdots and has_hdots:
        vdotfmt = "{:^" + str((sz + 1) * n - 1) + "}"
        for row in matrix[:n].tolist():
            strt += _repr_row(row, indent, fmt, scale, n)
        dots = [vdotfmt.format("..."), "{:^5}".format("\u22f1"), vdotfmt.format("...")]
        strt += indent + " ".join(dots) + "\n"
        for row in matrix[-n:].tolist():
            strt += _repr_row(row, indent, fmt, scale, n)
    elif has_hdots:
        for row in matrix.tolist():
            strt += _repr_row(row, indent, fmt, scale, n)
    elif has_vdots:
        head = matrix[:n].tolist()
        vdotfmt = "{:^" + str(len(_repr_row(head[0], "", fmt, scale))) + "}\n"
        for row in head:
            strt += _repr_row(row, indent, fmt, scale)
        strt += vdotfmt.format("\u22ee")
        for row in matrix[-n:].tolist():
            strt += _repr_row(row, indent, fmt, scale)
    else:
        for row in matrix.tolist():
            strt += _repr_row(row, indent, fmt, scale)
    return strt


def _tensor_str(tensor):
    """0.3 `_tensor_str`: one `(i,j,.,.) =` matrix per index of the leading dimensions."""
    n = PRINT_OPTS.edgeitems
    size = tensor.shape
    print_full_mat = not size[-1] > 2 * n and not size[-2] > 2 * n
    formatter = _number_format(tensor, min_sz=3 if not print_full_mat else 0)
    print_dots = tensor.numel() >= PRINT_OPTS.threshold
    dim_sz = max(2, max(len(str(x)) for x in size))
    dim_fmt = "{:^" + str(dim_sz) + "}"
    dot_fmt = "{:^" + str(dim_sz + 1) + "}"

    counter_dim = tensor.dim() - 2
    counter = [0] * counter_dim
    counter[-1] = -1
    strt = ""
    while True:
        # Odometer step over the leading dimensions, skipping the middle of long ones.
        nrestarted = [False] * counter_dim
        nskipped = [False] * counter_dim
        finished = False
        for i in range(counter_dim - 1, -1, -1):
            counter[i] += 1
            if print_dots and counter[i] == n and size[i] > 2 * n:
                counter[i] = size[i] - n
                nskipped[i] = True
            if counter[i] == size[i]:
                if i == 0:
                    finished = True
                counter[i] = 0
                nrestarted[i] = True
            else:
                break
        if finished:
            break
        if print_dots:
            if any(nskipped):
                strt += "".join(dot_fmt.format("..." if hdot else "") for hdot in nskipped) + "\n"
            if any(nrestarted):
                strt += " " + "".join(dot_fmt.format("\u22ee" if vdot else "") for vdot in nrestarted) + "\n"
        if strt != "":
            strt += "\n"
        strt += "({},.,.) = \n".format(",".join(dim_fmt.format(i) for i in counter))
        submatrix = reduce(lambda t, i: t.select(0, i), counter, tensor)
        strt += _matrix_str(submatrix, " ", formatter, print_dots)
    return strt
