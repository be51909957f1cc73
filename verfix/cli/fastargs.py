"""The plain forms of ``verfix check``, read without typer.

Typer is the parser of record: it declares every option (``verfix.cli.check_command``), gives
the help, the completion and every usage error. Importing it costs each start-up about 30 ms,
most of what a check of one small folder takes, so the entry point first asks
:func:`parse_check` here. It accepts only the unambiguous spellings (``--opt VALUE``,
``--opt=VALUE``, ``-m VALUE``, flags one at a time, one PATH) with values typer would take
as they are, and returns the same arguments typer would pass; anything else (help, an
unknown or grouped option, ``--``, a value typer might read otherwise, a missing PATH) is
None, and typer parses the command line as always. A test compares both on many argument
lists, and that :data:`OPTIONS` matches the typer declaration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

# Option spelling -> (parameter, kind). Kinds: flag, many (repeatable value), text, path,
# format (CheckFormat), reader (Reader), count (an unsigned integer).
OPTIONS: dict[str, tuple[str, str]] = {
    "--manifest": ("manifest", "many"), "-m": ("manifest", "many"),
    "--product": ("product", "many"),
    "--component": ("component", "text"),
    "--bin-dir": ("bin_dir", "flag"),
    "--details": ("details", "flag"), "-d": ("details", "flag"),
    "--all": ("show_all", "flag"), "-a": ("show_all", "flag"),
    "--format": ("format", "format"), "-f": ("format", "format"),
    "--output": ("output", "path"), "-o": ("output", "path"),
    "--reader": ("reader", "reader"),
    "--partition": ("partition", "count"),
    "--quiet": ("quiet", "flag"), "-q": ("quiet", "flag"),
    "--verbose": ("verbose", "flag"), "-v": ("verbose", "flag"),
}
# The values typer's choices take, as written (verfix.formats.CheckFormat, verfix.pe.Reader).
CHOICES = {"format": ("table", "json", "jsonl", "csv", "html", "sarif"), "reader": ("fast", "pefile")}
DEFAULTS: dict[str, Any] = {
    "manifest": [], "product": [], "component": None, "bin_dir": False, "details": False,
    "show_all": False, "format": "table", "output": None, "reader": "fast", "partition": None,
    "quiet": False, "verbose": False,
}


def parse_check(args: Sequence[str]) -> Optional[dict[str, Any]]:
    """The keyword arguments of ``verfix.cli.check.run`` for ``verfix check ARGS``, or None
    when typer must read ARGS (see the module docstring)."""
    params: dict[str, Any] = {**DEFAULTS, "manifest": [], "product": []}
    path: Optional[str] = None
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not token.startswith("-"):
            if path is not None or not token:
                return None  # a second PATH, or an empty one: typer's error or reading
            path = token
            continue
        name, has_value, value = token.partition("=")
        spec = OPTIONS.get(name)
        if spec is None or (has_value and not name.startswith("--")):
            return None  # unknown, help, "--", grouped short flags, -mVALUE, -m=VALUE
        parameter, kind = spec
        if kind == "flag":
            if has_value:
                return None
            params[parameter] = True
            continue
        if not has_value:
            if index == len(args):
                return None  # a missing value: typer says so
            value = args[index]
            index += 1
        if not _plain_value(kind, value):
            return None
        if kind == "many":
            params[parameter].append(value)
        else:
            params[parameter] = value
    if path is None:
        return None
    return _typed(path, params)


def _plain_value(kind: str, value: str) -> bool:
    """Whether typer takes ``value`` as it is: not empty, not option-like, a known choice,
    and a plain ASCII number for a count."""
    if not value or value.startswith("-"):
        return False
    if kind in CHOICES:
        return value in CHOICES[kind]
    if kind == "count":
        return value.isascii() and value.isdigit() and len(value) < 10
    return True


def _typed(path: str, params: dict[str, Any]) -> dict[str, Any]:
    """The values as typer converts them: paths, the two choices as their enums, the count."""
    from verfix.formats import CheckFormat
    from verfix.pe import Reader

    params["path"] = Path(path)
    params["format"] = CheckFormat(params["format"])
    params["reader"] = Reader(params["reader"])
    if params["output"] is not None:
        params["output"] = Path(params["output"])
    if params["partition"] is not None:
        params["partition"] = int(params["partition"])
    return params
