"""Stochastic functions and `reinforce` (PyTorch 0.1.12-0.2.0; removed in 0.3.0).

Restores, on Variables only (plain tensors sample as in torch 2.13):
- `probs.multinomial(num_samples=1, with_replacement=False)`, `probs.bernoulli()` and
  `torch.normal(means, std)` (std a number or a Variable) return samples that do not require grad
  but remember their stochastic node (pytorch/pytorch `torch/autograd/_functions/stochastic.py`
  @37d94795);
- `sample.reinforce(reward)` with the type, size and "only once" checks of
  `torch/autograd/stochastic_function.py` @c76ad623;
- a backward whose roots include reinforced samples runs each node's 0.2 gradient formula (REINFORCE,
  epsilons included, no baseline) into the node's inputs, as the 0.2 engine's
  `find_stochastic_functions` did (`torch/csrc/autograd/engine.cpp`, 0.2-era).

Modern spelling: `m = torch.distributions.Categorical(probs); a = m.sample();
(-m.log_prob(a) * reward).sum().backward()` (docs/functions.md).
"""

from numbers import Number

import torch

from ..legacy_warnings import warn_legacy

__all__ = ["StochasticNode", "reinforce_roots", "multinomial", "reinforce", "sampler_overrides"]

_Tensor = torch.Tensor
_no_grad = torch.no_grad
_DisableSubclass = torch._C.DisableTorchFunctionSubclass
_DEFAULT = object()
_NOT_PROVIDED = object()
_REINFORCE_HINT = (
    "write m = torch.distributions.Categorical(probs) (or Bernoulli, Normal); a = m.sample(); "
    "(-m.log_prob(a) * reward).sum().backward()."
)

# Set by the first stochastic sample; until then backward does not look for stochastic roots.
sampled = False


class StochasticNode:
    """The 0.2 `StochasticFunction` behind a sample: its inputs, its reward, its gradient formula."""

    def __init__(self, name, inputs, sample, formula):
        global sampled
        sampled = True
        self.name = name
        self.inputs = inputs  # the Variables the sample was drawn from (graph roots for backward)
        self.sample = sample.detach()
        self.formula = formula
        self.reward = _NOT_PROVIDED

    def reinforce(self, reward):
        """`StochasticFunction._reinforce`: a number, or a tensor of the input's type and sample's size."""
        if isinstance(reward, _Tensor) and reward.dim() == 0:
            reward = reward.item()  # a modern 0-dim tensor is what 0.2 gave as a Python number
        if not isinstance(reward, Number):
            expected = self.inputs[0].type()
            # the input a sample was drawn from is a Variable, so a reward of its class is one too
            is_variable = type(reward) is type(self.inputs[0])
            got = "torch.autograd.variable.Variable" if is_variable else torch.typename(reward)
            if got != expected:
                raise TypeError(f"mismatch between reward and output type: got {got}, but expected {expected}")
            if reward.shape != self.sample.shape:
                raise ValueError(
                    f"got reward of size {'x'.join(map(str, reward.shape))}, but expected a tensor of "
                    f"size {'x'.join(map(str, self.sample.shape))}"
                )
        if self.reward is not _NOT_PROVIDED:
            raise RuntimeError("you can only reinforce a stochastic Function once")
        self.reward = reward

    def gradients(self, retain_graph):
        """(input, gradient) pairs of this node's backward; consumes the reward unless retained."""
        differentiable = [i for i, v in enumerate(self.inputs) if isinstance(v, _Tensor) and v.requires_grad]
        if not differentiable:
            return []  # 0.2 ran only executable nodes
        if self.reward is _NOT_PROVIDED:
            raise RuntimeError("differentiating stochastic functions requires providing a reward")
        if self.reward is None:
            raise RuntimeError(
                f"the reward of this {self.name} sample was used by an earlier backward (PyTorch 0.2 "
                "cleared it unless retain_variables=True); sample again and call reinforce() on the new sample"
            )
        with _no_grad(), _DisableSubclass():  # plain tensor math, whatever the reward's class
            plain = [v.detach() if isinstance(v, _Tensor) else v for v in self.inputs]
            grads = self.formula(self.sample, self.reward, *plain)
        if not retain_graph:
            self.reward = None
        return [(self.inputs[i], grads[i]) for i in differentiable]


def reinforce_roots(tensors, grad_tensors, retain_graph):
    """Replace reinforced samples among backward roots by their nodes' inputs and 0.2 gradients."""
    if not any(getattr(t, "_stochastic", None) is not None for t in tensors):
        return tensors, grad_tensors
    roots, grads = {}, {}
    for tensor, grad in zip(tensors, grad_tensors):
        node = getattr(tensor, "_stochastic", None)
        pairs = node.gradients(retain_graph) if node is not None else [(tensor, grad)]
        for root, value in pairs:
            if id(root) in roots and value is not None and grads[id(root)] is not None:
                grads[id(root)] = grads[id(root)] + value  # one root per tensor: sum its gradients
            else:
                roots[id(root)], grads[id(root)] = root, value
    return tuple(roots.values()), tuple(grads.values())


