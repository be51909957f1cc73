"""Entry point for ``python -m verfix``."""

import sys

from verfix.entry import main

sys.exit(main())
