"""The ways a legacy program starts under varshim: each installs the shim and says which files
are the legacy program's own (`varshim.legacy_program`).

    script.py           varshim run SCRIPT / -m MODULE (the command line is `varshim_cli`)
    notebook.py         varshim run NOTEBOOK.ipynb, cell by cell in IPython (--check, --output)
    saved_outputs.py    a notebook's saved printouts read back into values, for --check
    ipython.py          %load_ext varshim
    pytest_plugin.py    pytest -p varshim.pytest_plugin
    project_imports.py  the import hook: the program's own modules, `async=` accepted
"""
