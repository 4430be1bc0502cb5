"""Linear algebra functions torch removed, with their 1.x arguments, defaults and results.

Each is computed with the `torch.linalg` function that replaced it; the 1.x differences kept:
- `symeig(A, eigenvectors=False, upper=True)`: the upper triangle by default (`linalg.eigh` reads
  the lower one), `(eigenvalues, eigenvectors)` with an empty eigenvector tensor unless asked.
  pytorch/pytorch.github.io `docs/1.13/generated/torch.symeig.html`; removed in 2.0.
- `eig(A, eigenvectors=False)`: real tensors, eigenvalues as an (n, 2) tensor of real and
  imaginary parts, eigenvectors in LAPACK's layout (a complex pair in two columns: real part,
  then imaginary part of the first of the pair). `docs/1.7.1/generated/torch.eig.html`; removed
  in 2.0.
- `lstsq(B, A)`: arguments in that order; `(solution, QR)` where the solution has max(m, n) rows
  (for m >= n the rows below n hold the residual components, as LAPACK's `gels` leaves them) and
  QR is `gels`'s factorization (`geqrf`'s layout; for m < n the LQ layout of A). Removed in 2.0.
- `solve(B, A)`: arguments in that order (`linalg.solve(A, B)` reversed them); `(solution, LU)`
  with LU the packed factorization of A. Removed in 2.0.
- `matrix_rank(A, tol=None, symmetric=False)`: singular values (or |eigenvalues|) above `tol`,
  by default max(m, n) * eps * the largest. Removed in 2.0.
- 1.0/1.1 names, deprecated there "in favour of" the function given (pytorch/pytorch v1.1.0
  `torch/functional.py`, read as stored): `gesv` -> `solve`, `gels` -> `lstsq`, `potrf(a,
  upper=True)` -> `cholesky`, `potrs(b, u, upper=True)` -> `cholesky_solve`, `potri(u,
  upper=True)` -> `cholesky_inverse`, `trtrs(b, A, upper=True, ...)` -> `triangular_solve`,
  `btrifact`/`btrifact_with_info` -> `lu`, `btrisolve` -> `lu_solve`, `btriunpack` ->
  `lu_unpack`. Note the `upper=True` defaults: their replacements default to `upper=False`.
"""

import collections

import torch

from ...legacy_warnings import warn_legacy

__all__ = ["FUNCTIONS", "METHODS"]

_linalg = torch.linalg

symeig_result = collections.namedtuple("symeig", ["eigenvalues", "eigenvectors"])
eig_result = collections.namedtuple("eig", ["eigenvalues", "eigenvectors"])
lstsq_result = collections.namedtuple("lstsq", ["solution", "QR"])
solve_result = collections.namedtuple("solve", ["solution", "LU"])
triangular_result = collections.namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def _removed(name, modern):
    warn_legacy(f"torch.{name} was removed from torch: write {modern}.")


def _into(out, result):
    """The 1.x `out=` tuple filled with `result` (a namedtuple of the same kind), or `result`."""
    if out is None:
        return result
    for target, value in zip(out, result):
        target.resize_(value.shape).copy_(value)
    return type(result)(*out) if hasattr(result, "_fields") else tuple(out)


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    uplo = "U" if upper else "L"
    if eigenvectors:
        _removed("symeig", f"torch.linalg.eigh(A, UPLO='{uplo}')")
        result = symeig_result(*_linalg.eigh(input, UPLO=uplo))
    else:
        _removed("symeig", f"torch.linalg.eigvalsh(A, UPLO='{uplo}')")
        result = symeig_result(_linalg.eigvalsh(input, UPLO=uplo), input.new_empty(0))
    return _into(out, result)


def eig(input, eigenvectors=False, *, out=None):
    if not eigenvectors:
        _removed("eig", "torch.linalg.eigvals(A) (complex; torch.view_as_real(...) is the old layout)")
        return _into(out, eig_result(torch.view_as_real(_linalg.eigvals(input)), input.new_empty(0)))
    _removed("eig", "torch.linalg.eig(A) (complex eigenvalues and eigenvectors)")
    values, vectors = _linalg.eig(input)
    # LAPACK's real layout: a conjugate pair (positive imaginary part first) occupies two columns,
    # the real part and the imaginary part of the first vector; the second vector is its conjugate.
    second_of_pair = values.imag.unsqueeze(-2) < 0
    real_layout = torch.where(second_of_pair, -vectors.imag, vectors.real)
    return _into(out, eig_result(torch.view_as_real(values), real_layout))


