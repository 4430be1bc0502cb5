"""Legacy autograd: a hand-written Function, creator, retain_variables, autograd.backward keywords."""
import torch
from torch import autograd
from torch.autograd import Function, Variable


class MyReLU(Function):
    def forward(self, input):
        self.save_for_backward(input)
        return input.clamp(min=0)

    def backward(self, grad_output):
        input, = self.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


torch.manual_seed(1)
x = Variable(torch.randn(4, 5), requires_grad=True)
w = Variable(torch.randn(5, 2), requires_grad=True)
h = MyReLU()(x.mm(w))
print("has creator:", h.creator is not None)
loss = (h * h).sum()
loss.backward(torch.ones(1), retain_variables=True)
print("grad x %.6f" % x.grad.data.abs().sum())
loss.backward()
print("grad w twice %.6f" % w.grad.data.sum())
z = (x * 3).sum(1)
autograd.backward(variables=[z], grad_variables=[torch.ones(4)])
print("grad x after z %.6f" % x.grad.data.sum())
