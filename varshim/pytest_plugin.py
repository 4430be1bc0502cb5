"""`pytest -p varshim.pytest_plugin`: the public name of varshim's pytest plugin.

The plugin lives with the other entry points, in `varshim.entry.pytest_plugin`; pytest finds its
hooks by name on this module.
"""

from .entry.pytest_plugin import (
    pytest_addoption,
    pytest_collection_finish,
    pytest_configure,
    pytest_report_collectionfinish,
    pytest_report_header,
    pytest_terminal_summary,
    pytest_unconfigure,
)

__all__ = ["pytest_addoption", "pytest_configure", "pytest_collection_finish", "pytest_report_collectionfinish",
           "pytest_report_header", "pytest_terminal_summary", "pytest_unconfigure"]
