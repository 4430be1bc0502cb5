"""Names a torch module no longer has, served by a module `__getattr__` (PEP 562).

Python calls a module's `__getattr__` only for names the module lacks, so the module's own names,
and every modern caller of them, are untouched. Each served name warns with its modern spelling.
"""

from ...legacy_warnings import warn_legacy


def removed_names(module_name, names, message):
    """A module `__getattr__` serving `names` (`{name: (value, modern spelling)}`).

    `message` is formatted with `module`, `name` and `modern`.
    """

    def __getattr__(name):
        try:
            value, modern = names[name]
        except KeyError:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None
        warn_legacy(message.format(module=module_name, name=name, modern=modern))
        return value

    return __getattr__
