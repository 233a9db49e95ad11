"""Run the vault's age-compatible command line: `python -m study.vault --help`."""

import sys

from study.vault.cli import main

sys.exit(main())
