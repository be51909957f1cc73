"""What every verfix command shares: the typer app and its group, and (from
``verfix.cli.base``, re-exported) exit codes, the error mapping, stderr lines, output streams
and the roots of what is scanned."""

from __future__ import annotations

from typing import Any, List, Optional

import typer
from typer.core import TyperGroup

# The typer-free part, re-exported: commands import it from here.
from verfix.cli.base import (  # noqa: F401
    EXIT_CODES_HELP, INTERRUPTED, ExitCode, InputError, Interrupted, err, note, output_stream,
    scan_roots, table_width, use_colour,
)
from verfix.cli.base import failure as _plain_failure


def failure(error: BaseException) -> tuple[Optional[str], int]:
    """The one mapping from an error to the line on stderr (None: nothing to say) and the
    exit code: typer's own exceptions, then those of :func:`verfix.cli.base.failure`."""
    if isinstance(error, typer.Abort):
        return "verfix: interrupted", INTERRUPTED
    if isinstance(error, typer.Exit):
        return None, error.exit_code
    return _plain_failure(error)


class _Group(TyperGroup):
    """Runs the commands with :func:`failure` applied to whatever they raise, so typer's
    test runner and :func:`main` give the same messages and exit codes."""

    def resolve_command(self, ctx: Any, args: List[str]) -> Any:
        from verfix.cli.arguments import refuse_empty

        name, command, rest = super().resolve_command(ctx, args)
        if not hasattr(command, "list_commands"):  # a group's own commands check their words
            refuse_empty(ctx, args[1:], command, name)  # -m '' would mean the current folder
        return name, command, rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.TyperException):
            raise
        except Exception as error:  # noqa: BLE001 - mapped to a message and an exit code
            message, code = failure(error)
            if message is not None:
                err(message)
            raise typer.Exit(code) from None


# -h as well as --help, on every command; -q and -v on every command too.
CONTEXT = {"help_option_names": ["-h", "--help"]}
QUIET = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors.")
VERBOSE = typer.Option(False, "--verbose", "-v", help="Also say on stderr what was done.")

app = typer.Typer(
    cls=_Group,
    help="Check Windows binaries' file versions against Microsoft KB fixed-file tables.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,  # typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
manifests_app = typer.Typer(cls=_Group, help="List, show, validate and import manifests.", no_args_is_help=True,
                            context_settings=CONTEXT)
app.add_typer(manifests_app, name="manifests")
