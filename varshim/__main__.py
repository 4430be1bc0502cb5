"""`python -m varshim SCRIPT [ARGS...]`: the `varshim` command (`varshim_cli`)."""

import sys

from varshim_cli import main

sys.exit(main())
