"""`torch._six` (varshim.patches.removed_apis.six): importable in every form 1.x code used, each name its
Python 3 value, each read warned with the modern spelling; gone again after uninstall."""

import collections.abc
import importlib
import math
import sys

import pytest

import varshim
from tests.support.legacy_program import modern_torch, run

PROGRAM = """
import torch._six
from torch._six import container_abcs, string_classes, int_classes, inf
from torch import _six
values = (container_abcs, string_classes, int_classes, inf, torch._six.nan, _six.PY3, _six.PY37)
"""


def test_modern_torch_has_no_torch_six():
    with modern_torch():
        assert "torch._six" not in sys.modules
        with pytest.raises(ImportError):
            run(PROGRAM)
    assert sys.modules["torch._six"] is varshim.patches.removed_apis.six.module


def test_import_forms_and_values():
    values = run(PROGRAM)["values"]
    assert values[:4] == (collections.abc, (str, bytes), int, math.inf)
    assert math.isnan(values[4]) and values[5:] == (True, True)
    assert importlib.import_module("torch._six").string_classes == (str, bytes)


def test_helpers_behave_as_their_modern_spellings():
    import torch._six as six

    class Meta(type):
        pass

    class Base:
        pass

    class Made(six.with_metaclass(Meta, Base)):
        pass

    assert type(Made) is Meta and Made.__mro__[1] is Base
    assert six.istuple((1,)) and not six.istuple([1])
    assert list(six.imap(abs, [-1])) == [1] and six.get_function_from_type(str, "upper") is str.upper
    with pytest.raises(KeyError) as raised:
        six.raise_from(KeyError("a"), ValueError("b"))
    assert isinstance(raised.value.__cause__, ValueError)
    assert not six.PY2 and six.queue.Queue and six.StringIO is __import__("io").StringIO


def test_each_name_warns_and_unknown_names_are_attribute_errors():
    import torch._six as six

    with pytest.warns(varshim.LegacyTorchWarning, match=r"torch\._six\.int_classes write int"):
        six.int_classes
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        six.nope
    assert "container_abcs" in dir(six)
