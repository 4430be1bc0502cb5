"""Legacy (PyTorch 0.3) word language model, in the style of pytorch/examples word_language_model
(2017): an LSTM whose hidden state is `Variable(weight.new(...).zero_())`, detached between batches
by `repackage_hidden` (`type(h) == Variable`, else a tuple), `total_loss += loss.data` then
`total_loss[0]`, manual SGD on `.data`, a volatile evaluation, a deepcopy of the best model."""
import copy
import math

import torch
import torch.nn as nn
from torch.autograd import Variable

torch.manual_seed(0)
ntokens, bptt = 12, 6
pattern = torch.LongTensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
stream = pattern.repeat(12) % ntokens


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super(RNNModel, self).__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        output, hidden = self.rnn(self.encoder(input), hidden)
        decoded = self.decoder(output.view(output.size(0) * output.size(1), output.size(2)))
        return decoded.view(output.size(0), output.size(1), decoded.size(1)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        return (Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()),
                Variable(weight.new(self.nlayers, bsz, self.nhid).zero_()))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous()


def repackage_hidden(h):
    """Wraps hidden states in new Variables, to detach them from their history."""
    if type(h) == Variable:
        return Variable(h.data)
    else:
        return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    data = Variable(source[i:i + seq_len])
    target = Variable(source[i + 1:i + 1 + seq_len].view(-1))
    return data, target


train_data = batchify(stream[:96], 4)
val_data = batchify(stream[96:], 2)
model = RNNModel(ntokens, 10, 10, 2)
criterion = nn.CrossEntropyLoss()
lr = 2.0


def evaluate(data_source):
    total_loss = 0
    hidden = model.init_hidden(2)
    for i in range(0, data_source.size(0) - 1, bptt):
        seq_len = min(bptt, len(data_source) - 1 - i)
        data = Variable(data_source[i:i + seq_len], volatile=True)
        targets = Variable(data_source[i + 1:i + 1 + seq_len].view(-1))
        output, hidden = model(data, hidden)
        total_loss += len(data) * criterion(output.view(-1, ntokens), targets).data
        hidden = repackage_hidden(hidden)
    return total_loss[0] / len(data_source)


best_val, best_model = None, None
for epoch in range(1, 4):
    total_loss = 0
    hidden = model.init_hidden(4)
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output.view(-1, ntokens), targets)
        loss.backward()
        for p in model.parameters():
            p.data.add_(-lr, p.grad.data)
        total_loss += loss.data
    val_loss = evaluate(val_data)
    print('epoch %d train %.6f valid %.6f ppl %.4f' % (epoch, total_loss[0] / (batch + 1), val_loss, math.exp(val_loss)))
    if best_val is None or val_loss < best_val:
        best_val, best_model = val_loss, copy.deepcopy(model)
model = best_model
print('best valid %.6f reloaded %.6f' % (best_val, evaluate(val_data)))
