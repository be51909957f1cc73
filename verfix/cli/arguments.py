"""Command-line words checked before a command runs: an empty one is a usage error.

``verfix check -m '' .`` would otherwise look for manifests in ``Path('')``, which is the current
folder, and ``verfix check ''`` would check it; no option or argument of verfix takes an empty
value, so one is refused (exit 2) with the option it was given to.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import typer


def empty_value(args: Sequence[str]) -> Optional[str]:
    """The message for the first empty word of ``args`` (``-m ''``, ``--manifest=``, ``''``), or None."""
    for index, word in enumerate(args):
        if word.startswith("--") and word.endswith("=") and len(word) > 3:
            return f"option {word[:-1]} was given an empty value"
        if word == "":
            before = args[index - 1] if index else ""
            if before.startswith("-") and before != "--" and "=" not in before:
                return f"option {before} was given an empty value"
            return "an empty argument was given (a path or name is needed)"
    return None


def refuse_empty(ctx: Any, args: Sequence[str], command: Any = None, name: Optional[str] = None) -> None:
    """Raise a usage error (exit 2) when ``args`` hold an empty option value or argument; the
    usage shown is ``command``'s (``verfix check [OPTIONS] PATH``) when it is given."""
    message = empty_value(args)
    if message is None:
        return
    if command is not None:  # the command's own context, for its usage line (no parsing)
        ctx = type(ctx)(command, info_name=name, parent=ctx)
    raise typer.BadParameter(message, ctx=ctx)
