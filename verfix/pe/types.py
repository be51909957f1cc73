"""The PE readers' result and error types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from verfix.version import Version


class Reader(str, Enum):
    """Which PE reader does the work."""

    FAST = "fast"      # verfix's own bounded reader (the default)
    PEFILE = "pefile"  # the pefile library, as a second opinion


class PEReadError(Exception):
    """A file that could not be read or parsed; ``str(error)`` is a one-line reason."""


class NotPEError(PEReadError):
    """The file is not an executable at all: empty, or no ``MZ`` header (a data file)."""


@dataclass(frozen=True)
class PEInfo:
    """What verfix needs from one PE file."""

    machine: str | None
    file_version: Version | None = None
    product_version: Version | None = None
    file_version_string: str | None = None
    product_version_string: str | None = None
    product_name: str | None = None
    company_name: str | None = None
    file_description: str | None = None
    original_filename: str | None = None
    internal_name: str | None = None
    legal_copyright: str | None = None
    has_version_resource: bool = False
    version_problem: str | None = None  # why file_version is None, when it is

    @classmethod
    def _from_fields(cls, fields: dict) -> PEInfo:
        """A PEInfo from keyword arguments (the others take their defaults), without the frozen
        dataclass __init__'s cost per field: the fast reader makes one per file."""
        info = object.__new__(cls)
        attributes = info.__dict__
        attributes.update(_DEFAULTS)
        attributes.update(fields)
        return info


# Every field in order, with its default (machine has none: None until given).
_DEFAULTS = {name: getattr(PEInfo, name, None) for name in PEInfo.__dataclass_fields__}
