"""Legacy (PyTorch 0.3) skip-gram with negative sampling, one pair at a time as the 2017 word2vec
lessons wrote it: `torch.dot(emb_u, emb_v)` of two 1 x D embeddings (0.3's dot read any two tensors
of equal size as flat vectors), `torch.dot` of 2-D Variables, `Variable(torch.LongTensor([u]))`."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(0)
vocab, dim = 10, 6


class SkipGram(nn.Module):
    def __init__(self):
        super(SkipGram, self).__init__()
        self.u_embeddings = nn.Embedding(vocab, dim)
        self.v_embeddings = nn.Embedding(vocab, dim)

    def forward(self, u, v, neg):
        emb_u = self.u_embeddings(u)  # 1 x D
        emb_v = self.v_embeddings(v)
        score = F.logsigmoid(torch.dot(emb_u, emb_v))
        neg_score = F.logsigmoid(-torch.mm(self.v_embeddings(neg), emb_u.t())).sum()
        return -(score + neg_score)


model = SkipGram()
optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
pairs = [(i, (i + 1) % vocab) for i in range(vocab)]
for epoch in range(1, 21):
    running = 0
    for u, v in pairs:
        neg = Variable(torch.LongTensor([(u + 5) % vocab, (u + 7) % vocab]))
        loss = model(Variable(torch.LongTensor([u])), Variable(torch.LongTensor([v])), neg)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.data[0]
    if epoch % 5 == 0:
        print('epoch %d loss %.6f' % (epoch, running / len(pairs)))

a = Variable(torch.randn(2, 3), requires_grad=True)
b = Variable(torch.randn(3, 2))
d = torch.dot(a, b)
d.backward()
print('2-D dot %.6f grad %s' % (d.data[0], ' '.join('%.5f' % g for g in a.grad.data.view(-1).tolist())))
