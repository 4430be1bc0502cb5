"""VS5xx cases: multinomial() defaults and reinforce."""

from tests.support.rule_cases import rewrite, unchanged

HEADER = "import torch\n"
REINFORCE_NOTE = ("# varshim: VS502 m = torch.distributions.Categorical(probs); action = m.sample(); "
                  "loss = -(m.log_prob(action) * reward).sum(); loss.backward()\n")

CASES = [
    # VS501 multinomial
    rewrite("VS501", "default sample count", HEADER + "a = probs.multinomial()\nb = torch.multinomial(p)\n",
            HEADER + "a = probs.multinomial(1)\nb = torch.multinomial(p, 1)\n"),
    rewrite("VS501", "with_replacement renamed",
            HEADER + "a = probs.multinomial(3, with_replacement=True)\nb = p.multinomial(with_replacement=True)\n",
            HEADER + "a = probs.multinomial(3, replacement=True)\nb = p.multinomial(1, replacement=True)\n"),
    unchanged("VS501", "modern calls", HEADER + "a = probs.multinomial(1)\nb = torch.multinomial(p, 2, replacement=True)\n"),
    # VS502 reinforce
    unchanged("VS502", "reinforce needs a human", HEADER + "action = probs.multinomial()\naction.reinforce(r)\n",
              human=["VS502 line 3"]),
    rewrite("VS502", "annotated once", HEADER + "action.reinforce(r)  # reward\n",
            HEADER + REINFORCE_NOTE + "action.reinforce(r)  # reward\n", human=["VS502 line 2"], annotate=True),
]
