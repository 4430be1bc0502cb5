"""Core bugs found by the op-database test (tests/integration/test_opdb.py), one focused test each."""

import pytest
import torch

from varshim.objects.variable import Variable


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


def test_plain_out_tensors_of_a_variable_op_stay_plain():
    # out=(values, indices) holds the caller's tensors: they keep their class, like out=tensor.
    x = Variable(torch.tensor([[1.0, 5.0], [3.0, 2.0]]))
    values, indices = torch.empty(0), torch.empty(0, dtype=torch.long)
    result = torch.max(x, 0, out=(values, indices))
    assert type(values) is torch.Tensor and type(indices) is torch.Tensor
    assert result[0] is values and result[1] is indices
    assert values.tolist() == [3.0, 5.0] and indices.tolist() == [1, 0]


def test_variable_out_tensors_stay_the_callers():
    x = Variable(torch.tensor([[1.0, 5.0], [3.0, 2.0]]))
    values, indices = Variable(torch.empty(0)), Variable(torch.empty(0, dtype=torch.long))
    result = torch.max(x, 1, out=(values, indices))
    assert result[0] is values and result[1] is indices
    assert values.data.tolist() == [5.0, 3.0]
