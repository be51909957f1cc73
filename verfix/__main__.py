"""Entry point for ``python -m verfix``."""

import sys

from verfix.cli import main

sys.exit(main())
