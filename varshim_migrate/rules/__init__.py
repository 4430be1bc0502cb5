"""Every rule, in code order: the one place rules are registered. Codes are stable: a retired
rule keeps its number unused.

Families: VS0 tool (VS001: the file does not parse), VS1 Variable and volatile, VS2 scalars,
VS3 backward, VS4 Function, VS5 stochastic functions, VS6 source syntax, VS7 data and nn APIs,
VS8 APIs torch 2.x removed from 0.4-1.13 code, VS9 TH leniencies (element counts where torch wants shapes).
`RULES` holds both kinds (`rule.Rule` on the ast, `rule.TokenPass` on tokens); a new rule is a
class in its family's module and one entry here (docs/migration.md, "Writing a rule").
"""

from ..rule import TokenPass
from .backward import BackwardKeywords, BackwardOnes, RetainVariables, StaleBackward
from .data import ClipGradNorm, InitInplace, LossReduction, SoftmaxDim, TensorDatasetKeywords
from .function import LegacyFunction, LegacyFunctionCall
from .leniencies import CopyByCount, FlatDot, LossTargetShape
from .removed import (
    BoolMaskArithmetic, ByteMasks, DataLoaderNames, Eig, LapackNames, Lstsq, MatrixRank, OldFFT, Solve, StftReal,
    Symeig, TorchSix, WholeCheckpoint,
)
from .scalars import CatScalars, DataIndex, IndexTarget, ScalarIndex, SqueezeIndex, TensorElement, TensorReduction
from .stochastic import MultinomialDefaults, Reinforce
from .syntax import AsyncKeywords
from .variable import Creator, VariableType, VariableWrapper, Volatile, VolatileAttribute

__all__ = ["RULES", "TOKEN_PASSES", "BY_CODE", "CODES", "select_rules"]

RULES = (
    VariableWrapper(), Volatile(), VolatileAttribute(), Creator(), VariableType(),
    DataIndex(), ScalarIndex(), TensorReduction(), CatScalars(), IndexTarget(), TensorElement(), SqueezeIndex(),
    RetainVariables(), BackwardKeywords(), BackwardOnes(), StaleBackward(),
    LegacyFunction(), LegacyFunctionCall(),
    MultinomialDefaults(), Reinforce(),
    AsyncKeywords(),
    TensorDatasetKeywords(), InitInplace(), ClipGradNorm(), LossReduction(), SoftmaxDim(),
    TorchSix(), Symeig(), Eig(), Lstsq(), Solve(), MatrixRank(), LapackNames(), OldFFT(), StftReal(),
    BoolMaskArithmetic(), ByteMasks(), DataLoaderNames(), WholeCheckpoint(),
    FlatDot(), LossTargetShape(), CopyByCount(),
)
# Token passes always run before parsing (the file does not parse otherwise); selecting one only
# decides whether its findings are reported.
TOKEN_PASSES = tuple(rule for rule in RULES if isinstance(rule, TokenPass))
BY_CODE = {rule.code: rule for rule in RULES}
CODES = ("VS001",) + tuple(BY_CODE)


def select_rules(select=None, ignore=None):
    """The rules whose codes start with one of `select` (all by default) and none of `ignore`."""
    return tuple(rule for rule in RULES if selected(rule.code, select, ignore))


def selected(code, select=None, ignore=None):
    """Is `code` chosen by the `select` and `ignore` code prefixes?"""
    if select and not any(code.startswith(prefix) for prefix in select):
        return False
    return not (ignore and any(code.startswith(prefix) for prefix in ignore))
