"""VS8xx cases: APIs torch 2.x removed (torch._six, linear algebra, the 1.7 FFT, stft, masks, DataLoader names)."""

from tests.migrate.rules import STYLE_2019
from tests.support.rule_cases import rewrite, unchanged

H = "import torch\n"

CHECKPOINT = """\
import os
import tempfile
import torch
from torch.autograd import Variable
save = os.path.join(tempfile.mkdtemp(), 'model.pt')
with open(save, 'wb') as f:
    torch.save(model, f)
with open(save, 'rb') as f:
    model = {load}
"""
TRUST = ("    # weights_only=False: {shown} is this program's own whole-object checkpoint (torch.save in {writer}); "
         "unpickling runs code, so load only files you trust\n")
ARGS = ("import argparse\nimport torch\nfrom torch.autograd import Variable\nparser = argparse.ArgumentParser()\n"
        "parser.add_argument('--save', type=str, default='model.pt')\nargs = parser.parse_args()\n")

CASES = [
    rewrite('VS801', 'names become standard library statements',
            H + 'from torch._six import container_abcs, string_classes, int_classes, inf  # compat\nx = 1\n',
            H + 'import collections.abc as container_abcs\nstring_classes = (str, bytes)\nint_classes = int\nfrom math import inf  # compat\nx = 1\n'),
    rewrite('VS801', 'names become standard library statements 2',
            H + 'from torch._six import inf as INF, PY3, FileNotFoundError\n',
            H + 'from math import inf as INF\nPY3 = True\n'),
    unchanged('VS801', 'module uses and helpers need a human',
              H + 'import torch._six\nif isinstance(x, torch._six.string_classes):\n    pass\n',
              human=['VS801 line 2', 'VS801 line 3']),
    unchanged('VS801', 'module uses and helpers need a human 2',
              H + 'from torch._six import with_metaclass\n',
              human=['VS801 line 2']),
    unchanged('VS801', 'module uses and helpers need a human 3',
              H + 'if True:\n    from torch._six import inf\n',
              human=['VS801 line 3']),
    unchanged('VS801', 'modern unchanged',
              H + 'from math import inf\nimport six\nfrom six import string_types\n'),
    rewrite('VS802', 'eigenvectors and values',
            H + 'e, v = torch.symeig(a, eigenvectors=True)\nw, u = a.symeig(True, False)\nl = torch.symeig(a)[0]\nm = torch.symeig(a, upper=False).eigenvalues\n',
            H + "e, v = torch.linalg.eigh(a, UPLO='U')\nw, u = torch.linalg.eigh(a, UPLO='L')\nl = torch.linalg.eigvalsh(a, UPLO='U')\nm = torch.linalg.eigvalsh(a, UPLO='L')\n"),
    unchanged('VS802', 'tuple of values needs a human',
              H + 'e, _ = torch.symeig(a)\nf = torch.symeig(a, eigenvectors=flag)\n',
              human=['VS802 line 2', 'VS802 line 3']),
    unchanged('VS802', 'modern unchanged',
              H + 'e, v = torch.linalg.eigh(a)\n'),
    unchanged('VS803', 'reported with the modern call',
              H + 'l, v = torch.eig(a, eigenvectors=True)\n',
              human=['VS803 line 2']),
    unchanged('VS804', 'reported with the modern call',
              H + 'x, qr = torch.lstsq(b, a)\n',
              human=['VS804 line 2']),
    unchanged('VS804', 'reported with the modern call 2',
              H + 'x, qr = torch.gels(b, a)\n',
              human=['VS804 line 2']),
    unchanged('VS804', 'reported with the modern call 3',
              H + 'x = torch.linalg.lstsq(a, b).solution\n'),
    rewrite('VS805', 'the solution is linalg solve with arguments reversed',
            H + 'x = torch.solve(b, a)[0]\ny = b.solve(a).solution\nz = torch.gesv(b, a)[0]\n',
            H + 'x = torch.linalg.solve(a, b)\ny = torch.linalg.solve(a, b)\nz = torch.linalg.solve(a, b)\n'),
    unchanged('VS805', 'the lu needs a human',
              H + 'x, lu = torch.solve(b, a)\n',
              human=['VS805 line 2']),
    unchanged('VS805', 'modern unchanged',
              H + 'x = torch.linalg.solve(a, b)\ny = scipy.linalg.solve(a, b)\n'),
    rewrite('VS806', 'tolerance and symmetry',
            H + 'r = torch.matrix_rank(a)\ns = torch.matrix_rank(a, 1e-3)\nt = torch.matrix_rank(a, symmetric=True)\n',
            H + 'r = torch.linalg.matrix_rank(a)\ns = torch.linalg.matrix_rank(a, atol=1e-3, rtol=0)\nt = torch.linalg.matrix_rank(a, hermitian=True)\n'),
    unchanged('VS806', 'modern unchanged',
              H + 'r = torch.linalg.matrix_rank(a)\nq = numpy.linalg.matrix_rank(a)\n'),
    rewrite('VS807', 'upper defaults are kept',
            H + 'u = torch.potrf(a)\nl = a.potrf(upper=False)\nx = torch.potrs(b, u)\ni = u.potri()\nlu, piv = torch.btrifact(a)\ny = torch.btrisolve(b, lu, piv)\np, L, U = torch.btriunpack(lu, piv)\n',
            H + 'u = torch.linalg.cholesky(a, upper=True)\nl = torch.linalg.cholesky(a, upper=False)\nx = torch.cholesky_solve(b, u, upper=True)\ni = torch.cholesky_inverse(u, upper=True)\nlu, piv = torch.linalg.lu_factor(a, pivot=True)\ny = torch.linalg.lu_solve(lu, piv, b)\np, L, U = torch.lu_unpack(lu, piv)\n'),
    unchanged('VS807', 'results of another shape need a human',
              H + 'x, a2 = torch.trtrs(b, a)\nlu, piv, info = torch.btrifact_with_info(a)\n',
              human=['VS807 line 2', 'VS807 line 3']),
    unchanged('VS807', 'modern unchanged',
              H + 'u = torch.linalg.cholesky(a)\n'),
    rewrite('VS808', 'one to three signal dims',
            H + 'f = torch.rfft(x, 1)\ng = torch.rfft(x, 2, normalized=True)\nh = x.rfft(1, onesided=False)\nc = torch.fft(z, 1)\nd = torch.ifft(z, 3)\nr = torch.irfft(f, 1)\ns = torch.irfft(f, 1, signal_sizes=(9,))\nt = torch.irfft(f, 2, signal_sizes=size)\n',
            H + "f = torch.view_as_real(torch.fft.rfft(x))\ng = torch.view_as_real(torch.fft.rfftn(x, dim=(-2, -1), norm='ortho'))\nh = torch.view_as_real(torch.fft.fft(x))\nc = torch.view_as_real(torch.fft.fft(torch.view_as_complex(z.contiguous())))\nd = torch.view_as_real(torch.fft.ifftn(torch.view_as_complex(z.contiguous()), dim=(-3, -2, -1)))\nr = torch.fft.irfft(torch.view_as_complex(f.contiguous()))\ns = torch.fft.irfft(torch.view_as_complex(f.contiguous()), n=9)\nt = torch.fft.irfftn(torch.view_as_complex(f.contiguous()), s=size, dim=(-2, -1))\n"),
    unchanged('VS808', 'unknown flags need a human',
              H + 'f = torch.rfft(x, d)\ng = torch.irfft(f, 1, onesided=False)\n',
              human=['VS808 line 2', 'VS808 line 3']),
    unchanged('VS808', 'modern unchanged',
              H + 'f = torch.fft.rfft(x)\ng = torch.fft.fft(x, 8)\nh = numpy.fft.fft(x)\n'),
    rewrite('VS809', 'return complex and the real layout',
            H + 's = torch.stft(x, 400, hop_length=160)\nt = x.stft(64)\n',
            H + 's = torch.view_as_real(torch.stft(x, 400, hop_length=160, return_complex=True))\nt = torch.view_as_real(x.stft(64, return_complex=True))\n'),
    unchanged('VS809', 'modern unchanged',
              H + 's = torch.stft(x, 400, return_complex=True)\n'),
    rewrite('VS810', 'inversion used as a mask becomes invert',
            H + 'mask = src == 0\ny = x.masked_fill(1 - mask, 0)\nz = x[1 - (a > b)]\nn = (1 - mask).sum()\n',
            H + 'mask = src == 0\ny = x.masked_fill(~mask, 0)\nz = x[~(a > b)]\nn = (~mask).sum()\n'),
    unchanged('VS810', 'other uses and negation need a human',
              H + 'mask = a > b\nk = 1 - mask\nn = -mask\n',
              human=['VS810 line 3', 'VS810 line 4']),
    unchanged('VS810', 'numbers and unknown operands unchanged',
              H + 'a = 1 - x\nb = 1 - (2 > 1)\nc = 1 - mask.byte()\nd = -x\n'),
    rewrite('VS811', 'byte casts at the mask become bool',
            H + 'y = x.masked_fill((a > 0).byte(), 0)\nx[m.byte()] = 0\nz = torch.masked_select(x, m.byte())\n',
            H + 'y = x.masked_fill((a > 0).bool(), 0)\nx[m.bool()] = 0\nz = torch.masked_select(x, m.bool())\n'),
    unchanged('VS811', 'byte masks made elsewhere need a human',
              H + 'pad = torch.ByteTensor([1, 0])\ny = x.masked_fill(pad, 0)\n',
              human=['VS811 line 3']),
    unchanged('VS811', 'a byte mask made in a batch helper and passed to forward needs a human',
              'import torch\nimport torch.nn as nn\nfrom torch.autograd import Variable\n'
              'def make_batch(n):\n    mask = torch.ByteTensor(n, 5).zero_()\n    return torch.randn(n, 5), mask\n'
              'class M(nn.Module):\n    def forward(self, x, mask):\n        return x.masked_fill(mask, 0)\n'
              'model = M()\nx, mask = make_batch(3)\nmodel(Variable(x), Variable(mask))\n',
              human=['VS811 line 9']),
    unchanged('VS811', '2019 style: a bool mask passed to forward unchanged',
              'import torch\nimport torch.nn as nn\n'
              'def make_batch(n):\n    mask = torch.zeros(n, 5, dtype=torch.bool)\n    return torch.randn(n, 5), mask\n'
              'class M(nn.Module):\n    def forward(self, x, mask):\n        return x.masked_fill(mask, 0)\n'
              'model = M()\nx, mask = make_batch(3)\nmodel(x, mask)\n'),
    unchanged('VS811', 'bool masks unchanged',
              H + 'y = x.masked_fill(m.bool(), 0)\nz = x[idx.long()]\n'),
    unchanged('VS812', 'private names need a human',
              'from torch.utils.data.dataloader import default_collate, numpy_type_map\nfrom torch.utils.data.dataloader import _DataLoaderIter\n',
              human=['VS812 line 1', 'VS812 line 2']),
    unchanged('VS812', 'public names unchanged',
              'from torch.utils.data.dataloader import default_collate, DataLoader\n'),
    unchanged('VS802', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    unchanged('VS803', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    unchanged('VS804', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    unchanged('VS805', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    unchanged('VS806', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    unchanged('VS808', 'numpy and scipy functions are not tensor methods',
              'import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\ny = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n'),
    # VS813 torch.load of a whole pickled model
    rewrite("VS813", "the program loads its own whole-model checkpoint", CHECKPOINT.format(load="torch.load(f)"),
            CHECKPOINT.format(load="torch.load(f, weights_only=False)").replace(
                "with open(save, 'rb') as f:\n", "with open(save, 'rb') as f:\n" + TRUST.format(shown="f", writer="this file"))),
    rewrite("VS813", "an argparse path and a literal",
            ARGS + "torch.save(model, args.save)\nmodel = torch.load('./model.pt')\n",
            ARGS + "torch.save(model, args.save)\n" + TRUST.format(shown="model.pt", writer="this file").strip()
            + "\nmodel = torch.load('./model.pt', weights_only=False)\n"),
    unchanged("VS813", "a file nobody here wrote needs a human in legacy files",
              "import torch\nfrom torch.autograd import Variable\nmodel = torch.load('downloaded.pt')\n", human=["VS813 line 3"]),
    unchanged("VS813", "state dicts, explicit flags and modern files",
              "import torch\nfrom torch.autograd import Variable\ntorch.save(model.state_dict(), 'm.pt')\n"
              "model.load_state_dict(torch.load('m.pt'))\nsd = torch.load('m.pt')\nx = torch.load(p, weights_only=True)\n"),
    unchanged("VS813", "a modern file's unknown load is its own business", "import torch\nm = torch.load(path)\n"),
    unchanged("VS813", "2019 style: an unknown load", STYLE_2019 + "m = torch.load(path, map_location=device)\n"),
]
