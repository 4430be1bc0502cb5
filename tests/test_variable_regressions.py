"""Core bugs found by the op-database test (tests/test_opdb.py), one focused test each."""

import pytest
import torch

from varshim import Variable


@pytest.mark.parametrize(
    "view",
    [
        lambda x, v: torch.broadcast_tensors(v, x[0])[1],  # op_db broadcast_tensors
        lambda x, v: x[0].expand_as(v),
        lambda x, v: x.view_as(v),
    ],
)
def test_a_view_with_a_volatile_input_does_not_require_grad(view):
    # Modern views made under no_grad keep their base's requires_grad; 0.3 volatile results did not.
    x = Variable(torch.ones(2, 3), requires_grad=True)
    v = Variable(torch.zeros(2, 3), volatile=True)
    out = view(x, v)
    assert out.volatile and not out.requires_grad and out.grad_fn is None
    assert torch.equal(out.data, x.data)
    assert out.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()  # still a view of x
