"""Where warnings point: varshim's own at the user's line, and torch's at the line that called torch.

Every shim calls :func:`warn_legacy` with the modern spelling; the warning is attributed to the
first frame outside varshim and torch (`varshim.own_files`), so the default filter shows it once
per user call site and `warnings.simplefilter("ignore", LegacyTorchWarning)` silences all of them.

A patched function that hands a call on to torch's original is one Python frame more between the
caller and torch. torch's C++ warnings go to the innermost Python frame (stack level 1 of its
warning handler) and its Python ones mostly to `stacklevel=2`: both would name varshim's file, and
under the default filter every call site would collapse into one warning. :func:`call_as_caller`
makes that call from a frame that carries the caller's file, line and module globals, so both
kinds name the caller's line, module and once-per-site registry, as without varshim.
"""

import sys
import types
import warnings

from .own_files import VARSHIM_OR_TORCH_PATHS

__all__ = ["LegacyTorchWarning", "warn_legacy", "start_summary", "shown_summary", "call_as_caller"]

# (message, filename, line) of every legacy warning the filters let through, for the one-line
# summary at the end of a legacy run (`shown_summary`); `_decided` maps each site to the filters'
# version it was decided under.
_shown = set()
_decided = {}

# Sites where another `warn_explicit` would do nothing under the current filters: shown once
# ("default", "module", "once": the module's registry holds the site) or ignored. Checked first, so
# a repeated legacy idiom costs a frame walk and a dict lookup. Valid while `warnings.filters` is the
# same list, of the same length, with the same first filter, and `warnings.defaultaction` is the
# same (`simplefilter`, `filterwarnings`, `resetwarnings` and `catch_warnings` all change one of
# them); then forgotten, and `warn_explicit` decides again, as Python would after a change.
_quiet_sites = set()
_filters_seen = (None, -1, None, None)  # strong references: the identities cannot be reused
_MOST_QUIET_SITES = 4096


class LegacyTorchWarning(FutureWarning):
    """A Variable-era idiom ran under varshim; the message names the modern spelling."""


def _filters_now():
    filters = warnings.filters
    return filters, len(filters), filters[0] if filters else None, warnings.defaultaction


def warn_legacy(message):
    """Warn once per user call site that a legacy idiom was shimmed."""
    global _filters_seen
    frame = sys._getframe(1)  # the first frame outside varshim and torch: the user's call site
    while frame is not None and frame.f_code.co_filename.startswith(VARSHIM_OR_TORCH_PATHS):
        frame = frame.f_back
    if frame is None:  # called from varshim or torch only (e.g. tests of the shim itself)
        warnings.warn(message, LegacyTorchWarning, stacklevel=3)
        return
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    site = (message, filename, lineno)
    seen, filters = _filters_seen, warnings.filters
    if (filters is seen[0] and len(filters) == seen[1] and (not filters or filters[0] is seen[2])
            and warnings.defaultaction is seen[3]):
        if site in _quiet_sites:
            return
    else:
        _quiet_sites.clear()
        _filters_seen = _filters_now()
    module_globals = frame.f_globals
    module = module_globals.get("__name__", "<unknown>")
    registry = module_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, LegacyTorchWarning, filename, lineno, module=module, registry=registry)
    # `warn_explicit` stamps the registry with the filters' version: decide "shown" once per site
    # and filter state (an "error" filter raised above: not shown).
    action = _action(message, module, lineno)
    version = registry.get("version")
    if _decided.get(site, _decided) != version:
        _decided[site] = version
        if action != "ignore":
            _shown.add(site)
    if action == "ignore" or (message, LegacyTorchWarning, lineno) in registry:
        if len(_quiet_sites) >= _MOST_QUIET_SITES:
            _quiet_sites.clear()
        _quiet_sites.add(site)


def _action(message, module, lineno):
    """The action Python's warning filters take for this warning (the matching rule of `warnings`)."""
    for action, text, category, module_pattern, line in warnings.filters:
        if ((text is None or text.match(message)) and issubclass(LegacyTorchWarning, category)
                and (module_pattern is None or module_pattern.match(module)) and (line == 0 or line == lineno)):
            return action
    return warnings.defaultaction


def start_summary():
    """Count from here: a run (or a pytest session) summarises only its own legacy warnings."""
    _shown.clear()
    _decided.clear()
    _quiet_sites.clear()


def shown_summary(target):
    """One line on what legacy idioms `target` (the program's name) ran, or None if none was shown."""
    if not _shown:
        return None
    idioms = len({message for message, _, _ in _shown})
    sites = len({(filename, line) for _, filename, line in _shown})
    return (
        f"varshim: {idioms} legacy idiom{'s' * (idioms != 1)} at {sites} site{'s' * (sites != 1)}; "
        f"`varshim check {target}` lists them, `varshim migrate --write {target}` rewrites them; "
        "silence the warnings with python -W ignore::FutureWarning (this line: varshim run --quiet)"
    )


# The call torch sees; a copy per call site carries the caller's file, line, name and globals.
_CALL = (lambda function, args, kwargs: function(*args, **kwargs)).__code__
_calls = {}  # (caller's code, line) -> _CALL made at that place
_MOST_CALL_SITES = 4096  # then start afresh: code made at run time (notebook cells) stays collectable


def call_as_caller(function, args, kwargs, depth=1):
    """`function(*args, **kwargs)`, called from a frame that looks like the caller of the function
    `depth` frames up (1: the one calling `call_as_caller`), so warnings attribute as without it."""
    frame = sys._getframe(depth + 1)
    place = (frame.f_code, frame.f_lineno)
    call = _calls.get(place)
    if call is None or call.__globals__ is not frame.f_globals:
        if len(_calls) >= _MOST_CALL_SITES:
            _calls.clear()
        code = _CALL.replace(co_filename=place[0].co_filename, co_firstlineno=place[1], co_name=place[0].co_name)
        call = _calls[place] = types.FunctionType(code, frame.f_globals)
    return call(function, args, kwargs)
