"""Sibling module of main.py, written for PyTorch 0.3 (`async=` became `non_blocking=` in 0.4)."""


def to_device(v):
    moved = v.clone()
    moved.copy_(v, async=True)
    return moved


def explode(x):
    return x.data[7]  # IndexError: the last frame of the traceback
