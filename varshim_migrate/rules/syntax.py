"""Source syntax (VS6xx): the `async=` keyword argument (`x.cuda(async=True)`).

A SyntaxError since Python 3.7; torch 0.4 renamed it `non_blocking` (pytorch/pytorch v0.4.0
torch/tensor.py). Found and fixed on tokens by `varshim_migrate.async_keywords`, before anything parses the file.
"""

import re

from .. import async_keywords as token_source
from ..rule import Finding, Rule

__all__ = ["AsyncKeyword"]

_MAYBE = re.compile(r"\basync\s*=(?!=)")


class AsyncKeyword(Rule):
    code = "VS601"
    title = "x.cuda(async=True)"
    modern = "x.cuda(non_blocking=True)"
    nodes = ()

    def positions(self, source):
        return token_source.async_kwarg_positions(source) if _MAYBE.search(source) else []

    def scan(self, source):
        return [
            Finding(self.code, line, col, "async= is a SyntaxError since Python 3.7: write non_blocking=",
                    fixable=True)
            for line, col in self.positions(source)
        ]

    def rewrite(self, source):
        return token_source.rewrite_async_kwargs(source) if _MAYBE.search(source) else source
