"""examples/legacy/attention_classifier.py written for modern torch (the same computation, no varshim)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(3)
vocab, T, n_classes = 30, 8, 3


def make_batch(batch_size):
    y = torch.randint(0, n_classes, (batch_size,))
    lengths = torch.randint(3, T + 1, (batch_size,))
    x = torch.randint(13, vocab, (batch_size, T))
    mask = torch.zeros(batch_size, T, dtype=torch.bool)
    for i in range(batch_size):
        l = lengths[i].item()
        x[i, torch.randint(0, l, (1,))[0]] = 10 + y[i]
        if l < T:
            x[i, l:] = 0
            mask[i, l:] = True
    return x, mask, y, lengths.float() / T


class AttentionClassifier(nn.Module):
    def __init__(self, vocab, emb, n_classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb, padding_idx=0)
        self.position = nn.Linear(1, emb)
        self.att = nn.Linear(emb, 1)
        self.out = nn.Linear(emb, n_classes)
        self.length = nn.Linear(emb, 1)
        for layer in (self.position, self.att, self.out, self.length):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.constant_(layer.bias, 0)

    def forward(self, x, mask):
        steps = x.size(1)
        pos = torch.arange(0, steps, dtype=torch.float).view(1, steps, 1) / steps
        e = self.embed(x) + self.position(pos)
        scores = self.att(torch.tanh(e)).squeeze(2)
        scores = scores.masked_fill(mask, -float('inf'))
        attn = F.softmax(scores, dim=1)
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
        optimizer.zero_grad()
        logits, predicted_length = model(x, mask)
        class_loss = criterion(logits, y)
        length_loss = F.mse_loss(predicted_length, length)
        class_loss.backward(retain_graph=True)
        length_loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total_loss += class_loss.item()

    model.eval()
    with torch.no_grad():
        logits, predicted_length = model(test_x, test_mask)
        pred = logits.argmax(1)
        correct = (pred == test_y).sum().item()
        test_loss = F.cross_entropy(logits, test_y, reduction='sum').item() / len(test_y)
        length_error = (predicted_length - test_len).abs().mean().item()
    print('epoch %d train loss %.6f test loss %.6f accuracy %d/%d length error %.6f' % (
        epoch, total_loss / 20, test_loss, correct, len(test_y), length_error))

with torch.no_grad():
    weights = F.softmax(model.att(torch.tanh(model.embed(test_x[:1]))).squeeze(2), dim=1)
print('attention weights of test sentence 0:', weights[0, :4].tolist())
