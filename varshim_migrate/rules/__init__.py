"""Every rule, in code order. Codes are stable: a retired rule keeps its number unused.

Families: VS0 tool (VS001: the file does not parse), VS1 Variable and volatile, VS2 scalars,
VS3 backward, VS4 Function, VS5 stochastic functions, VS6 source syntax, VS7 data and nn APIs,
VS8 APIs torch 2.x removed from 0.4-1.13 code.
"""

from .backward import BackwardKeywords, BackwardOnes, RetainVariables
from .data import ClipGradNorm, InitInplace, LossReduction, SoftmaxDim, TensorDatasetKeywords
from .function import LegacyFunction, LegacyFunctionCall
from .removed import (
    BoolMaskArithmetic, ByteMasks, DataLoaderNames, Eig, LapackNames, Lstsq, MatrixRank, OldFFT, Solve, StftReal,
    Symeig, TorchSix,
)
from .scalars import CatScalars, DataIndex, ScalarIndex, TensorReduction
from .stochastic import MultinomialDefaults, Reinforce
from .syntax import AsyncKeyword
from .variable import Creator, VariableWrapper, Volatile, VolatileAttribute

__all__ = ["RULES", "ASYNC", "BY_CODE", "CODES"]

ASYNC = AsyncKeyword()
RULES = (
    VariableWrapper(), Volatile(), VolatileAttribute(), Creator(),
    DataIndex(), ScalarIndex(), TensorReduction(), CatScalars(),
    RetainVariables(), BackwardKeywords(), BackwardOnes(),
    LegacyFunction(), LegacyFunctionCall(),
    MultinomialDefaults(), Reinforce(),
    ASYNC,
    TensorDatasetKeywords(), InitInplace(), ClipGradNorm(), LossReduction(), SoftmaxDim(),
    TorchSix(), Symeig(), Eig(), Lstsq(), Solve(), MatrixRank(), LapackNames(), OldFFT(), StftReal(),
    BoolMaskArithmetic(), ByteMasks(), DataLoaderNames(),
)
BY_CODE = {rule.code: rule for rule in RULES}
CODES = ("VS001",) + tuple(BY_CODE)
