"""Stochastic functions and `reinforce` (0.1.12-0.2.0) through `varshim.objects.stochastic`."""

import copy

import pytest
import torch
import torch.autograd as autograd
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.distributions import Categorical

from varshim import LegacyTorchWarning
from varshim.objects.variable import Variable

# -- reference formulas, written from torch/autograd/_functions/stochastic.py (early loop version) --


def multinomial_reference(probs, samples, reward):
    probs = probs.double()
    if probs.dim() == 1:
        return multinomial_reference(probs[None], samples[None], reward if isinstance(reward, float) else reward[None])[0]
    normalised = probs / probs.sum(1, keepdim=True)
    grad = torch.zeros_like(normalised)
    for i in range(samples.shape[0]):
        for j in range(samples.shape[1]):
            k = int(samples[i, j])
            r = reward if isinstance(reward, float) else float(reward[i, j])
            grad[i, k] += -r / (float(normalised[i, k]) + 1e-6)
    return grad


def plain(variable):
    """The values of a Variable as a modern tensor (its `.data` has 0.3 Tensor semantics)."""
    with torch._C.DisableTorchFunctionSubclass():
        return variable.detach().clone()


def bernoulli_reference(probs, samples, reward):
    return (probs - samples) / (probs * (1 - probs) + 1e-6) * reward


def probability_rows(draw, rows, categories):
    values = draw(st.lists(st.floats(0.05, 1.0), min_size=rows * categories, max_size=rows * categories))
    return torch.tensor(values).reshape(rows, categories)


@st.composite
def multinomial_cases(draw):
    rows, categories = draw(st.integers(1, 4)), draw(st.integers(2, 6))
    probs = probability_rows(draw, rows, categories)
    if draw(st.booleans()):
        probs = probs[0]  # 1-D probs: one row, samples of shape (n,)
    replacement = draw(st.booleans())
    num_samples = draw(st.integers(1, 5 if replacement else categories))
    shape = (num_samples,) if probs.dim() == 1 else (probs.shape[0], num_samples)
    if draw(st.booleans()):
        reward = draw(st.floats(-3, 3))
    else:
        values = draw(st.lists(st.floats(-3, 3), min_size=shape[-1] * (shape[0] if len(shape) == 2 else 1),
                               max_size=shape[-1] * (shape[0] if len(shape) == 2 else 1)))
        reward = torch.tensor(values).reshape(shape)
    return probs, num_samples, replacement, reward


@given(multinomial_cases())
def test_multinomial_gradient_is_the_legacy_formula(case):
    weights, num_samples, replacement, reward = case
    probs = Variable(weights.clone(), requires_grad=True)
    sample = probs.multinomial(num_samples, replacement)
    assert type(sample) is Variable and not sample.requires_grad and sample.dtype == torch.int64
    sample.reinforce(reward)
    autograd.backward([sample], [None])
    expected = multinomial_reference(weights, sample.data, reward)
    assert torch.allclose(probs.grad.data.double(), expected, rtol=1e-5, atol=1e-4)


@given(st.integers(1, 3), st.integers(2, 5), st.integers(1, 4), st.data())
def test_softmax_multinomial_gradient_is_minus_reward_times_categorical_score(rows, categories, draws, data):
    logits_values = data.draw(st.lists(st.floats(-2, 2), min_size=rows * categories, max_size=rows * categories))
    rewards = data.draw(st.lists(st.floats(-3, 3), min_size=rows * draws, max_size=rows * draws))
    logits = Variable(torch.tensor(logits_values).reshape(rows, categories), requires_grad=True)
    reward = torch.tensor(rewards).reshape(rows, draws)
    actions = F.softmax(logits, dim=1).multinomial(draws, True)
    actions.reinforce(reward)
    autograd.backward([actions], [None])

    modern = plain(logits).requires_grad_()
    log_prob = Categorical(F.softmax(modern, dim=1)).log_prob(plain(actions).t())  # (draws, rows)
    (-(log_prob * reward.t())).sum().backward()
    assert torch.allclose(logits.grad.data, modern.grad, rtol=1e-3, atol=1e-4)


@given(st.integers(1, 6), st.data())
def test_bernoulli_gradient_is_the_legacy_formula(size, data):
    values = torch.tensor(data.draw(st.lists(st.floats(0.05, 0.95), min_size=size, max_size=size)))
    reward = data.draw(st.one_of(st.floats(-3, 3), st.just(torch.randn(size))))
    probs = Variable(values.clone(), requires_grad=True)
    sample = probs.bernoulli()
    assert not sample.requires_grad and set(sample.data.tolist()) <= {0.0, 1.0}
    sample.reinforce(reward)
    autograd.backward([sample], [None])
    assert torch.allclose(probs.grad.data, bernoulli_reference(values, sample.data, reward), rtol=1e-5, atol=1e-4)


