"""Stochastic functions (VS5xx): `probs.multinomial()` defaults and `sample.reinforce(reward)`.

Legacy: `multinomial(num_samples=1, with_replacement=False)` on Variables and `reinforce`
(pytorch/pytorch v0.2.0 torch/autograd/variable.py, torch/autograd/stochastic_function.py; removed
in 0.3.0 by pytorch/pytorch#3157). Modern: `multinomial(num_samples, replacement=False)` and
`torch.distributions` (pytorch/examples@9faf2c6 reinforcement_learning/reinforce.py).
"""

import ast
import dataclasses

from ..edits import cst, keyword, with_arg_inserted
from ..rule import Rule

__all__ = ["MultinomialDefaults", "Reinforce"]

_REINFORCE = (
    "m = torch.distributions.Categorical(probs); action = m.sample(); "
    "loss = -(m.log_prob(action) * reward).sum(); loss.backward()"
)


@dataclasses.dataclass(frozen=True)
class MultinomialPlan:
    add_count: bool  # no sample count given: add 1 (the legacy default)


class MultinomialDefaults(Rule):
    code = "VS501"
    title = "probs.multinomial(), with_replacement="
    modern = "probs.multinomial(1), replacement="
    nodes = (ast.Call,)
    names = frozenset({"multinomial"})

    def check(self, node, context):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "multinomial":
            positional = len(node.args) - (context.analysis.qualify(func) == "torch.multinomial")
        else:
            return
        names = {k.arg for k in node.keywords}
        if positional <= 0 and "num_samples" not in names:
            yield context.finding(
                self, node, "multinomial() has no default sample count since 0.4: write multinomial(1)", fixable=True,
                plan=MultinomialPlan(add_count=True),
            )
        elif "with_replacement" in names:
            yield context.finding(
                self, node, "multinomial's with_replacement= was renamed: write replacement=", fixable=True,
                plan=MultinomialPlan(add_count=False),
            )

    def fix(self, node, finding):
        rename = keyword(node, "with_replacement")
        args = list(node.args)
        if rename is not None:
            args[args.index(rename)] = rename.with_changes(keyword=cst.Name("replacement"))
        if finding.plan.add_count:
            at = sum(1 for a in args if a.keyword is None and not a.star)
            args = with_arg_inserted(args, at, cst.Arg(cst.Integer("1")))
        return node.with_changes(args=args)


class Reinforce(Rule):
    code = "VS502"
    title = "sample.reinforce(reward)"
    modern = "torch.distributions: -(m.log_prob(sample) * reward).sum().backward()"
    nodes = (ast.Call,)
    names = frozenset({"reinforce"})

    def check(self, node, context):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "reinforce":
            yield context.finding(
                self, node, "reinforce() was removed in 0.3: sample with torch.distributions and "
                "back-propagate -log_prob(sample) * reward", suggestion=_REINFORCE,
            )
