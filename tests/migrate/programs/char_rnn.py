"""Legacy (PyTorch 0.3) per-character RNN, in the style of the 2017 char-rnn lessons: a 1-D
LongTensor target indexed per character (`criterion(output, target[i])`, size (1,) in 0.3), the
loss accumulated from `loss = 0`, `loss.data[0]`, manual SGD on `.data`, a softmax of the last step."""
import string

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

all_letters = string.ascii_lowercase + " ."
n_letters = len(all_letters)
names = ["anna", "bert", "carla", "dora", "emil", "fritz", "greta", "hans"]


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = self.i2h(combined)
        output = self.softmax(self.i2o(combined))
        return output, hidden

    def initHidden(self):
        return Variable(torch.zeros(1, self.hidden_size))


def inputTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li in range(len(line)):
        tensor[li][0][all_letters.find(line[li])] = 1
    return tensor


def targetTensor(line):
    letter_indexes = [all_letters.find(line[li]) for li in range(1, len(line))]
    letter_indexes.append(n_letters - 1)  # EOS
    return torch.LongTensor(letter_indexes)


def trainingExample(line):
    return Variable(inputTensor(line)), Variable(targetTensor(line))


torch.manual_seed(0)
rnn = RNN(n_letters, 24, n_letters)
criterion = nn.NLLLoss()
learning_rate = 0.05


def train(input_line_tensor, target_line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    loss = 0
    for i in range(input_line_tensor.size()[0]):
        output, hidden = rnn(input_line_tensor[i], hidden)
        loss += criterion(output, target_line_tensor[i])
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(-learning_rate, p.grad.data)
    return output, loss.data[0] / input_line_tensor.size()[0]


total = 0
for epoch in range(1, 31):
    for name in names:
        output, loss = train(*trainingExample(name))
        total += loss
    if epoch % 10 == 0:
        print('epoch %d avg loss %.6f' % (epoch, total / (10 * len(names))))
        total = 0

probs = F.softmax(output, dim=1)
print('last step: p(eos) %.6f max %.6f' % (probs.data[0, n_letters - 1], probs.data.max()))
