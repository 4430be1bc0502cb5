"""A 2017-style attention classifier for padded sentences (the masking of OpenNMT-py's
GlobalAttention, the two-loss training of multitask tutorials), on synthetic token data.

Legacy idioms: `nn.init.xavier_uniform`, a `torch.ByteTensor` padding mask filled with `mask[i, l:] = 1`,
`scores.data.masked_fill_(mask, -float('inf'))`, `F.softmax(scores)` without dim, positions from
`torch.arange(0, T)` (a FloatTensor before 0.4) divided by T, `loss.backward(retain_variables=True)`
for the first of two losses, `clip_grad_norm`, `(pred == y).data.sum()` as a Python int,
`Variable(x, volatile=True)` in evaluation.  Modern version: examples/legacy/modern/attention_classifier.py.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.autograd import Variable

torch.manual_seed(3)
vocab, T, n_classes = 30, 8, 3


def make_batch(batch_size):
    # class c: sentences that contain token 10 + c; the auxiliary target is the sentence length
    y = torch.LongTensor(batch_size).random_(0, n_classes)
    lengths = torch.LongTensor(batch_size).random_(3, T + 1)
    x = torch.LongTensor(batch_size, T).random_(13, vocab)
    mask = torch.ByteTensor(batch_size, T).zero_()
    for i in range(batch_size):
        l = lengths[i]
        x[i, torch.LongTensor(1).random_(0, l)[0]] = 10 + y[i]
        if l < T:
            x[i, l:] = 0
            mask[i, l:] = 1
    return x, mask, y, lengths.float() / T


class AttentionClassifier(nn.Module):
    def __init__(self, vocab, emb, n_classes):
        super(AttentionClassifier, self).__init__()
        self.embed = nn.Embedding(vocab, emb, padding_idx=0)
        self.position = nn.Linear(1, emb)
        self.att = nn.Linear(emb, 1)
        self.out = nn.Linear(emb, n_classes)
        self.length = nn.Linear(emb, 1)
        for layer in (self.position, self.att, self.out, self.length):
            nn.init.xavier_uniform(layer.weight)
            nn.init.constant(layer.bias, 0)

    def forward(self, x, mask):
        steps = x.size(1)
        pos = Variable(torch.arange(0, steps).view(1, steps, 1)) / steps
        e = self.embed(x) + self.position(pos)
        scores = self.att(F.tanh(e)).squeeze(2)
        scores.data.masked_fill_(mask, -float('inf'))
        attn = F.softmax(scores)
        context = torch.bmm(attn.unsqueeze(1), e).squeeze(1)
        return self.out(context), self.length(context).squeeze(1)


model = AttentionClassifier(vocab, 16, n_classes)
optimizer = optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
test_x, test_mask, test_y, test_len = make_batch(200)

for epoch in range(1, 6):
    model.train()
    total_loss = 0
    for step in range(20):
        x, mask, y, length = make_batch(32)
        x, y, length = Variable(x), Variable(y), Variable(length)
        optimizer.zero_grad()
        logits, predicted_length = model(x, mask)
        class_loss = criterion(logits, y)
        length_loss = F.mse_loss(predicted_length, length)
        class_loss.backward(retain_variables=True)
        length_loss.backward()
        torch.nn.utils.clip_grad_norm(model.parameters(), 1.0)
        optimizer.step()
        total_loss += class_loss.data[0]

    model.eval()
    logits, predicted_length = model(Variable(test_x, volatile=True), test_mask)
    _, pred = torch.max(logits, 1)
    correct = (pred == Variable(test_y)).data.sum()
    test_loss = F.cross_entropy(logits, Variable(test_y), size_average=False).data[0] / len(test_y)
    length_error = (predicted_length.data - test_len).abs().mean()
    print('epoch %d train loss %.6f test loss %.6f accuracy %d/%d length error %.6f' % (
        epoch, total_loss / 20, test_loss, correct, len(test_y), length_error))

print('attention weights of test sentence 0:', F.softmax(
    model.att(F.tanh(model.embed(Variable(test_x[:1])))).squeeze(2)).data[0, :4].tolist())
