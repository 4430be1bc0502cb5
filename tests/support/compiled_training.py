"""Training steps of a `torch.compile`d model; used by tests/integration/test_compiled_training.py.

Also a script: `python -m tests.support.compiled_training (plain|varshim) BACKEND...` (from the
repository's root) prints one JSON line per backend: the losses of three SGD steps and a sha256 of
them and of the parameters after the steps, or the error. The model reaches what varshim patches
from compiled code: `torch.arange` in its forward, `Tensor.backward` (AOT autograd's backward,
which queues callbacks on `torch.autograd.Variable._execution_engine`).
"""

import hashlib
import json
import sys
import traceback

import torch

from tests.support import opdb, side_by_side


class PositionalMLP(torch.nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.inner = torch.nn.Linear(width, 16)
        self.norm = torch.nn.LayerNorm(16)
        self.outer = torch.nn.Linear(16, 1)

    def forward(self, x):
        position = torch.arange(x.shape[1], dtype=x.dtype) / x.shape[1]
        return self.outer(torch.tanh(self.norm(self.inner(x + position))))


def train(backend, steps=3):
    """(losses, sha256 of the losses and the trained parameters)."""
    opdb.seed()
    model = PositionalMLP()
    compiled = torch.compile(model, backend=backend)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs, targets = torch.randn(32, 8), torch.randn(32, 1)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(compiled(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    digest = hashlib.sha256()
    opdb.update_digest(digest, [losses, [p.detach() for p in model.parameters()]])
    return losses, digest.hexdigest()


def main(argv):
    parser = side_by_side.parser(__doc__.splitlines()[0])
    parser.add_argument("backends", nargs="+", help="torch.compile backends, e.g. aot_eager inductor")
    options = parser.parse_args(argv)
    with side_by_side.child(options.mode):
        for backend in options.backends:
            try:
                losses, digest = train(backend)
                record = {"backend": backend, "status": "ok", "losses": losses, "digest": digest}
            except Exception as error:  # reported, and compared with the other process
                record = {"backend": backend, "status": "raises", "error": f"{type(error).__name__}: {error}",
                          "traceback": traceback.format_exc()[-2000:]}
            print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