@given(st.integers(1, 6), st.floats(0.1, 3.0), st.floats(-3, 3), st.booleans())
def test_normal_with_a_number_std(size, std, reward, keyword):
    means = Variable(torch.randn(size), requires_grad=True)
    sample = torch.normal(means, std=std) if keyword else torch.normal(means, std)
    assert type(sample) is Variable and not sample.requires_grad
    sample.reinforce(reward)
    autograd.backward([sample], [None])
    expected = (means.data - sample.data) / (std**2 + 1e-6) * reward
    assert torch.allclose(means.grad.data, expected, rtol=1e-5, atol=1e-5)


@given(st.integers(1, 6), st.floats(-3, 3))
def test_normal_with_a_variable_std(size, reward):
    means = Variable(torch.randn(size), requires_grad=True)
    stds = Variable(torch.rand(size) + 0.2, requires_grad=True)
    sample = torch.normal(means, stds)
    sample.reinforce(reward)
    autograd.backward([sample], [None])
    deviation = means.data - sample.data
    square, cube = stds.data**2 + 1e-6, stds.data**3 + 1e-6
    assert torch.allclose(means.grad.data, deviation / square * reward, rtol=1e-5, atol=1e-5)
    assert torch.allclose(stds.grad.data, (square - deviation**2) / cube * reward, rtol=1e-5, atol=1e-4)


def test_legacy_multinomial_defaults():
    probs = Variable(torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]))
    with pytest.warns(LegacyTorchWarning, match=r"probs.multinomial\(1\)"):
        one = probs.multinomial()
    assert one.shape == (2, 1)
    without = probs.multinomial(3)
    assert all(sorted(row) == [0, 1, 2] for row in without.data.tolist())  # no replacement by default
    with pytest.warns(LegacyTorchWarning, match="replacement="):
        drawn = probs.multinomial(6, with_replacement=True)
    assert drawn.shape == (2, 6)
    assert Variable(torch.tensor([0.3, 0.7])).multinomial().shape == (1,)


def test_reward_checks_and_messages():
    probs = Variable(torch.tensor([[0.2, 0.8]]), requires_grad=True)
    with pytest.raises(TypeError, match="mismatch between reward and output type: got torch.LongTensor, but expected torch.FloatTensor"):
        probs.multinomial().reinforce(torch.ones(1, 1, dtype=torch.long))
    with pytest.raises(TypeError, match="got torch.autograd.variable.Variable, but expected torch.FloatTensor"):
        probs.multinomial().reinforce(Variable(torch.ones(1, 1)))
    with pytest.raises(ValueError, match="got reward of size 2, but expected a tensor of size 1x1"):
        probs.multinomial().reinforce(torch.ones(2))
    sample = probs.multinomial()
    sample.reinforce(torch.ones(1, 1))
    with pytest.raises(RuntimeError, match="you can only reinforce a stochastic Function once"):
        sample.reinforce(1.0)
    with pytest.raises(RuntimeError, match="reinforce\\(\\) can be only called on outputs of stochastic functions"):
        (probs * 2).reinforce(1.0)
    with pytest.warns(LegacyTorchWarning, match="torch.distributions"):
        probs.multinomial().reinforce(1.0)


def test_zero_dim_reward_is_a_number():
    probs = Variable(torch.tensor([[0.2, 0.8]]), requires_grad=True)
    sample = probs.multinomial()
    sample.reinforce(torch.tensor(2.0))  # what iterating a modern 1-D reward tensor gives
    autograd.backward([sample], [None])
    k = int(sample.data[0, 0])
    assert probs.grad.data[0, k] == pytest.approx(-2.0 / (probs.data[0, k] + 1e-6))


def test_missing_reward_and_consumed_reward():
    probs = Variable(torch.tensor([0.4, 0.6]), requires_grad=True)
    with pytest.raises(RuntimeError, match="differentiating stochastic functions requires providing a reward"):
        autograd.backward([probs.multinomial()], [None])
    sample = probs.multinomial()
    sample.reinforce(1.0)
    autograd.backward([sample], [None])
    with pytest.raises(RuntimeError, match="reward of this Multinomial sample was used by an earlier backward"):
        autograd.backward([sample], [None])


def test_retain_graph_keeps_the_reward():
    probs = Variable(torch.tensor([0.4, 0.6]), requires_grad=True)
    sample = probs.multinomial()
    sample.reinforce(1.0)
    autograd.backward([sample], [None], retain_graph=True)
    first = probs.grad.data.clone()
    autograd.backward([sample], [None])
    assert torch.allclose(probs.grad.data, 2 * first)


def test_samples_of_inputs_not_requiring_grad_need_no_reward():
    sample = Variable(torch.tensor([0.4, 0.6])).multinomial()
    autograd.backward([sample], [None])  # 0.2 ran only executable stochastic nodes


def test_two_samples_of_one_input_accumulate():
    probs = Variable(torch.tensor([0.4, 0.6]), requires_grad=True)
    first, second = probs.multinomial(), probs.multinomial()
    first.reinforce(1.0)
    second.reinforce(-0.5)
    autograd.backward([first, second], [None, None])
    expected = multinomial_reference(probs.data, first.data, 1.0) + multinomial_reference(probs.data, second.data, -0.5)
    assert torch.allclose(probs.grad.data.double(), expected, atol=1e-5)


