"""Hypothesis strategies the suites share: one definition each (no torch, no varshim here)."""

from hypothesis import strategies as st

__all__ = ["sides", "shapes", "seeds", "constants", "float_arrays", "identifiers", "FRAGMENTS", "modern_sources"]

sides = st.integers(1, 4)  # the size of one dimension: small, so a property runs many shapes
seeds = st.integers(0, 2**16)  # for torch.manual_seed / torch.Generator
constants = st.sampled_from([-1.5, 0.5, 2.0, 3])  # what ops and legacy programs scale by (an int among them)


def shapes(min_dims=1, max_dims=3, side=sides):
    """Tensor shapes as tuples: `min_dims` (0: a 0-dim tensor) to `max_dims` dimensions."""
    return st.lists(side, min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def float_arrays(draw, shape=shapes()):
    """(shape, its values flat): finite floats in [-10, 10], as `torch.tensor(values).reshape(shape)`."""
    drawn = draw(shape)
    count = 1
    for side in drawn:
        count *= side
    return drawn, draw(st.lists(st.floats(-10, 10, allow_nan=False, width=32), min_size=count, max_size=count))


# -- Python source -------------------------------------------------------------------------------

identifiers = st.sampled_from(["a", "b", "device", "x_1", "é"])
# Ordinary modern code, with what a token or ast pass could mistake for legacy syntax: `async`
# in other roles, strings and comments holding `async=`, keywords, lambdas, non-ASCII names.
FRAGMENTS = [
    "x = 1", "async def f():\n    await g()", "s = 'async=True'", "# f(async=True)",
    "def f(async_=1): pass", "y = f(a, b=2, *c, **d)", "z = [i for i in range(3)]",
    "print(x.async_)", "if x:\n    pass", "t = (1,\n     2)", "u = {'async': 1}", "v = é + 1",
    "w = f'{x!r}'", "class A(B, metaclass=M): pass", "lambda a=1: a", "x = y[z(q=1)]",
    "f(lambda a, b=1: a, c=2)",
]
modern_sources = st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("\n".join)
