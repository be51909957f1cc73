"""Entry point for ``python -m verfix``."""

from verfix.cli import main

main()
