"""pytorch/examples word_language_model (main.py + model.py, 2017) on a synthetic corpus.

Legacy idioms: `repackage_hidden` with `type(h) == Variable`, `Variable(source[i:i+seq_len],
volatile=evaluation)`, `weight.new(...).zero_()` hidden state, `clip_grad_norm`,
`p.data.add_(-lr, p.grad.data)`, `total_loss += len(data) * criterion(...).data` then
`total_loss[0]`, `torch.save(model, f)` / `torch.load(f)` of the whole model.
Modern version: examples/legacy/modern/word_language_model.py.
"""
import math
import os
import tempfile

import torch
import torch.nn as nn
from torch.autograd import Variable


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super(RNNModel, self).__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        self.encoder.weight.data.uniform_(-initrange, initrange)
        self.decoder.bias.data.fill_(0)
        self.decoder.weight.data.uniform_(-initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output.view(output.size(0) * output.size(1), output.size(2)))
        return decoded.view(output.size(0), output.size(1), decoded.size(1)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        return (Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()),
                Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()))


torch.manual_seed(1111)

# A synthetic corpus: a noisy repeating pattern over 20 "words".
ntokens = 20
pattern = torch.LongTensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9])
stream = pattern.repeat(60)
noise = torch.LongTensor(stream.size(0)).random_(0, ntokens)
keep = torch.rand(stream.size(0)) < 0.9
corpus_train = torch.where(keep, stream, noise)[:700]
corpus_valid = torch.where(keep, stream, noise)[700:]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    data = data.view(bsz, -1).t().contiguous()
    return data


bptt = 10
train_data = batchify(corpus_train, 10)
val_data = batchify(corpus_valid, 5)

model = RNNModel(ntokens, 16, 16, 2)
criterion = nn.CrossEntropyLoss()
lr = 5.0
clip = 0.25


def repackage_hidden(h):
    """Wraps hidden states in new Variables, to detach them from their history."""
    if type(h) == Variable:
        return Variable(h.data)
    else:
        return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, evaluation=False):
    seq_len = min(bptt, len(source) - 1 - i)
    data = Variable(source[i:i+seq_len], volatile=evaluation)
    target = Variable(source[i+1:i+1+seq_len].view(-1))
    return data, target


def evaluate(data_source):
    model.eval()
    total_loss = 0
    hidden = model.init_hidden(5)
    for i in range(0, data_source.size(0) - 1, bptt):
        data, targets = get_batch(data_source, i, evaluation=True)
        output, hidden = model(data, hidden)
        output_flat = output.view(-1, ntokens)
        total_loss += len(data) * criterion(output_flat, targets).data
        hidden = repackage_hidden(hidden)
    return total_loss[0] / len(data_source)


def train():
    model.train()
    total_loss = 0
    hidden = model.init_hidden(10)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntokens), targets)
        loss.backward()

        torch.nn.utils.clip_grad_norm(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(-lr, p.grad.data)

        total_loss += loss.data
        if batch % 2 == 1:
            cur_loss = total_loss[0] / 2
            print('| epoch {:3d} | {:5d}/{:5d} batches | lr {:02.2f} | loss {:5.4f} | ppl {:8.4f}'.format(
                epoch, batch, len(train_data) // bptt, lr, cur_loss, math.exp(cur_loss)))
            total_loss = 0


save = os.path.join(tempfile.mkdtemp(), 'model.pt')
best_val_loss = None
for epoch in range(1, 4):
    train()
    val_loss = evaluate(val_data)
    print('| end of epoch {:3d} | valid loss {:5.4f} | valid ppl {:8.4f}'.format(epoch, val_loss, math.exp(val_loss)))
    if not best_val_loss or val_loss < best_val_loss:
        with open(save, 'wb') as f:
            torch.save(model, f)
        best_val_loss = val_loss
    else:
        lr /= 4.0

with open(save, 'rb') as f:
    model = torch.load(f)
print('=' * 40)
print('| End of training | best valid loss {:5.6f} | reloaded model valid loss {:5.6f}'.format(
    best_val_loss, evaluate(val_data)))
