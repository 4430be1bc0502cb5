"""Legacy (PyTorch 0.3) seq2seq with dot attention, in the style of the 2017 translation lessons:
per-step attention scores `torch.dot(hidden, encoder_output)` collected in a list and joined with
`torch.cat` (size (1,) each in 0.3), per-step losses likewise, a (L, 1) target indexed per step,
`Variable(..., volatile=True)` for greedy decoding, `topi[0][0]` of a 2-D `.data`."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

SOS, EOS, vocab, hidden_size = 0, 1, 8, 12
random.seed(0)
torch.manual_seed(0)
pairs = []
for _ in range(12):
    words = [random.randint(2, vocab - 1) for _ in range(random.randint(2, 4))]
    pairs.append((words, [w if w % 2 else vocab + 1 - w for w in reversed(words)]))


class Encoder(nn.Module):
    def __init__(self):
        super(Encoder, self).__init__()
        self.embedding = nn.Embedding(vocab, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, word, hidden):
        return self.gru(self.embedding(word).view(1, 1, -1), hidden)


class Decoder(nn.Module):
    def __init__(self):
        super(Decoder, self).__init__()
        self.embedding = nn.Embedding(vocab, hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab)

    def forward(self, word, hidden, encoder_outputs, length):
        scores = []
        for ei in range(length):
            scores.append(torch.dot(hidden.view(-1), encoder_outputs[ei]))
        attn = F.softmax(torch.cat(scores), dim=0)
        context = torch.mm(attn.view(1, -1), encoder_outputs[:length])
        embedded = self.embedding(word).view(1, -1)
        output, hidden = self.gru(torch.cat((embedded, context), 1).view(1, 1, -1), hidden)
        return F.log_softmax(self.out(output[0]), dim=1), hidden


def variable(words):
    return Variable(torch.LongTensor(words + [EOS]).view(-1, 1))


encoder, decoder = Encoder(), Decoder()
params = list(encoder.parameters()) + list(decoder.parameters())
optimizer = torch.optim.SGD(params, lr=0.1)
criterion = nn.NLLLoss()


def encode(input_variable):
    hidden = Variable(torch.zeros(1, 1, hidden_size))
    encoder_outputs = Variable(torch.zeros(6, hidden_size))
    for ei in range(input_variable.size()[0]):
        output, hidden = encoder(input_variable[ei], hidden)
        encoder_outputs[ei] = output[0][0]
    return encoder_outputs, hidden


def train(input_variable, target_variable):
    optimizer.zero_grad()
    encoder_outputs, hidden = encode(input_variable)
    word = Variable(torch.LongTensor([[SOS]]))
    losses = []
    for di in range(target_variable.size()[0]):
        output, hidden = decoder(word, hidden, encoder_outputs, input_variable.size()[0])
        losses.append(criterion(output, target_variable[di]))
        word = target_variable[di]
    loss = torch.cat(losses).sum()
    loss.backward()
    optimizer.step()
    return loss.data[0] / target_variable.size()[0]


for epoch in range(1, 16):
    total = 0
    for source, target in pairs:
        total += train(variable(source), variable(target))
    if epoch % 5 == 0:
        print('epoch %d loss %.6f' % (epoch, total / len(pairs)))

for source, target in pairs[:4]:
    input_variable = Variable(torch.LongTensor(source + [EOS]).view(-1, 1), volatile=True)
    encoder_outputs, hidden = encode(input_variable)
    word = Variable(torch.LongTensor([[SOS]]), volatile=True)
    decoded = []
    for di in range(6):
        output, hidden = decoder(word, hidden, encoder_outputs, input_variable.size()[0])
        topv, topi = output.data.topk(1)
        ni = topi[0][0]
        if ni == EOS:
            break
        decoded.append('%d' % ni)
        word = Variable(torch.LongTensor([[ni]]), volatile=True)
    print(source, '->', ' '.join(decoded), 'expected', target)
