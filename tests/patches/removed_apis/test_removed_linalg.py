"""Restored linear algebra (varshim.patches.removed_apis.linalg) against the torch.linalg functions that
replaced them: 1.x argument order, defaults, result layout and shapes; gradients against modern
torch and the 1.x symeig backward formula."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from tests.support.legacy_program import modern_torch

torch64 = dict(dtype=torch.float64)
seeds = st.integers(0, 2**16)
sizes = st.integers(1, 5)
batches = st.sampled_from([(), (2,), (2, 3)])


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _spd(n, g, batch=()):
    a = torch.randn(*batch, n, n, generator=g, **torch64)
    return a @ a.mT + n * torch.eye(n, **torch64)


def _separated_symmetric(n, g, batch=()):
    """A symmetric matrix with eigenvalues at least 0.5 apart (stable eigenvector gradients)."""
    q, _ = torch.linalg.qr(torch.randn(*batch, n, n, generator=g, **torch64))
    values = torch.arange(n, **torch64) + torch.rand(*batch, n, generator=g, **torch64) * 0.5
    return q @ torch.diag_embed(values) @ q.mT


@pytest.mark.parametrize("name", ["symeig", "eig", "lstsq", "solve", "matrix_rank"])
def test_modern_torch_refuses_them(name):
    with modern_torch(), pytest.raises(RuntimeError, match="removed"):
        getattr(torch, name)(torch.eye(2), torch.eye(2)) if name in ("lstsq", "solve") else getattr(torch, name)(torch.eye(2))


# -- symeig ---------------------------------------------------------------------------------------


@given(seed=seeds, n=sizes, batch=batches, upper=st.booleans())
def test_symeig_reads_one_triangle_upper_by_default(seed, n, batch, upper):
    g = _gen(seed)
    a = torch.randn(*batch, n, n, generator=g, **torch64)  # not symmetric: only one triangle counts
    triangle = a.triu() if upper else a.tril()
    used = triangle + triangle.mT - torch.diag_embed(a.diagonal(dim1=-2, dim2=-1))
    values, vectors = torch.symeig(a, eigenvectors=True, upper=upper)
    assert torch.allclose(values, torch.linalg.eigvalsh(used))
    assert torch.allclose(vectors @ torch.diag_embed(values) @ vectors.mT, used)
    only = torch.symeig(a, upper=upper) if upper is False else torch.symeig(a)
    assert only.eigenvectors.shape == (0,) and only.eigenvectors.dtype == a.dtype
    assert torch.allclose(only.eigenvalues, values)
    assert torch.equal(a.symeig(eigenvectors=True, upper=upper)[0], values)


@given(seed=seeds, n=st.integers(2, 5))
def test_symeig_gradient_is_the_1x_formula(seed, n):
    # 1.x symeig_backward: sym(V (F * V^T gV + diag(gL)) V^T), F_ij = 1 / (l_j - l_i), sym(X) = (X + X^T) / 2
    g = _gen(seed)
    a = _separated_symmetric(n, g).requires_grad_()
    g_values, g_vectors = torch.randn(n, generator=g, **torch64), torch.randn(n, n, generator=g, **torch64)
    values, vectors = torch.symeig(a, eigenvectors=True)
    torch.autograd.backward([values, vectors], [g_values, g_vectors])
    lam, v = values.detach(), vectors.detach()
    f = 1 / (lam.unsqueeze(-2) - lam.unsqueeze(-1) + torch.eye(n, **torch64)) * (1 - torch.eye(n, **torch64))
    inner = v @ (f * (v.T @ g_vectors) + torch.diag(g_values)) @ v.T
    assert torch.allclose(a.grad, (inner + inner.T) / 2, atol=1e-8)


# -- eig ------------------------------------------------------------------------------------------


def test_eig_of_a_rotation_has_the_lapack_layout():
    values, vectors = torch.eig(torch.tensor([[0.0, -1.0], [1.0, 0.0]], **torch64), eigenvectors=True)
    assert values.tolist() == [[0.0, 1.0], [0.0, -1.0]]  # (real, imaginary) rows, positive imaginary first
    first = torch.complex(vectors[:, 0], vectors[:, 1])  # columns: real part, imaginary part
    assert torch.allclose(torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=torch.complex128) @ first, 1j * first)


@given(seed=seeds, n=sizes)
def test_eig_values_and_vectors_rebuild_the_complex_eigenpairs(seed, n):
    a = torch.randn(n, n, generator=_gen(seed), **torch64)
    values, vectors = torch.eig(a, eigenvectors=True)
    expected = torch.linalg.eigvals(a)
    assert values.shape == (n, 2) and torch.allclose(torch.view_as_complex(values.contiguous()), expected)
    lam = torch.view_as_complex(values.contiguous())
    complex_vectors = []
    for j in range(n):
        if lam[j].imag > 0:
            complex_vectors.append(torch.complex(vectors[:, j], vectors[:, j + 1]))
        elif lam[j].imag < 0:
            complex_vectors.append(torch.complex(vectors[:, j - 1], -vectors[:, j]))
        else:
            complex_vectors.append(vectors[:, j].to(torch.complex128))
    v = torch.stack(complex_vectors, dim=1)
    assert torch.allclose(a.to(torch.complex128) @ v, v * lam, atol=1e-8)
    assert torch.eig(a).eigenvectors.shape == (0,)


@given(seed=seeds, n=sizes)
def test_eig_eigenvalue_gradient_is_the_real_formula(seed, n):
    # real eigenvalues: d(sum w_i l_i)/dA = V^-T diag(w) V^T
    g = _gen(seed)
    a = _separated_symmetric(n, g).requires_grad_()
    weights = torch.randn(n, generator=g, **torch64)
    values, vectors = torch.eig(a, eigenvectors=True)
    (values[:, 0] * weights).sum().backward()
    v = vectors.detach()
    assert torch.allclose(a.grad, torch.linalg.solve(v.T, torch.diag(weights) @ v.T), atol=1e-8)


# -- lstsq, solve, matrix_rank --------------------------------------------------------------------


@given(seed=seeds, m=sizes, n=sizes, k=st.integers(1, 3))
def test_lstsq_takes_b_first_and_returns_gels_layout(seed, m, n, k):
    g = _gen(seed)
    a, b = torch.randn(m, n, generator=g, **torch64), torch.randn(m, k, generator=g, **torch64)
    solution, qr = torch.lstsq(b, a)
    assert solution.shape == (max(m, n), k) and qr.shape == (m, n)
    x = solution[:n]
    assert torch.allclose(x, torch.linalg.lstsq(a, b, driver="gelsd").solution, atol=1e-7)
    if m >= n:  # the rows below n: the residual components, their squares sum to the residual
        residual = ((a @ x - b) ** 2).sum(0)
        assert torch.allclose((solution[n:] ** 2).sum(0), residual, atol=1e-8)
        assert torch.allclose(qr.triu()[:n].abs(), torch.linalg.qr(a).R.abs())
    assert torch.lstsq(b[:, 0], a).solution.shape == (max(m, n), 1)  # a vector is one column


@given(seed=seeds, m=st.integers(3, 5), n=st.integers(1, 3))
def test_lstsq_solution_gradient_matches_linalg_lstsq(seed, m, n):
    g = _gen(seed)
    a, b = torch.randn(m, n, generator=g, **torch64), torch.randn(m, 2, generator=g, **torch64)
    weights = torch.randn(n, 2, generator=g, **torch64)
    grads = []
    for solve in (lambda a, b: torch.lstsq(b, a).solution[:n], lambda a, b: torch.linalg.lstsq(a, b).solution):
        a_, b_ = a.clone().requires_grad_(), b.clone().requires_grad_()
        (solve(a_, b_) * weights).sum().backward()
        grads.append((a_.grad, b_.grad))
    assert all(torch.allclose(mine, modern, atol=1e-7) for mine, modern in zip(*grads))


@given(seed=seeds, n=sizes, k=st.integers(1, 3), batch_a=batches, b_batch=st.sampled_from(["none", "same", "ones"]))
def test_solve_takes_b_first_returns_lu_and_broadcasts(seed, n, k, batch_a, b_batch):
    g = _gen(seed)
    a = _spd(n, g, batch_a)
    batch_b = {"none": (), "same": batch_a, "ones": (1,) * len(batch_a)}[b_batch]
    b = torch.randn(*batch_b, n, k, generator=g, **torch64)
    solution, lu = torch.solve(b, a)
    # B is always a matrix for torch.solve; linalg.solve reads a B of shape A.shape[:-1] as a batch
    # of vectors, so the reference gets B with A's batch dimensions spelled out.
    batch = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    assert torch.allclose(solution, torch.linalg.solve(a, b.expand(*batch, n, k)))
    assert torch.equal(lu, torch.linalg.lu_factor(a)[0])
    assert torch.allclose(b.solve(a).solution, solution) and torch.gesv(b, a).LU.shape == lu.shape


@given(seed=seeds, n=sizes)
def test_solve_gradients_match_linalg_solve(seed, n):
    g = _gen(seed)
    a, b, w = _spd(n, g), torch.randn(n, 2, generator=g, **torch64), torch.randn(n, 2, generator=g, **torch64)
    grads = []
    for solve in (lambda a, b: torch.solve(b, a).solution, lambda a, b: torch.linalg.solve(a, b)):
        a_, b_ = a.clone().requires_grad_(), b.clone().requires_grad_()
        (solve(a_, b_) * w).sum().backward()
        grads.append((a_.grad, b_.grad))
    assert all(torch.allclose(mine, modern) for mine, modern in zip(*grads))


def test_solve_of_a_vector_is_the_1x_error():
    with pytest.raises(RuntimeError, match="at least 2 dimensions.*linalg.solve"):
        torch.solve(torch.ones(2), torch.eye(2))


@given(seed=seeds, n=st.integers(2, 6), rank=st.integers(0, 6), symmetric=st.booleans())
def test_matrix_rank_matches_linalg(seed, n, rank, symmetric):
    g = _gen(seed)
    rank = min(rank, n)
    left = torch.randn(n, rank, generator=g, **torch64)
    a = left @ left.T if symmetric else left @ torch.randn(rank, n, generator=g, **torch64)
    result = torch.matrix_rank(a, symmetric=symmetric)
    assert result.dtype == torch.int64 and result.dim() == 0
    assert result == torch.linalg.matrix_rank(a, hermitian=symmetric) == rank
    assert torch.matrix_rank(a, 1e300) == 0


# -- the 1.0/1.1 LAPACK names ---------------------------------------------------------------------


@given(seed=seeds, n=sizes)
def test_cholesky_family_defaults_to_the_upper_factor(seed, n):
    g = _gen(seed)
    a, b = _spd(n, g), torch.randn(n, 2, generator=g, **torch64)
    u = torch.potrf(a)
    assert torch.equal(u, torch.linalg.cholesky(a, upper=True)) and torch.allclose(u.T @ u, a)
    assert torch.equal(torch.potrf(a, upper=False), torch.linalg.cholesky(a))
    assert torch.allclose(torch.potrs(b, u), torch.linalg.solve(a, b))
    assert torch.allclose(torch.potri(u), torch.linalg.inv(a))
    assert torch.equal(a.potrf(), u) and torch.allclose(b.potrs(u), torch.potrs(b, u)) and torch.equal(u.potri(), torch.potri(u))


@given(seed=seeds, n=sizes, upper=st.booleans(), transpose=st.booleans(), unit=st.booleans())
def test_trtrs_is_triangular_solve_with_b_first(seed, n, upper, transpose, unit):
    g = _gen(seed)
    a = torch.randn(n, n, generator=g, **torch64) + 3 * torch.eye(n, **torch64)
    b = torch.randn(n, 2, generator=g, **torch64)
    solution, coefficient = torch.trtrs(b, a, upper, transpose, unit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own deprecation of triangular_solve
        expected = torch.triangular_solve(b, a, upper=upper, transpose=transpose, unitriangular=unit)
    assert torch.allclose(solution, expected.solution) and torch.equal(coefficient, a)
    assert torch.allclose(b.trtrs(a, upper, transpose, unit).solution, solution)


@given(seed=seeds, n=sizes, batch=batches)
def test_btrifact_family_is_the_lu_family(seed, n, batch):
    g = _gen(seed)
    a, b = _spd(n, g, batch), torch.randn(*batch, n, 2, generator=g, **torch64)
    lu, pivots = torch.btrifact(a)
    expected = torch.linalg.lu_factor(a)
    assert torch.equal(lu, expected.LU) and torch.equal(pivots, expected.pivots) and pivots.dtype == torch.int32
    assert torch.equal(torch.btrifact_with_info(a)[2], torch.zeros(batch, dtype=torch.int32))
    assert torch.allclose(torch.btrisolve(b, lu, pivots), torch.linalg.solve(a, b))
    p, low, up = torch.btriunpack(lu, pivots)
    assert torch.allclose(p @ low @ up, a)
    assert torch.equal(a.btrifact()[0], lu) and torch.allclose(b.btrisolve(lu, pivots), torch.btrisolve(b, lu, pivots))


def test_gels_is_lstsq():
    a, b = torch.randn(5, 3, **torch64), torch.randn(5, 2, **torch64)
    assert all(torch.equal(x, y) for x, y in zip(torch.gels(b, a), torch.lstsq(b, a)))
    assert torch.equal(b.gels(a)[0], torch.lstsq(b, a)[0])


def test_out_tuples_are_filled():
    a = _spd(3, _gen(0))
    values, vectors = torch.empty(0, **torch64), torch.empty(0, **torch64)
    result = torch.symeig(a, eigenvectors=True, out=(values, vectors))
    assert result.eigenvalues is values and torch.allclose(values, torch.linalg.eigvalsh(a))


# -- warnings -------------------------------------------------------------------------------------

A, B = torch.eye(2, **torch64) * 2, torch.ones(2, 1, **torch64)
CALLS = {
    "torch.linalg.eigvalsh(A, UPLO='U')": lambda: torch.symeig(A),
    "torch.linalg.eigh(A, UPLO='L')": lambda: torch.symeig(A, True, False),
    "torch.linalg.eigvals(A)": lambda: torch.eig(A),
    "torch.linalg.lstsq(A, B).solution": lambda: torch.lstsq(B, A),
    "torch.linalg.solve(A, B)": lambda: torch.solve(B, A),
    "torch.linalg.matrix_rank(A, hermitian=True)": lambda: torch.matrix_rank(A, symmetric=True),
    "torch.linalg.cholesky(a, upper=True)": lambda: torch.potrf(A),
    "torch.cholesky_solve(b, u, upper=True)": lambda: torch.potrs(B, A),
    "torch.cholesky_inverse(u, upper=True)": lambda: torch.potri(A),
    "torch.linalg.solve_triangular(A, b, upper=upper)": lambda: torch.trtrs(B, A),
    "torch.linalg.lu_factor(A)": lambda: torch.btrifact(A),
    "torch.linalg.lu_factor_ex(A)": lambda: torch.btrifact_with_info(A),
    "torch.lu_unpack(LU, pivots)": lambda: torch.btriunpack(*torch.btrifact(A)),
}


@pytest.mark.parametrize("modern", sorted(CALLS))
def test_each_call_warns_with_its_modern_spelling(modern):
    import varshim

    with pytest.warns(varshim.LegacyTorchWarning, match=modern.replace("(", r"\(").replace(")", r"\)")):
        CALLS[modern]()
