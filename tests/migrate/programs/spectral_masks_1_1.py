"""A 2019-style (PyTorch 1.1) program: torch._six, torch.symeig, torch.rfft, 1 - mask and a uint8
masked_fill, the idioms torch 2.x removed."""
import torch
from torch._six import container_abcs, string_classes, inf


def as_list(item):  # the default_collate idiom of 1.x
    if isinstance(item, string_classes):
        return [item]
    if isinstance(item, container_abcs.Sequence):
        return list(item)
    return [item]


torch.manual_seed(0)
signal = torch.randn(4, 16)
spectrum = torch.rfft(signal, 1)  # (4, 9, 2): real and imaginary parts
power = (spectrum ** 2).sum(-1)
covariance = power.t() @ power / 4
values, vectors = torch.symeig(covariance, eigenvectors=True)
print("spectrum", tuple(spectrum.shape), " ".join("%.5f" % v for v in power[0].tolist()))
print("eigenvalues", " ".join("%.4f" % v for v in values.tolist()[-3:]))
print("top vector", " ".join("%.5f" % v for v in vectors[:, -1].tolist()))

lengths = torch.tensor([9, 7, 5, 3])
pad = torch.arange(9).unsqueeze(0) >= lengths.unsqueeze(1)  # a uint8 mask in 1.1, bool since 1.2
scores = power.masked_fill(1 - pad, -inf)  # fill the kept positions
kept = (1 - pad).float().sum(1)
silenced = power.masked_fill(pad.byte(), 0.0)
print("kept", kept.tolist(), "scores", " ".join("%.4f" % v for v in scores[3].tolist()))
print("silenced", " ".join("%.4f" % v for v in silenced.sum(1).tolist()))
print("as_list", as_list("abc"), as_list((1, 2)), inf > 1e308)
