"""Skip-gram with negative sampling, one (center, context) pair at a time, as 2017 word2vec
tutorials wrote it, on a synthetic corpus.

Legacy idioms: `torch.dot(emb_u, emb_v)` on two 1 x D embeddings (0.3's dot read any two tensors of
equal size as flat vectors), `nn.Embedding(..., sparse=True)` rows updated by SGD,
`Variable(torch.LongTensor([u]))`, `loss.data[0]`, `weight.data.uniform_`, `.data` for the
similarity table.  Modern version: examples/legacy/modern/skipgram.py.
"""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

random.seed(11)
torch.manual_seed(11)

# A corpus with structure: five topics, each word followed mostly by a word of its own topic.
vocab_size, n_topics = 25, 5
corpus = [0]
for _ in range(600):
    w = corpus[-1]
    topic = w % n_topics if random.random() < 0.85 else random.randrange(n_topics)
    corpus.append(topic + n_topics * random.randrange(vocab_size // n_topics))
counts = torch.zeros(vocab_size)
for w in corpus:
    counts[w] += 1
noise = counts.pow(0.75)
noise = noise / noise.sum()

window, negatives, emb_dim = 2, 4, 10
pairs = [(corpus[i], corpus[j]) for i in range(len(corpus))
         for j in range(max(0, i - window), min(len(corpus), i + window + 1)) if j != i]


class SkipGramModel(nn.Module):
    def __init__(self, emb_size, emb_dimension):
        super(SkipGramModel, self).__init__()
        self.emb_dimension = emb_dimension
        self.u_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
        self.v_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
        initrange = 0.5 / self.emb_dimension
        self.u_embeddings.weight.data.uniform_(-initrange, initrange)
        self.v_embeddings.weight.data.uniform_(-initrange, initrange)

    def forward(self, u, v, neg):
        emb_u = self.u_embeddings(u)  # 1 x D
        emb_v = self.v_embeddings(v)  # 1 x D
        score = F.logsigmoid(torch.dot(emb_u, emb_v))
        neg_emb_v = self.v_embeddings(neg)  # K x D
        neg_score = F.logsigmoid(-torch.mm(neg_emb_v, emb_u.t())).sum()
        return -(score + neg_score)


model = SkipGramModel(vocab_size, emb_dim)
optimizer = optim.SGD(model.parameters(), lr=0.2)

for epoch in range(2):
    random.shuffle(pairs)
    running = 0
    for step, (u, v) in enumerate(pairs[:500]):
        neg = torch.multinomial(noise, negatives, True)
        optimizer.zero_grad()
        loss = model(Variable(torch.LongTensor([u])), Variable(torch.LongTensor([v])), Variable(neg))
        loss.backward()
        optimizer.step()
        running += loss.data[0]
        if (step + 1) % 125 == 0:
            print('epoch %d step %d loss %.6f' % (epoch, step + 1, running / 125))
            running = 0

emb = model.u_embeddings.weight.data
emb = emb / emb.norm(2, 1, keepdim=True)
similarity = emb.mm(emb.t())
same = [similarity[a, b] for a in range(vocab_size) for b in range(vocab_size) if a != b and a % 5 == b % 5]
other = [similarity[a, b] for a in range(vocab_size) for b in range(vocab_size) if a % 5 != b % 5]
print('mean cosine same topic %.6f other topics %.6f' % (sum(same) / len(same), sum(other) / len(other)))
