"""examples/legacy/skipgram.py written for modern torch (the same computation, no varshim)."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

random.seed(11)
torch.manual_seed(11)

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
        super().__init__()
        self.emb_dimension = emb_dimension
        self.u_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
        self.v_embeddings = nn.Embedding(emb_size, emb_dimension, sparse=True)
        initrange = 0.5 / self.emb_dimension
        nn.init.uniform_(self.u_embeddings.weight, -initrange, initrange)
        nn.init.uniform_(self.v_embeddings.weight, -initrange, initrange)

    def forward(self, u, v, neg):
        emb_u = self.u_embeddings(u)
        emb_v = self.v_embeddings(v)
        score = F.logsigmoid(torch.dot(emb_u.reshape(-1), emb_v.reshape(-1)))
        neg_emb_v = self.v_embeddings(neg)
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
        loss = model(torch.tensor([u]), torch.tensor([v]), neg)
        loss.backward()
        optimizer.step()
        running += loss.item()
        if (step + 1) % 125 == 0:
            print('epoch %d step %d loss %.6f' % (epoch, step + 1, running / 125))
            running = 0

with torch.no_grad():
    emb = model.u_embeddings.weight
    emb = emb / emb.norm(2, 1, keepdim=True)
    similarity = emb.mm(emb.t())
same = [similarity[a, b].item() for a in range(vocab_size) for b in range(vocab_size) if a != b and a % 5 == b % 5]
other = [similarity[a, b].item() for a in range(vocab_size) for b in range(vocab_size) if a % 5 != b % 5]
print('mean cosine same topic %.6f other topics %.6f' % (sum(same) / len(same), sum(other) / len(other)))
