"""VS5xx: multinomial() defaults and reinforce."""

from tests.support.rulecase import RuleCase

HEADER = "import torch\n"


class TestMultinomialDefaults(RuleCase):
    CODE = "VS501"

    def test_default_sample_count(self):
        self.assertRewrite(HEADER + "a = probs.multinomial()\nb = torch.multinomial(p)\n",
                           HEADER + "a = probs.multinomial(1)\nb = torch.multinomial(p, 1)\n")

    def test_with_replacement_renamed(self):
        self.assertRewrite(HEADER + "a = probs.multinomial(3, with_replacement=True)\nb = p.multinomial(with_replacement=True)\n",
                           HEADER + "a = probs.multinomial(3, replacement=True)\nb = p.multinomial(1, replacement=True)\n")

    def test_modern_unchanged(self):
        self.assertUnchanged(HEADER + "a = probs.multinomial(1)\nb = torch.multinomial(p, 2, replacement=True)\n")


class TestReinforce(RuleCase):
    CODE = "VS502"

    def test_reinforce_needs_a_human(self):
        self.assertUnchanged(HEADER + "action = probs.multinomial()\naction.reinforce(r)\n", ["VS502 line 3"])

    def test_annotated_once(self):
        source = HEADER + "action.reinforce(r)  # reward\n"
        annotated = HEADER + "# varshim: VS502 " + (
            "m = torch.distributions.Categorical(probs); action = m.sample(); "
            "loss = -(m.log_prob(action) * reward).sum(); loss.backward()\n"
        ) + "action.reinforce(r)  # reward\n"
        self.assertCodemod(source, annotated, codes=("VS502",), annotate=True)
        self.assertCodemod(annotated, annotated, codes=("VS502",), annotate=True)
