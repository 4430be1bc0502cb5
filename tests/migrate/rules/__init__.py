
# 2019 code that kept 0.3's import while using what 0.4 brought (torch.device, .to(device)): the
# 0.3-only rules (0-dim results, TH leniencies) must leave it alone (`Analysis.targets_0_3`).
STYLE_2019 = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
              "from torch.autograd import Variable\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n")
