"""Source syntax (VS6xx): the `async=` keyword argument (`x.cuda(async=True)`).

A SyntaxError since Python 3.7; torch 0.4 renamed it `non_blocking` (pytorch/pytorch v0.4.0
torch/tensor.py). No parser of today's Python reads such a file, so this is a token pass
(`varshim_migrate.async_keywords`), run before anything parses the file.
"""

from .. import async_keywords
from ..rule import Finding, TokenPass

__all__ = ["AsyncKeywords"]


class AsyncKeywords(TokenPass):
    code = "VS601"
    title = "x.cuda(async=True)"
    modern = "x.cuda(non_blocking=True)"

    def apply(self, source):
        positions, text, tree = async_keywords.rewrite_and_parse(source)
        findings = [
            Finding(self.code, line, col, "async= is a SyntaxError since Python 3.7: write non_blocking=", fixable=True)
            for line, col in positions
        ]
        return findings, text, tree
