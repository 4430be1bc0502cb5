"""VS8xx: APIs torch 2.x removed (torch._six, linear algebra, the 1.7 FFT, stft, masks, DataLoader names)."""

from tests.support.rulecase import RuleCase

H = "import torch\n"


class TestTorchSix(RuleCase):
    CODE = "VS801"

    def test_names_become_standard_library_statements(self):
        self.assertRewrite(
            H + "from torch._six import container_abcs, string_classes, int_classes, inf  # compat\nx = 1\n",
            H + "import collections.abc as container_abcs\nstring_classes = (str, bytes)\nint_classes = int\n"
                "from math import inf  # compat\nx = 1\n",
        )
        self.assertRewrite(H + "from torch._six import inf as INF, PY3, FileNotFoundError\n",
                           H + "from math import inf as INF\nPY3 = True\n")

    def test_module_uses_and_helpers_need_a_human(self):
        self.assertUnchanged(H + "import torch._six\nif isinstance(x, torch._six.string_classes):\n    pass\n",
                             ["VS801 line 2", "VS801 line 3"])
        self.assertUnchanged(H + "from torch._six import with_metaclass\n", ["VS801 line 2"])
        self.assertUnchanged(H + "if True:\n    from torch._six import inf\n", ["VS801 line 3"])

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "from math import inf\nimport six\nfrom six import string_types\n")


class TestSymeig(RuleCase):
    CODE = "VS802"

    def test_eigenvectors_and_values(self):
        self.assertRewrite(
            H + "e, v = torch.symeig(a, eigenvectors=True)\nw, u = a.symeig(True, False)\n"
                "l = torch.symeig(a)[0]\nm = torch.symeig(a, upper=False).eigenvalues\n",
            H + "e, v = torch.linalg.eigh(a, UPLO='U')\nw, u = torch.linalg.eigh(a, UPLO='L')\n"
                "l = torch.linalg.eigvalsh(a, UPLO='U')\nm = torch.linalg.eigvalsh(a, UPLO='L')\n",
        )

    def test_tuple_of_values_needs_a_human(self):
        self.assertUnchanged(H + "e, _ = torch.symeig(a)\nf = torch.symeig(a, eigenvectors=flag)\n",
                             ["VS802 line 2", "VS802 line 3"])

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "e, v = torch.linalg.eigh(a)\n")


class TestEigAndLstsq(RuleCase):
    def test_reported_with_the_modern_call(self):
        for code, source in (("VS803", "l, v = torch.eig(a, eigenvectors=True)\n"),
                             ("VS804", "x, qr = torch.lstsq(b, a)\n"), ("VS804", "x, qr = torch.gels(b, a)\n")):
            self.CODE = code
            self.assertUnchanged(H + source, [f"{code} line 2"])
        self.CODE = "VS804"
        self.assertUnchanged(H + "x = torch.linalg.lstsq(a, b).solution\n")


class TestSolve(RuleCase):
    CODE = "VS805"

    def test_the_solution_is_linalg_solve_with_arguments_reversed(self):
        self.assertRewrite(H + "x = torch.solve(b, a)[0]\ny = b.solve(a).solution\nz = torch.gesv(b, a)[0]\n",
                           H + "x = torch.linalg.solve(a, b)\ny = torch.linalg.solve(a, b)\nz = torch.linalg.solve(a, b)\n")

    def test_the_lu_needs_a_human(self):
        self.assertUnchanged(H + "x, lu = torch.solve(b, a)\n", ["VS805 line 2"])

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "x = torch.linalg.solve(a, b)\ny = scipy.linalg.solve(a, b)\n")


class TestMatrixRank(RuleCase):
    CODE = "VS806"

    def test_tolerance_and_symmetry(self):
        self.assertRewrite(
            H + "r = torch.matrix_rank(a)\ns = torch.matrix_rank(a, 1e-3)\nt = torch.matrix_rank(a, symmetric=True)\n",
            H + "r = torch.linalg.matrix_rank(a)\ns = torch.linalg.matrix_rank(a, atol=1e-3, rtol=0)\n"
                "t = torch.linalg.matrix_rank(a, hermitian=True)\n",
        )

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "r = torch.linalg.matrix_rank(a)\nq = numpy.linalg.matrix_rank(a)\n")


class TestLapackNames(RuleCase):
    CODE = "VS807"

    def test_upper_defaults_are_kept(self):
        self.assertRewrite(
            H + "u = torch.potrf(a)\nl = a.potrf(upper=False)\nx = torch.potrs(b, u)\ni = u.potri()\n"
                "lu, piv = torch.btrifact(a)\ny = torch.btrisolve(b, lu, piv)\np, L, U = torch.btriunpack(lu, piv)\n",
            H + "u = torch.linalg.cholesky(a, upper=True)\nl = torch.linalg.cholesky(a, upper=False)\n"
                "x = torch.cholesky_solve(b, u, upper=True)\ni = torch.cholesky_inverse(u, upper=True)\n"
                "lu, piv = torch.linalg.lu_factor(a, pivot=True)\ny = torch.linalg.lu_solve(lu, piv, b)\n"
                "p, L, U = torch.lu_unpack(lu, piv)\n",
        )

    def test_results_of_another_shape_need_a_human(self):
        self.assertUnchanged(H + "x, a2 = torch.trtrs(b, a)\nlu, piv, info = torch.btrifact_with_info(a)\n",
                             ["VS807 line 2", "VS807 line 3"])

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "u = torch.linalg.cholesky(a)\n")


