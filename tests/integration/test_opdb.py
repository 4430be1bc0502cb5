"""Variable against torch's own op database (`op_db`), and plain tensors untouched by varshim.

For every differentiable op of `torch.testing._internal.common_methods_invocations.op_db` and each
of its CPU samples:
1. on Variables, outputs and the gradients of the sum of all floating outputs equal plain torch's
   (a 0-dim plain result is size (1,), the 0.3 rule; 0-dim inputs are size (1,) on both sides,
   since a Variable cannot be 0-dim), in float64 and float32 and through each legacy backward style;
2. with a volatile Variable among the inputs, outputs equal plain outputs under `torch.no_grad()`,
   are volatile and record no graph;
3. plain tensors give bit-identical outputs and gradients (sha256 digests) in a process without
   varshim and in one with varshim imported, and the same samples raise, except the error paths
   listed in docs/compatibility.md ("Error paths varshim turns into legacy behavior").

CI runs the first CI_SAMPLES samples of every op (float64); `pytest --opdb-full` (or VARSHIM_OPDB_FULL=1) runs
every sample in both dtypes. Figures of the full run: docs/opdb.md.
"""

import contextlib
import os
import pathlib
import re
from collections import defaultdict

import pytest
import torch

from tests.support import opdb as support
from tests.support import side_by_side
import varshim
from varshim.objects.variable import Variable
from varshim.objects import tensor_rules, variable

# The op database runs deprecated and beta ops on purpose; their warnings are not findings here.
pytestmark = pytest.mark.filterwarnings("ignore")

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPATIBILITY = ROOT / "docs" / "compatibility.md"
ERROR_PATHS_HEADING = "## Error paths varshim turns into legacy behavior"

# Every skip, with its reason (samples are checked one by one: `opdb_support.skip_reason`).
SKIPS = support.SKIP_REASONS

# Ops whose 0.3 meaning on Variables deliberately differs from torch 2.13 through
# the override tables (`varshim.objects.tensor_rules`, `varshim.objects.variable`): a sample of these may differ from plain torch, but only where it
# equals plain torch once the overrides are switched off. Any other op that differs fails.
LEGACY_MEANINGS = {
    "bernoulli": "0.2 stochastic sample: no grad, gradient through reinforce() (varshim.objects.stochastic)",
    "normal": "0.2 stochastic sample: no grad, gradient through reinforce() (varshim.objects.stochastic)",
    "normal.number_mean": "0.2 stochastic sample: no grad, gradient through reinforce() (varshim.objects.stochastic)",
}

CI_SAMPLES = 4  # per op and property in CI (float64); --opdb-full: every sample, float64 and float32

LEGACY_STYLES = [style for style in support.GRAD_STYLES if style != "autograd.grad"]


@pytest.fixture(scope="module")
def full(request):
    return bool(request.config.getoption("--opdb-full") or os.environ.get("VARSHIM_OPDB_FULL"))


_cache = {}


def op_samples(dtype, full):
    """[(op, [(index, sample), ...]), ...] without the skipped samples (SKIPS), cached per run."""
    key = (dtype, full)
    if key not in _cache:
        selected = []
        for op in support.load_ops():
            generated = support.samples(op, dtype, None if full else CI_SAMPLES)
            kept = [(i, s) for i, s in enumerate(generated) if not support.skip_reason(s)]
            if kept:
                selected.append((op, kept))
        _cache[key] = selected
    return _cache[key]


@contextlib.contextmanager
def overrides_off():
    tables = (tensor_rules.OVERRIDES, variable.OVERRIDES)
    saved = [dict(table) for table in tables]
    for table in tables:
        table.clear()
    try:
        yield
    finally:
        for table, entries in zip(tables, saved):
            table.update(entries)


def _check_sample(check, op, sample, reference):
    """Problems of `check`, after ruling out torch's own nondeterminism and deliberate 0.3 meanings."""
    problems = check(op, sample, reference)
    if not problems:
        return [], None
    # Some LAPACK kernels (lstsq's gelsy) round differently from run to run: plain torch then gives
    # several results, and the Variable result must be one of them.
    for _ in range(8):
        if not check(op, sample, _reference(check, op, sample)):
            return [], "nondeterministic in plain torch"
    with overrides_off():
        if not check(op, sample, reference):
            if support.op_id(op) in LEGACY_MEANINGS:
                return [], "legacy meaning"
            return [f"differs through the override tables; list it in LEGACY_MEANINGS: {problems[0]}"], None
    return problems, None


def _reference(check, op, sample):
    return support.plain_reference(op, sample, no_grad=check is support.check_volatile)


@contextlib.contextmanager
def one_thread():
    # Multithreaded BLAS splits a product by the threads it gets, so a product's rounding can change
    # from run to run on a busy machine; one thread makes plain torch reproducible.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def run_checks(dtype, full, checks):
    """{check name: problems}, plus a summary of what ran."""
    with one_thread():
        return _run_checks(dtype, full, checks)


def _run_checks(dtype, full, checks):
    failures = defaultdict(list)
    notes = defaultdict(set)
    ops = samples = raising = 0
    for op, kept in op_samples(dtype, full):
        ops += 1
        for index, sample in kept:
            references = {}
            for name, check in checks.items():
                kind = check is support.check_volatile
                if kind not in references:
                    references[kind] = _reference(check, op, sample)
                output = references[kind][0]
                if output is not None and support.skip_reason(sample, output[0]):
                    break
                problems, note = _check_sample(check, op, sample, references[kind])
                if note:
                    notes[note].add(support.op_id(op))
                for problem in problems[:3]:
                    failures[name].append(f"{support.op_id(op)}[{index}] {dtype} {name}: {problem}")
            else:
                samples += 1
                raising += any(reference[1] is not None for reference in references.values())
    noted = "; ".join(f"{note}: {sorted(names)}" for note, names in notes.items())
    print(f"op_db {dtype}: {ops} ops, {samples} samples ({raising} raise on plain tensors too), {list(checks)}; "
          f"{noted}")
    return failures, notes


