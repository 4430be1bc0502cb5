"""Run torch's own module database (`module_db`) on plain tensors; used by tests/integration/test_module_db.py.

Also a script: `python -m tests.support.module_db (plain|varshim) DTYPE... [--limit N] [--modules A,B]`
(from the repository's root) prints one JSON line per sample: module, training mode, dtype, sample
index, and a sha256 of the module's parameters and buffers as constructed, the forward inputs, the
outputs and the gradients (`backward()` of the sum of every floating output, read from the inputs'
and parameters' `.grad`), or of the error. test_module_db.py compares a process without varshim
against one with varshim imported (`tests.support.side_by_side`), like property 3 of docs/opdb.md.
"""

import hashlib
import json
import sys

import torch
from torch.nn.parameter import is_lazy

from tests.support import opdb, side_by_side


def load_modules():
    """Every module of torch's module database, in database order."""
    from torch.testing._internal.common_modules import module_db

    return module_db


def samples(info, dtype, training, limit=None):
    """The module's first `limit` (default all) CPU samples in `dtype`, inputs requiring grad."""
    if dtype not in info.dtypes:
        return []
    opdb.seed()
    inputs = info.module_inputs_func(info, device="cpu", dtype=dtype, requires_grad=True, training=training)
    return [sample for sample in inputs if sample.forward_input is not None][:limit]


def _run(info, sample, dtype, training, digest):
    constructor, forward = sample.constructor_input, sample.forward_input
    opdb.seed()
    module = info.module_cls(*opdb.map_tensors(constructor.args, opdb.fresh_copy),
                             **opdb.map_tensors(constructor.kwargs, opdb.fresh_copy))
    module.to(dtype)
    module.train(training)
    leaves = []

    def leaf(tensor):
        copy = opdb.fresh_copy(tensor)
        if copy.requires_grad:
            leaves.append(copy)
        return copy

    args, kwargs = opdb.map_tensors(forward.args, leaf), opdb.map_tensors(forward.kwargs, leaf)
    constructed = [(name, t) for name, t in module.state_dict().items() if not is_lazy(t)]  # lazy: shaped by forward
    opdb.update_digest(digest, [constructed, args, sorted(kwargs.items(), key=lambda item: item[0])])
    opdb.seed()
    output = module(*args, **kwargs)
    opdb.update_digest(digest, output)
    parameters = [p for p in module.parameters() if p.requires_grad]
    floating = [t for t in opdb.tensors_in(output) if t.is_floating_point() and t.requires_grad]
    if floating:
        sum(t.sum() for t in floating).backward()  # Tensor.backward: through the patched torch.autograd.backward
        opdb.update_digest(digest, [t.grad for t in leaves + parameters])


def sample_digest(info, sample, dtype, training):
    """(status, sha256): status is "ok" or "raises"."""
    digest = hashlib.sha256()
    try:
        _run(info, sample, dtype, training, digest)
    except Exception as error:  # the error itself is what is compared
        digest.update(f"{type(error).__name__}: {error}".encode())
        return "raises", digest.hexdigest()
    return "ok", digest.hexdigest()


def digests(dtypes, limit=None, modules=None):
    """Yield a record per sample of every module (or the named ones), dtype and training mode
    (eval too where the module database says the two differ)."""
    for info in load_modules():
        if modules is not None and info.name not in modules:
            continue
        for dtype in dtypes:
            for training in (True, False) if info.train_and_eval_differ else (True,):
                for index, sample in enumerate(samples(info, dtype, training, limit)):
                    status, value = sample_digest(info, sample, dtype, training)
                    yield {"module": info.name, "training": training, "dtype": str(dtype), "sample": index,
                           "status": status, "digest": value}


def main(argv):
    parser = side_by_side.parser(__doc__.splitlines()[0], "module and mode")
    parser.add_argument("--modules", help="comma-separated module names, e.g. nn.Linear (default: every module)")
    options = parser.parse_args(argv)
    modules = set(options.modules.split(",")) if options.modules else None
    with side_by_side.child(options.mode):
        for record in digests([getattr(torch, name) for name in options.dtypes], options.limit, modules):
            print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
