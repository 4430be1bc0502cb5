"""Hypothesis profiles (pick with HYPOTHESIS_PROFILE=ci|dev|thorough) and shared fixtures."""

import os
import shutil
import tempfile
import warnings

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# torch.save of a whole object under varshim records it in the user's cache folder
# (varshim/patches/saved_pickles.py): the tests, and the programs they start, record in a
# folder of their own, never in the user's.
_CACHE = os.environ["VARSHIM_CACHE_DIR"] = tempfile.mkdtemp(prefix="varshim-test-cache-")


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--opdb-full", action="store_true", help="check every op_db sample (tests/integration/test_opdb.py)")
    parser.addoption("--modern-full", action="store_true",
                     help="modern code under varshim in full: every module_db sample in both dtypes "
                     "(tests/integration/test_module_db.py), torch.compile with inductor (test_compiled_training.py)")


@pytest.fixture(autouse=True)
def _quiet_legacy_warnings():
    """Legacy idioms warn by design; tests that check a warning use pytest.warns explicitly."""
    import varshim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", varshim.LegacyTorchWarning)
        yield