def reinforce(self, reward):
    """`Variable.reinforce(reward)` (0.1.12-0.2.0)."""
    node = getattr(self, "_stochastic", None)
    if node is None:
        raise RuntimeError("reinforce() can be only called on outputs of stochastic functions")
    warn_legacy(f"sample.reinforce(reward) was removed in PyTorch 0.3: {_REINFORCE_HINT}")
    node.reinforce(reward)


# -- gradient formulas (`torch/autograd/_functions/stochastic.py` @37d94795) -----------------------


def _multinomial_grad(samples, reward, probs):
    if probs.dim() == 1:
        grad, = _multinomial_grad(samples.unsqueeze(0), _unsqueeze(reward), probs.unsqueeze(0))
        return (grad.squeeze(0),)
    probs = probs / probs.sum(1, keepdim=True)  # multinomial takes unnormalised weights
    drawn = -reward / (probs.gather(1, samples) + 1e-6)
    return (torch.zeros_like(probs).scatter_add_(1, samples, drawn),)  # repeated draws accumulate


def _unsqueeze(reward):
    return reward.unsqueeze(0) if isinstance(reward, _Tensor) else reward


def _bernoulli_grad(samples, reward, probs):
    return ((probs - samples) / (probs * (1 - probs) + 1e-6) * reward,)


def _normal_grad(stddev):
    def normal_grad(output, reward, means, stddevs=None):
        if stddevs is None:
            return ((means - output) / (1e-6 + stddev**2) * reward,)
        deviation = means - output
        square = stddevs * stddevs + 1e-6
        cube = stddevs * stddevs * stddevs + 1e-6
        return (deviation / square * reward, (square - deviation * deviation) / cube * reward)

    return normal_grad


# -- samplers (run by `Variable.__torch_function__` with subclass dispatch off) ---------------------


def _sample(name, inputs, formula, draw):
    with _no_grad():  # 0.2 samples were non-differentiable (`mark_non_differentiable`)
        sample = draw()
    if torch.is_grad_enabled():  # volatile or no_grad work records no node, as in 0.2
        sample._stochastic = StochasticNode(name, inputs, sample, formula)
    return sample


# The 0.2 signatures (`multinomial()` without num_samples, `with_replacement=`) and `reinforce` would
# be refused by torch's argument parser before any dispatch, so they are Variable methods.


def multinomial(self, num_samples=_DEFAULT, replacement=False, *, with_replacement=None, generator=None):
    """`Variable.multinomial` with the 0.1-0.2 signature: one draw by default, `with_replacement=`."""
    if num_samples is _DEFAULT:
        warn_legacy("probs.multinomial() drew one sample by default before PyTorch 0.3: write probs.multinomial(1).")
        num_samples = 1
    if with_replacement is not None:
        warn_legacy("multinomial(with_replacement=...) was renamed in PyTorch 0.3: write replacement=....")
        replacement = with_replacement
    return torch.multinomial(self, num_samples, replacement, generator=generator)


def sampler_overrides(variable):
    """The 0.2 samplers for ops on Variables of class `variable` (its `__torch_function__` table)."""

    def stochastic_multinomial(func):
        def legacy_multinomial(probs, *args, **kwargs):
            if type(probs) is not variable or "out" in kwargs:
                return func(probs, *args, **kwargs)  # a `.data` tensor samples as 0.3 Tensors did
            return _sample("Multinomial", (probs,), _multinomial_grad, lambda: func(probs, *args, **kwargs))

        return legacy_multinomial

    def stochastic_bernoulli(func):
        def legacy_bernoulli(probs, *args, **kwargs):
            if args or set(kwargs) - {"generator"} or type(probs) is not variable:
                return func(probs, *args, **kwargs)  # bernoulli(p) with a constant p, or a `.data` tensor
            return _sample("Bernoulli", (probs,), _bernoulli_grad, lambda: func(probs, **kwargs))

        return legacy_bernoulli

    def stochastic_normal(func):
        def legacy_normal(*args, **kwargs):
            means = args[0] if args else None
            if type(means) is not variable or len(args) + ("std" in kwargs) > 2 or set(kwargs) - {"std", "generator"}:
                return func(*args, **kwargs)  # `mean=` or sized forms: torch's meaning
            kwargs = dict(kwargs)
            std = args[1] if len(args) == 2 else kwargs.pop("std", 1.0)
            if isinstance(std, _Tensor):
                return _sample("Normal", (means, std), _normal_grad(None), lambda: func(means, std, **kwargs))
            if not std > 0:
                raise AssertionError("Normal: the standard deviation must be positive (PyTorch 0.2 assert)")
            return _sample("Normal", (means,), _normal_grad(std), lambda: func(means, float(std), **kwargs))

        return legacy_normal

    return {
        torch.multinomial: stochastic_multinomial(torch.multinomial),
        torch.bernoulli: stochastic_bernoulli(torch.bernoulli),
        _Tensor.bernoulli: stochastic_bernoulli(_Tensor.bernoulli),
        torch.normal: stochastic_normal(torch.normal),
    }
