"""pytorch/examples reinforcement_learning/reinforce.py @2dca104 (PyTorch 0.2), on a pure-Python CartPole.

Legacy idioms: `F.softmax(action_scores)` without dim, `probs.multinomial()` (one draw, a stochastic
node), `action.reinforce(r)` and `autograd.backward(policy.saved_actions, [None for _ in ...])`,
`action[0, 0]` of `action.data` as a Python number.
Modern version: examples/legacy/modern/reinforce.py.
"""
import argparse
from itertools import count

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.autograd as autograd
from torch.autograd import Variable

from cartpole import CartPole

parser = argparse.ArgumentParser(description='PyTorch REINFORCE example')
parser.add_argument('--gamma', type=float, default=0.99, metavar='G')
parser.add_argument('--seed', type=int, default=543, metavar='N')
parser.add_argument('--episodes', type=int, default=8, metavar='N')
parser.add_argument('--log-interval', type=int, default=1, metavar='N')
args = parser.parse_args()

env = CartPole()
env.seed(args.seed)
torch.manual_seed(args.seed)
eps = 1.1920929e-07  # np.finfo(np.float32).eps


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 128)
        self.affine2 = nn.Linear(128, 2)

        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        action_scores = self.affine2(x)
        return F.softmax(action_scores)


policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)


def select_action(state):
    state = torch.Tensor(state).unsqueeze(0)
    probs = policy(Variable(state))
    action = probs.multinomial()
    policy.saved_actions.append(action)
    return action.data


def finish_episode():
    R = 0
    rewards = []
    for r in policy.rewards[::-1]:
        R = r + args.gamma * R
        rewards.insert(0, R)
    rewards = torch.Tensor(rewards)
    rewards = (rewards - rewards.mean()) / (rewards.std() + eps)
    for action, r in zip(policy.saved_actions, rewards):
        action.reinforce(r)
    optimizer.zero_grad()
    autograd.backward(policy.saved_actions, [None for _ in policy.saved_actions])
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_actions[:]


running_reward = 10
for i_episode in count(1):
    state = env.reset()
    for t in range(10000):  # Don't infinite loop while learning
        action = select_action(state)
        state, reward, done, _ = env.step(action[0, 0])
        policy.rewards.append(reward)
        if done:
            break

    running_reward = running_reward * 0.99 + t * 0.01
    finish_episode()
    if i_episode % args.log_interval == 0:
        print('Episode {}\tLast length: {:5d}\tAverage length: {:.4f}\tfc2 weight norm: {:.7f}'.format(
            i_episode, t, running_reward, policy.affine2.weight.data.norm()))
    if i_episode >= args.episodes:
        break
