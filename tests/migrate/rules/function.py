"""VS4xx cases: legacy Function classes and their F()(x) calls."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\nfrom torch.autograd import Function\n"

LEGACY = HEADER + '''
class MyReLU(Function):
    """Hand-written ReLU."""

    def __init__(self):
        super(MyReLU, self).__init__()

    def forward(self, x):
        self.save_for_backward(x)
        self.scale = 1  # state set in forward is ctx state
        return x.clamp(min=0)

    def backward(self, grad):
        x, = self.saved_tensors
        return grad * (x > 0).float() * self.scale


y = MyReLU()(x)
'''

MODERN = HEADER + '''
class MyReLU(Function):
    """Hand-written ReLU."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.scale = 1  # state set in forward is ctx state
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (x > 0).float() * ctx.scale


y = MyReLU.apply(x)
'''

SCALE = HEADER + ("class Scale(Function):\n    def __init__(self, k):\n        self.k = k\n"
                  "    def forward(self, x):\n        return x * self.k\n"
                  "    def backward(self, g):\n        return g * self.k\n"
                  "y = Scale(2)(x)\n")
KEPT = HEADER + ("class Id(Function):\n    def forward(self, x):\n        return x\n"
                 "    def backward(self, g):\n        return g\n"
                 "f = Id()\ny = f(x)\n")

CASES = [
    rewrite("VS4", "instance methods become static with ctx", LEGACY, MODERN),
    rewrite("VS4", "keywords and attributes named like the instance are kept",
            HEADER + "class F(Function):\n    def forward(self, x):\n        return g(self=x.self)\n"
                     "    def backward(self, g):\n        return g\n",
            HEADER + "class F(Function):\n    @staticmethod\n    def forward(ctx, x):\n        return g(self=x.self)\n"
                     "    @staticmethod\n    def backward(ctx, g):\n        return g\n"),
    unchanged("VS4", "constructor state needs a human", SCALE, human=["VS401 line 3", "VS402 line 10"]),
    unchanged("VS4", "a kept instance needs a human", KEPT, human=["VS401 line 3"]),
    unchanged("VS4", "a use in a decorator needs a human",
              HEADER + "class Id(Function):\n    def forward(self, x):\n        return x\n    def backward(self, g):\n"
                       "        return g\n@register(\n    Id)\ndef helper(t):\n    return t\n",
              human=["VS401 line 3"]),
    unchanged("VS4", "new style functions", MODERN),
    # Selected alone the call is rewritten exactly where the class is rewritable.
    rewrite("VS402", "the call site alone", LEGACY, LEGACY.replace("MyReLU()(x)", "MyReLU.apply(x)")),
]