def lstsq(input, A, *, out=None):
    _removed("lstsq", "torch.linalg.lstsq(A, B).solution (arguments reversed, n rows)")
    b = input.unsqueeze(-1) if input.dim() == 1 else input  # TH's gels read a vector as one column
    m, n = A.shape[-2:]
    if m >= n:
        # gels: A = QR, X solves R X = (Q^T B)[:n]; below it the rest of Q^T B, whose squares sum to the
        # residual. X is differentiable (1.x lstsq had no gradient); the residual rows are not.
        q, r = _linalg.qr(A)
        x = _linalg.solve_triangular(r, q.mT @ b, upper=True)
        residual_rows = (_linalg.qr(A.detach(), mode="complete").Q[..., :, n:].mT @ b.detach())
        solution = torch.cat([x, residual_rows], dim=-2)
        factorization = torch.geqrf(A.detach())[0]
    else:
        # gels through the LQ factorization A = L Q: the minimum-norm solution Q^T (L^-1 B).
        q, r = _linalg.qr(A.mT)
        solution = q @ _linalg.solve_triangular(r.mT, b, upper=False)
        factorization = torch.geqrf(A.detach().mT)[0].mT
    return _into(out, lstsq_result(solution, factorization))


def solve(input, A, *, out=None):
    _removed("solve", "torch.linalg.solve(A, B) (arguments reversed; torch.linalg.lu_factor(A) for LU)")
    if input.dim() < 2:
        raise RuntimeError(f"torch.solve: B should have at least 2 dimensions, but has {input.dim()} "
                           "dimensions instead (write torch.linalg.solve(A, b) for a vector b)")
    batch = torch.broadcast_shapes(input.shape[:-2], A.shape[:-2])
    A = A.expand(*batch, *A.shape[-2:])
    lu, pivots = _linalg.lu_factor(A)
    return _into(out, solve_result(_linalg.lu_solve(lu, pivots, input.expand(*batch, *input.shape[-2:])), lu))


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    _removed("matrix_rank", f"torch.linalg.matrix_rank(A{', hermitian=True' if symmetric else ''}"
                            f"{', atol=tol, rtol=0' if tol is not None else ''})")
    if symmetric:
        singular = _linalg.eigvalsh(input, UPLO="L").abs()
    else:
        singular = _linalg.svdvals(input)
    if tol is None:
        tol = singular.max() * max(input.shape[-2:]) * torch.finfo(singular.dtype).eps
    rank = (singular > tol).sum()
    return rank if out is None else out.resize_(()).copy_(rank)


def _deprecated(name, modern):
    warn_legacy(f"torch.{name} was deprecated in 1.0/1.1 and removed: write {modern}.")


def gesv(input, A, *, out=None):
    _deprecated("gesv", "torch.linalg.solve(A, B) (arguments reversed)")
    return solve(input, A, out=out)


def gels(input, A, *, out=None):
    _deprecated("gels", "torch.linalg.lstsq(A, B).solution (arguments reversed)")
    return lstsq(input, A, out=out)


def potrf(a, upper=True, *, out=None):
    _deprecated("potrf", f"torch.linalg.cholesky(a, upper={upper}) (potrf defaulted to upper=True)")
    return _linalg.cholesky(a, upper=upper, out=out)


def potrs(b, u, upper=True, *, out=None):
    _deprecated("potrs", f"torch.cholesky_solve(b, u, upper={upper}) (potrs defaulted to upper=True)")
    return torch.cholesky_solve(b, u, upper=upper, out=out)


def potri(u, upper=True, *, out=None):
    _deprecated("potri", f"torch.cholesky_inverse(u, upper={upper}) (potri defaulted to upper=True)")
    return torch.cholesky_inverse(u, upper=upper, out=out)


def trtrs(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    _deprecated("trtrs", "torch.linalg.solve_triangular(A, b, upper=upper) (arguments reversed)")
    coefficient = A.mT if transpose else A
    x = _linalg.solve_triangular(coefficient, b, upper=upper != transpose, unitriangular=unitriangular)
    return _into(out, triangular_result(x, A.clone()))


def btrifact(A, pivot=True, *, out=None):
    _deprecated("btrifact", "torch.linalg.lu_factor(A)")
    return _into(out, tuple(_linalg.lu_factor(A, pivot=pivot)))


def btrifact_with_info(A, pivot=True, *, out=None):
    _deprecated("btrifact_with_info", "torch.linalg.lu_factor_ex(A)")
    return _into(out, tuple(_linalg.lu_factor_ex(A, pivot=pivot)))


def btrisolve(b, LU_data, LU_pivots, *, out=None):
    _deprecated("btrisolve", "torch.linalg.lu_solve(LU, pivots, b) (arguments reordered)")
    return _linalg.lu_solve(LU_data, LU_pivots, b, out=out)


def btriunpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    _deprecated("btriunpack", "torch.lu_unpack(LU, pivots)")
    return torch.lu_unpack(LU_data, LU_pivots, unpack_data=unpack_data, unpack_pivots=unpack_pivots)


# torch.<name>, and Tensor.<name> where 1.x had the method (first argument: the tensor).
FUNCTIONS = {f.__name__: f for f in (
    symeig, eig, lstsq, solve, matrix_rank, gesv, gels, potrf, potrs, potri, trtrs,
    btrifact, btrifact_with_info, btrisolve, btriunpack,
)}
METHODS = {name: FUNCTIONS[name] for name in (
    "symeig", "eig", "lstsq", "solve", "gesv", "gels", "potrf", "potrs", "potri", "trtrs",
    "btrifact", "btrifact_with_info", "btrisolve",
)}
