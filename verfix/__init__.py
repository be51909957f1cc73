"""verfix: check Windows binaries' file versions against KB fixed-file tables."""

__version__ = "0.1.0"
