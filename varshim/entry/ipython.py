"""`%load_ext varshim` / `%unload_ext varshim`: varshim in a running IPython or Jupyter kernel.

Loading installs varshim and reads `async=` keyword arguments (PyTorch <= 0.3) as `non_blocking=`
in every cell, as a cleanup input transformer (`varshim_migrate.async_keywords.rewrite_async_kwargs`); unloading
removes the transformer and uninstalls varshim.
"""

from varshim_migrate.async_keywords import rewrite_async_kwargs

from .. import patches

__all__ = ["load_ipython_extension", "unload_ipython_extension", "async_kwargs_transformer"]


def async_kwargs_transformer(lines):
    """IPython input transformer (list of lines -> list of lines); line numbers are kept."""
    source = "".join(lines)
    rewritten = rewrite_async_kwargs(source)
    return lines if rewritten == source else rewritten.splitlines(keepends=True)


def load_ipython_extension(ipython):
    patches.install()
    if async_kwargs_transformer not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(async_kwargs_transformer)


def unload_ipython_extension(ipython):
    while async_kwargs_transformer in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(async_kwargs_transformer)
    patches.uninstall()