def test_volatile_and_no_grad_samples_have_no_node():
    volatile = Variable(torch.tensor([0.4, 0.6]), volatile=True).multinomial()
    assert volatile.volatile
    with pytest.raises(RuntimeError, match="only called on outputs of stochastic functions"):
        volatile.reinforce(1.0)
    with torch.no_grad():
        quiet = Variable(torch.tensor([0.4, 0.6]), requires_grad=True).bernoulli()
    with pytest.raises(RuntimeError, match="only called on outputs of stochastic functions"):
        quiet.reinforce(1.0)


def test_plain_tensors_keep_modern_sampling():
    probs = torch.tensor([0.4, 0.6], requires_grad=True)
    with pytest.raises(TypeError, match="num_samples"):
        probs.multinomial()
    assert type(probs.multinomial(1)) is torch.Tensor
    assert probs.bernoulli().grad_fn is not None  # modern BernoulliBackward
    assert torch.normal(probs, 1.0).requires_grad  # modern reparameterised normal
    with pytest.raises(RuntimeError, match="reinforce\\(\\) was removed"):
        probs.reinforce(1.0)


# -- pytorch/examples reinforcement_learning @2dca104, in small -----------------------------------


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 16)
        self.affine2 = nn.Linear(16, 2)
        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        return F.softmax(self.affine2(x), dim=1)


def _states(count):
    return torch.randn(count, 1, 4, generator=torch.Generator().manual_seed(3))


def _discounted(rewards, gamma=0.99):
    returns, R = [], 0
    for r in rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.Tensor(returns)
    return (returns - returns.mean()) / (returns.std() + 1e-7)


def _gradients(model):
    return [p.grad.clone() for p in model.parameters()]


def test_reinforce_example_matches_the_categorical_log_prob_loss():
    torch.manual_seed(0)
    model = Policy()
    twin = copy.deepcopy(model)
    states = _states(6)
    for state in states:
        probs = model(Variable(state))
        action = probs.multinomial()
        model.saved_actions.append(action)
        model.rewards.append(float(action.data[0, 0]) + 0.5)
    rewards = _discounted(model.rewards)
    for action, r in zip(model.saved_actions, rewards):
        action.reinforce(r)
    model.zero_grad()  # the example's optimizer.zero_grad(); its step() is plain modern code
    autograd.backward(model.saved_actions, [None for _ in model.saved_actions])
    legacy = _gradients(model)

    actions = torch.cat([plain(a) for a in model.saved_actions]).reshape(-1)
    log_prob = Categorical(twin(states.reshape(-1, 4))).log_prob(actions)
    (-(log_prob * rewards)).sum().backward()
    for got, want in zip(legacy, _gradients(twin)):
        assert torch.allclose(got, want, rtol=1e-3, atol=1e-5)


class ActorCritic(Policy):
    def __init__(self):
        super(ActorCritic, self).__init__()
        self.value_head = nn.Linear(16, 1)

    def forward(self, x):
        x = F.relu(self.affine1(x))
        return F.softmax(self.affine2(x), dim=1), self.value_head(x)


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_actor_critic_example_matches_the_modern_loss():
    torch.manual_seed(1)
    model = ActorCritic()
    twin = copy.deepcopy(model)
    states = _states(5)
    for state in states:
        probs, value = model(Variable(state))
        model.saved_actions.append((probs.multinomial(), value))
        model.rewards.append(1.0)
    rewards = _discounted(model.rewards[:-1] + [0.0])
    value_loss = 0
    for (action, value), r in zip(model.saved_actions, rewards):
        action.reinforce(r - value.data[0, 0])
        value_loss += F.smooth_l1_loss(value, Variable(torch.Tensor([r])))
    model.zero_grad()
    final_nodes = [value_loss] + [action for action, _ in model.saved_actions]
    autograd.backward(final_nodes, [torch.ones(1)] + [None] * len(model.saved_actions))
    legacy = _gradients(model)

    probs, values = twin(states.reshape(-1, 4))
    actions = torch.cat([plain(a) for a, _ in model.saved_actions]).reshape(-1)
    advantage = rewards - values.detach().reshape(-1)
    policy_loss = -(Categorical(probs).log_prob(actions) * advantage).sum()
    value_loss = sum(F.smooth_l1_loss(v, torch.tensor([r])) for v, r in zip(values, rewards))
    (policy_loss + value_loss).backward()
    for got, want in zip(legacy, _gradients(twin)):
        assert torch.allclose(got, want, rtol=1e-3, atol=1e-5)


def test_sample_backward_runs_its_node():
    probs = Variable(torch.tensor([0.4, 0.6]), requires_grad=True)
    sample = probs.multinomial()
    sample.reinforce(1.0)
    sample.backward()
    assert torch.allclose(probs.grad.data.double(), multinomial_reference(probs.data, sample.data, 1.0))


def test_sampling_a_data_tensor_records_no_node():
    probs = Variable(torch.tensor([[0.4, 0.6]]), requires_grad=True)
    for sample in (probs.data.multinomial(1), probs.data.bernoulli(), torch.normal(probs.data, 1.0)):
        assert sample._stochastic is None if type(sample) is Variable else not hasattr(sample, "_stochastic")
