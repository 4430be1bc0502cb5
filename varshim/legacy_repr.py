"""Placeholder: legacy printing is being written (see docs/compatibility.md)."""


def tensor_repr(tensor):
    return "[%s of size %s]" % (tensor.type(), "x".join(map(str, tensor.shape)))


def variable_repr(variable):
    return "Variable containing:\n" + tensor_repr(variable)