class TestOldFFT(RuleCase):
    CODE = "VS808"

    def test_one_to_three_signal_dims(self):
        self.assertRewrite(
            H + "f = torch.rfft(x, 1)\ng = torch.rfft(x, 2, normalized=True)\nh = x.rfft(1, onesided=False)\n"
                "c = torch.fft(z, 1)\nd = torch.ifft(z, 3)\nr = torch.irfft(f, 1)\ns = torch.irfft(f, 1, signal_sizes=(9,))\n"
                "t = torch.irfft(f, 2, signal_sizes=size)\n",
            H + "f = torch.view_as_real(torch.fft.rfft(x))\n"
                "g = torch.view_as_real(torch.fft.rfftn(x, dim=(-2, -1), norm='ortho'))\n"
                "h = torch.view_as_real(torch.fft.fft(x))\n"
                "c = torch.view_as_real(torch.fft.fft(torch.view_as_complex(z.contiguous())))\n"
                "d = torch.view_as_real(torch.fft.ifftn(torch.view_as_complex(z.contiguous()), dim=(-3, -2, -1)))\n"
                "r = torch.fft.irfft(torch.view_as_complex(f.contiguous()))\n"
                "s = torch.fft.irfft(torch.view_as_complex(f.contiguous()), n=9)\n"
                "t = torch.fft.irfftn(torch.view_as_complex(f.contiguous()), s=size, dim=(-2, -1))\n",
        )

    def test_unknown_flags_need_a_human(self):
        self.assertUnchanged(H + "f = torch.rfft(x, d)\ng = torch.irfft(f, 1, onesided=False)\n",
                             ["VS808 line 2", "VS808 line 3"])

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "f = torch.fft.rfft(x)\ng = torch.fft.fft(x, 8)\nh = numpy.fft.fft(x)\n")


class TestStftReal(RuleCase):
    CODE = "VS809"

    def test_return_complex_and_the_real_layout(self):
        self.assertRewrite(H + "s = torch.stft(x, 400, hop_length=160)\nt = x.stft(64)\n",
                           H + "s = torch.view_as_real(torch.stft(x, 400, hop_length=160, return_complex=True))\n"
                               "t = torch.view_as_real(x.stft(64, return_complex=True))\n")

    def test_modern_unchanged(self):
        self.assertUnchanged(H + "s = torch.stft(x, 400, return_complex=True)\n")


class TestBoolMaskArithmetic(RuleCase):
    CODE = "VS810"

    def test_inversion_used_as_a_mask_becomes_invert(self):
        self.assertRewrite(
            H + "mask = src == 0\ny = x.masked_fill(1 - mask, 0)\nz = x[1 - (a > b)]\nn = (1 - mask).sum()\n",
            H + "mask = src == 0\ny = x.masked_fill(~mask, 0)\nz = x[~(a > b)]\nn = (~mask).sum()\n",
        )

    def test_other_uses_and_negation_need_a_human(self):
        self.assertUnchanged(H + "mask = a > b\nk = 1 - mask\nn = -mask\n", ["VS810 line 3", "VS810 line 4"])

    def test_numbers_and_unknown_operands_unchanged(self):
        self.assertUnchanged(H + "a = 1 - x\nb = 1 - (2 > 1)\nc = 1 - mask.byte()\nd = -x\n")


class TestByteMasks(RuleCase):
    CODE = "VS811"

    def test_byte_casts_at_the_mask_become_bool(self):
        self.assertRewrite(H + "y = x.masked_fill((a > 0).byte(), 0)\nx[m.byte()] = 0\nz = torch.masked_select(x, m.byte())\n",
                           H + "y = x.masked_fill((a > 0).bool(), 0)\nx[m.bool()] = 0\nz = torch.masked_select(x, m.bool())\n")

    def test_byte_masks_made_elsewhere_need_a_human(self):
        self.assertUnchanged(H + "pad = torch.ByteTensor([1, 0])\ny = x.masked_fill(pad, 0)\n", ["VS811 line 3"])

    def test_bool_masks_unchanged(self):
        self.assertUnchanged(H + "y = x.masked_fill(m.bool(), 0)\nz = x[idx.long()]\n")


class TestDataLoaderNames(RuleCase):
    CODE = "VS812"

    def test_private_names_need_a_human(self):
        self.assertUnchanged("from torch.utils.data.dataloader import default_collate, numpy_type_map\n"
                             "from torch.utils.data.dataloader import _DataLoaderIter\n", ["VS812 line 1", "VS812 line 2"])

    def test_public_names_unchanged(self):
        self.assertUnchanged("from torch.utils.data.dataloader import default_collate, DataLoader\n")


class TestModuleFunctionsOfTheSameName(RuleCase):
    def test_numpy_and_scipy_functions_are_not_tensor_methods(self):
        source = "import numpy as np\nimport scipy.linalg\nw, v = np.linalg.eig(a)\nx = np.linalg.lstsq(a, b)\n" \
                 "y = scipy.linalg.solve(a, b)\nf = np.fft.fft(x, 8)\nr = np.linalg.matrix_rank(a)\n"
        for code in ("VS802", "VS803", "VS804", "VS805", "VS806", "VS808"):
            self.CODE = code
            self.assertUnchanged(source)
