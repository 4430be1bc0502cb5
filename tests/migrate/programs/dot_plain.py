"""Legacy (PyTorch 0.3) arithmetic on plain tensors the program makes: `torch.dot` and `.dot` of 2-D
Tensors (0.3 read them as flat vectors and returned a Python number), printed with '%' formats."""
import torch
from torch.autograd import Variable

torch.manual_seed(0)
a = torch.randn(2, 3)
b = torch.randn(3, 2)
print('dot %.6f' % torch.dot(a, b))
print('method %.6f' % a.dot(a))
w = Variable(torch.randn(2, 3), requires_grad=True)
(w * Variable(a)).sum().backward()
print('grad %.6f' % torch.dot(w.grad.data, a))
