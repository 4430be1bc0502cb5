"""Legacy (PyTorch 0.3) training script that saves the whole model, as pytorch/examples'
word_language_model/main.py did (`--save model.pt`, `torch.save(model, f)`); generate.py loads it."""
import argparse

import torch
import torch.nn as nn
from torch.autograd import Variable

from char_model import CharModel

parser = argparse.ArgumentParser()
parser.add_argument('--save', type=str, default='char_model.pt')
args = parser.parse_args([])

text = "the cat sat on the mat. the dog sat on the log. "
chars = sorted(set(text))
data = torch.LongTensor([chars.index(c) for c in text])
torch.manual_seed(0)
model = CharModel(len(chars), 16)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(1, 41):
    hidden = model.init_hidden(1)
    inputs = Variable(data[:-1].view(-1, 1))
    targets = Variable(data[1:])
    output, hidden = model(inputs, hidden)
    loss = criterion(output, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print('epoch %d loss %.6f' % (epoch, loss.data[0]))
with open(args.save, 'wb') as f:
    torch.save(model, f)
