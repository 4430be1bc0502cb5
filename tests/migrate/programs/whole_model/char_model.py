"""The model of main.py and generate.py (pytorch/examples' model.py, 2017): a GRU over characters."""
import torch
import torch.nn as nn
from torch.autograd import Variable


class CharModel(nn.Module):
    def __init__(self, ntoken, nhid):
        super(CharModel, self).__init__()
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.GRU(nhid, nhid)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid

    def forward(self, input, hidden):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(output.view(-1, self.nhid)), hidden

    def init_hidden(self, bsz):
        return Variable(torch.zeros(1, bsz, self.nhid))
