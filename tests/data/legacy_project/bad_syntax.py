"""`async=` on line 4 is fine under varshim; the unclosed parenthesis on line 6 is the user's error."""
import torch

y = torch.ones(2).cuda(async=True)

z = (1 +
