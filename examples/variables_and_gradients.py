"""The seed lesson "파이토치 기초 / 2. 변수와 그라디언트" (shared/seed/variables_and_gradients.md) as a
PyTorch 0.3 script: its cells in order, code unchanged, each displayed value printed.

Run it unchanged with `python -m varshim examples/variables_and_gradients.py`, or replace the
import below with `from varshim import Variable` and run it with plain `python`. On plain
torch 2.13 its last cell fails ("Mismatch in shape"): see docs/compatibility.md.
"""

# ## 2.1 변수
# - 변수는 텐서를 덧씌울 수 있다.
# - 그라디언트들이 쌓이게 허용해 준다.

# In [2]:
import torch
from torch.autograd import Variable

# In [3]:
a = Variable(torch.ones(2, 2), requires_grad = True)
print(a)

# In [4]:
# 변수가 아닌 경우
print(torch.ones(2, 2))

# In [5]:
# 텐서와 유사하게 동작한다.
b = Variable(torch.ones(2, 2), requires_grad = True)

# In [7]:
print (a + b)

# In [8]:
print (torch.add(a, b))

# In [9]:
print (a * b)
print (torch.mul(a, b))

# ## 2.2 그라디언트
# requires_grad: 변수들에 관해 그라디언트 계산이 가능하도록 해 주는 옵션이다.
# y_i = 5(x_i + 1)^2

# In [49]:
x = Variable(torch.ones(2), requires_grad=True)
print(x)

# In [50]:
y = 5 * (x + 1) ** 2
print(y)

# Backward 는 오직 스칼라(즉, 1차원 텐서) 혹은 변수들에 대한 그라디언트에서 호출되어야 한다.
# o = 1/2 sum_i y_i;  do/dx_i = 1/2 [10 (x_i + 1)] = 10 at x_i = 1

# In [51]:
o = (1/2) * torch.sum(y)
print(o)

# In [16]:
o.backward() # 이때 gradient 계산한다

# In [17]:
print(x.grad) # 계산한 gradient는 이렇게 확인한다.

# The lesson's execution counts (49-51 after 16-17, then 52) show that x, y and o were
# re-run before "backward in detail": the graph of In [16] is freed by its backward and x.grad
# shows 10, not an accumulated 20. Rebuild them here as the notebook did.
x = Variable(torch.ones(2), requires_grad=True)
y = 5 * (x + 1) ** 2
o = (1/2) * torch.sum(y)

# In [52]:
# backward in detail
o.backward(torch.FloatTensor([1.0, 1.0]))
print(x.grad)
