"""`torch._six`: the Python 2/3 compatibility module torch 1.x shipped, removed in torch 2.0.

Research code of 2018-2022 imports it (`from torch._six import container_abcs, string_classes,
int_classes, inf`), usually to copy `default_collate`. Names, as torch defined them on Python 3:
pytorch/pytorch `torch/_six.py` (0.4-era stored version: `PY2`, `PY3`, `string_classes`,
`with_metaclass`, `imap`, `exec_`, `raise_from`); 1.4-era copies add `PY37`, `inf`, `nan`,
`int_classes`, `FileNotFoundError`, `queue`, `container_abcs`, `get_function_from_type`,
`StringIO`, `istuple`, `bind_method`; 1.8 dropped `int_classes` and `container_abcs` (the
1.9-era file keeps `inf`, `nan`, `string_classes`, `PY37 = ... >= 7`, `with_metaclass`).
varshim serves the union, each name with a `LegacyTorchWarning` naming its modern spelling.
"""

import builtins
import collections.abc
import io
import math
import queue
import sys
import types

from .module_names import removed_names

__all__ = ["module"]


def _with_metaclass(meta, *bases):
    """A base class whose subclasses are made by `meta` (six's idiom, Python 3 only here)."""

    class metaclass(meta):
        def __new__(cls, name, this_bases, namespace):
            return meta(name, bases, namespace)

        @classmethod
        def __prepare__(cls, name, this_bases):
            return meta.__prepare__(name, bases)

    return type.__new__(metaclass, "temporary_class", (), {})


def _raise_from(value, from_value):
    raise value from from_value


def _istuple(obj):
    return isinstance(obj, tuple) or type(obj).__module__ == "torch.return_types"


# name -> (value, the modern spelling)
_NAMES = {
    "PY2": (False, "nothing (Python 2 is gone): drop the branch"),
    "PY3": (True, "nothing (always Python 3): drop the branch"),
    "PY37": (sys.version_info >= (3, 7), "sys.version_info >= (3, 7)"),
    "inf": (math.inf, "math.inf (or torch.inf)"),
    "nan": (math.nan, "math.nan (or torch.nan)"),
    "string_classes": ((str, bytes), "(str, bytes)"),
    "int_classes": (int, "int"),
    "container_abcs": (collections.abc, "import collections.abc as container_abcs"),
    "FileNotFoundError": (builtins.FileNotFoundError, "the builtin FileNotFoundError"),
    "queue": (queue, "import queue"),
    "builtins": (builtins, "import builtins"),
    "StringIO": (io.StringIO, "io.StringIO"),
    "imap": (map, "map"),
    "exec_": (exec, "exec"),
    "raise_from": (_raise_from, "raise value from from_value"),
    "with_metaclass": (_with_metaclass, "class C(Base, metaclass=Meta)"),
    "get_function_from_type": (lambda cls, name: getattr(cls, name, None), "getattr(cls, name, None)"),
    "istuple": (_istuple, "isinstance(obj, tuple)"),
    "bind_method": (lambda fn, obj, obj_type: types.MethodType(fn, obj), "types.MethodType(fn, obj)"),
}


module = types.ModuleType("torch._six", "torch 1.x's Python 2/3 compatibility names, restored by varshim.")
module.__getattr__ = removed_names(
    "torch._six", _NAMES, "torch._six was removed in torch 2.0: instead of torch._six.{name} write {modern}.")
module.__dir__ = lambda: sorted(_NAMES)
module.__all__ = sorted(_NAMES)
