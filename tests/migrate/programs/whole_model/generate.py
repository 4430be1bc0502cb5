"""Legacy (PyTorch 0.3) generation script, as pytorch/examples' word_language_model/generate.py
did: `torch.load` of the whole model main.py saved, then greedy sampling under volatile Variables."""
import argparse

import torch
from torch.autograd import Variable

parser = argparse.ArgumentParser()
parser.add_argument('--checkpoint', type=str, default='./char_model.pt')
args = parser.parse_args([])

chars = sorted(set("the cat sat on the mat. the dog sat on the log. "))
with open(args.checkpoint, 'rb') as f:
    model = torch.load(f)
model.eval()
hidden = model.init_hidden(1)
input = Variable(torch.LongTensor([[chars.index('t')]]), volatile=True)
words = 't'
for i in range(30):
    output, hidden = model(input, hidden)
    word_idx = int(output.data.numpy().argmax())
    input.data.fill_(word_idx)
    words += chars[word_idx]
print(words)
print('last logits sum %.6f' % output.data.sum())
