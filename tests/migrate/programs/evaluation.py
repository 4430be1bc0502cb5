"""Legacy evaluation loop: TensorDataset keywords, volatile inference, softmax without dim, accuracy."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
features = torch.randn(40, 6)
labels = (features[:, 0] > 0).long()
loader = DataLoader(TensorDataset(data_tensor=features, target_tensor=labels), batch_size=10)
model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

for epoch in range(3):
    for data, target in loader:
        data, target = Variable(data), Variable(target)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    print("epoch %d loss %.6f" % (epoch, loss.data[0]))


def evaluate():
    model.eval()
    test_loss = 0
    correct = 0
    for data, target in loader:
        data, target = Variable(data, volatile=True), Variable(target)
        output = model(data)
        test_loss += F.cross_entropy(output, target, size_average=False).data[0]
        pred = output.data.max(1)[1]
        correct += int(pred.eq(target.data).sum())
    print("test loss %.6f accuracy %d/40" % (test_loss / 40, correct))


evaluate()
probs = F.softmax(Variable(torch.randn(3, 4)))
print("softmax rows", " ".join("%.5f" % v for v in probs.data.sum(1).tolist()))
print("volatile output requires grad:", model(Variable(features[:2], volatile=True)).requires_grad)
