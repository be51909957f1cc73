"""ANSI colours for tables on a terminal, and the rule that decides whether to use them."""

from __future__ import annotations

from typing import Mapping, Optional

from verfix.check import Status, Verdict

_ANSI = {"red": "31", "green": "32", "yellow": "33", "dim": "2"}

STATUS_COLOUR = {
    Status.OK: "green", Status.PRESENT: "green", Status.OUTDATED: "red", Status.MISSING: "red",
    Status.NO_VERSION: "yellow", Status.UNREADABLE: "yellow", Status.NOT_APPLICABLE: "dim",
}
VERDICT_COLOUR = {
    Verdict.COMPLIANT: "green", Verdict.NOT_COMPLIANT: "red",
    Verdict.INCOMPLETE: "yellow", Verdict.NOT_APPLICABLE: "dim",
}


def paint(text: str, colour: Optional[str], enabled: bool) -> str:
    """Wrap text in an ANSI colour when colour output is enabled."""
    if not enabled or colour is None:
        return text
    return f"\x1b[{_ANSI[colour]}m{text}\x1b[0m"


def wants_colour(environ: Mapping[str, str], is_terminal: bool) -> bool:
    """Colour on a terminal; NO_COLOR (set, not empty) turns it off, FORCE_COLOR (not "", "0" or
    "false") forces it on.

    NO_COLOR wins over FORCE_COLOR (https://no-color.org, https://force-color.org).
    """
    if environ.get("NO_COLOR"):
        return False
    force = environ.get("FORCE_COLOR")
    if force is not None and force not in ("", "0", "false"):
        return True
    return is_terminal
