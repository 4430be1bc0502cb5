"""VS4xx: legacy Function classes and their F()(x) calls."""

from tests.support.rulecase import RuleCase

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


class TestLegacyFunction(RuleCase):
    CODE = "VS4"

    def test_instance_methods_become_static_with_ctx(self):
        self.assertRewrite(LEGACY, MODERN)

    def test_keywords_and_attributes_named_like_the_instance_are_kept(self):
        before = HEADER + "class F(Function):\n    def forward(self, x):\n        return g(self=x.self)\n" \
                          "    def backward(self, g):\n        return g\n"
        after = HEADER + "class F(Function):\n    @staticmethod\n    def forward(ctx, x):\n        return g(self=x.self)\n" \
                         "    @staticmethod\n    def backward(ctx, g):\n        return g\n"
        self.assertRewrite(before, after)

    def test_constructor_state_needs_a_human(self):
        source = HEADER + ("class Scale(Function):\n    def __init__(self, k):\n        self.k = k\n"
                           "    def forward(self, x):\n        return x * self.k\n"
                           "    def backward(self, g):\n        return g * self.k\n"
                           "y = Scale(2)(x)\n")
        self.assertUnchanged(source, ["VS401 line 3", "VS402 line 10"])

    def test_kept_instance_needs_a_human(self):
        source = HEADER + ("class Id(Function):\n    def forward(self, x):\n        return x\n"
                           "    def backward(self, g):\n        return g\n"
                           "f = Id()\ny = f(x)\n")
        self.assertUnchanged(source, ["VS401 line 3"])

    def test_new_style_functions_unchanged(self):
        self.assertUnchanged(MODERN)


class TestLegacyFunctionCall(RuleCase):
    CODE = "VS402"

    def test_call_site_alone(self):
        # Selected alone the call is rewritten exactly where the class is rewritable.
        self.assertCodemod(LEGACY, LEGACY.replace("MyReLU()(x)", "MyReLU.apply(x)"), codes=("VS402",))