def _styled(style):
    return lambda op, sample, reference: support.check_variable(op, sample, reference, support.GRAD_STYLES[style])


def _assert_no_failures(failures):
    report = [line for lines in failures.values() for line in lines]
    assert not report, f"{len(report)} mismatches:\n" + "\n".join(report[:60])


# -- 1 and 2: Variable against plain torch ---------------------------------------------------------


def test_variable_equals_plain_float64(full):
    checks = {"autograd.grad": support.check_variable, "volatile": support.check_volatile}
    if not full:  # the full run checks the legacy styles in test_legacy_backward_styles
        checks.update({style: _styled(style) for style in LEGACY_STYLES})
    failures, notes = run_checks(torch.float64, full, checks)
    _assert_no_failures(failures)
    if full:
        assert notes["legacy meaning"] == set(LEGACY_MEANINGS), "LEGACY_MEANINGS lists ops that no longer differ"


@pytest.mark.opdb_full
def test_variable_equals_plain_float32(full):
    if not full:
        pytest.skip("float32 runs with --opdb-full")
    checks = {"autograd.grad": support.check_variable, "volatile": support.check_volatile}
    failures, _ = run_checks(torch.float32, full, checks)
    _assert_no_failures(failures)


@pytest.mark.opdb_full
def test_legacy_backward_styles(full):
    if not full:
        pytest.skip("the CI part checks these styles in test_variable_equals_plain_float64")
    failures, _ = run_checks(torch.float64, full, {style: _styled(style) for style in LEGACY_STYLES})
    _assert_no_failures(failures)


# -- 3: plain tensors bit-identical in a process with varshim ---------------------------------------


def allowed_error_paths():
    """Op names listed in docs/compatibility.md under ERROR_PATHS_HEADING (bullets "- `op`: why")."""
    text = COMPATIBILITY.read_text()
    section = text.split(ERROR_PATHS_HEADING, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))


def _digests(mode, dtypes, full, ops=None, repeat=1):
    arguments = list(dtypes)
    if not full:
        arguments += ["--limit", CI_SAMPLES]
    if ops:
        arguments += ["--ops", ",".join(sorted(ops))]
    if repeat > 1:
        arguments += ["--repeat", repeat]
    return side_by_side.start("opdb", mode, *arguments)


def _collect(process):
    return side_by_side.records(process, "op", "dtype", "sample")


def test_plain_tensors_bit_identical_with_varshim(full):
    dtypes = ["float64", "float32"] if full else ["float64"]
    plain, patched = (_collect(p) for p in [_digests(mode, dtypes, full) for mode in side_by_side.MODES])
    assert plain.keys() == patched.keys(), "the two processes saw different samples"
    differing = {key for key in plain if plain[key] != patched[key]}
    if differing:
        # Rerun just these ops several times in each process: a varshim effect repeats, torch's own
        # alignment-dependent rounding (LAPACK gelsy) shows up as several digests for one sample.
        ops = {key[0] for key in differing}
        reruns = [_digests(mode, dtypes, full, ops, repeat=6) for mode in side_by_side.MODES]
        plain_again, patched_again = (_collect(p) for p in reruns)
        for key in list(differing):
            if (plain[key] | plain_again[key]) & (patched[key] | patched_again[key]):
                differing.discard(key)
    allowed = allowed_error_paths()
    unexpected, used = [], set()
    for key in sorted(differing):
        statuses = ({s for s, _ in plain[key]}, {s for s, _ in patched[key]})
        if statuses == ({"raises"}, {"ok"}) and key[0] in allowed:
            used.add(key[0])
        else:
            unexpected.append(f"{key}: without varshim {sorted(statuses[0])}, with varshim {sorted(statuses[1])}")
    raising = sum(1 for value in plain.values() if {s for s, _ in value} == {"raises"})
    print(f"plain tensors: {len(plain)} samples compared, {raising} raise in both processes")
    assert not unexpected, "plain tensors differ with varshim imported:\n" + "\n".join(unexpected[:60])
    checked_ops = {key[0] for key in plain}
    stale = {name for name in allowed if name in checked_ops} - used
    assert not stale, f"docs/compatibility.md lists error paths that no longer differ: {sorted(stale)}"


# -- the checker itself -------------------------------------------------------------------------


def test_compare_catches_differences():
    plain = torch.tensor(2.0)
    assert support.compare(plain, Variable(torch.tensor([2.0]))) == []
    assert support.compare(plain, Variable(torch.tensor([2.5])))  # value
    assert support.compare(plain, torch.tensor([2.0]))  # not a Variable
    assert support.compare(torch.ones(2), Variable(torch.ones(1, 2)))  # shape
    assert support.compare(torch.ones(2, requires_grad=True), Variable(torch.ones(2)))  # requires_grad
    assert support.compare((plain, plain), [Variable(plain), Variable(plain)])  # container type
    assert support.compare(torch.ones(2), Variable(torch.ones(2)), volatile=True)  # not volatile


def test_error_paths_section_exists():
    assert ERROR_PATHS_HEADING in COMPATIBILITY.read_text()
    assert varshim.installed()
