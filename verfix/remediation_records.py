"""The remediation plan's records: the files behind, the service packs and hotfixes to
install, and the plan as the report's JSON object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verfix.remediation_packs import ServicePack
    from verfix.version import Version


@dataclass(frozen=True)
class FileStep:
    """One file that is behind: what is installed, what clears every finding, and who supplies it."""

    name: str
    installed: Version | None  # None: the file is missing
    target: Version | None     # None: any version (a row without one)
    supplier: str              # the article id (or service pack) that brings it there
    articles: tuple[str, ...]  # the failing articles with a finding for this file


@dataclass(frozen=True)
class PackStep:
    """Install a service pack first."""

    pack: ServicePack
    clears: tuple[str, ...]    # failing articles every finding of which the pack clears
    named_by: tuple[str, ...]  # failing articles that name this pack (or an earlier one) as their fix
    base_of: tuple[str, ...]   # hotfixes in the plan that are built on it
    server_runs: bool = False  # the server runs this pack (or a later one): reinstall it

    @property
    def verb(self) -> str:
        """"Install", or "Reinstall" for a pack the server already runs."""
        return "Reinstall" if self.server_runs else "Install"


@dataclass(frozen=True)
class HotfixStep:
    """Install one fix article's hotfix."""

    id: str
    title: str
    fixed_in: str | None
    files: tuple[FileStep, ...]  # the files this hotfix is chosen to supply
    articles: tuple[str, ...]    # failing articles with a finding for one of those files
    other_release: bool = False  # its fixed_in names other releases only, not the server's


@dataclass(frozen=True)
class Plan:
    """The remediation of one checked folder."""

    failing: tuple[str, ...]         # articles that need action (a file outdated or missing)
    packs: tuple[PackStep, ...]
    hotfixes: tuple[HotfixStep, ...]
    files: tuple[FileStep, ...]      # every file that is behind, by name
    proven_fewest: bool

    @property
    def empty(self) -> bool:
        return not self.failing

    def supplier_of(self, name: str) -> str | None:
        """The hotfix or service pack the plan takes file ``name`` from (None: not behind)."""
        wanted = name.lower()
        return next((step.supplier for step in self.files if step.name.lower() == wanted), None)

    def action_of(self, supplier: str | None) -> str | None:
        """"install", or "reinstall" when ``supplier`` is a service pack the server already
        runs (:attr:`PackStep.verb`); None when there is no supplier."""
        if supplier is None:
            return None
        return next((step.verb.lower() for step in self.packs if str(step.pack) == supplier), "install")

    def as_dict(self) -> dict[str, Any]:
        """The plan as the report's JSON object (check-report.schema.json, "remediation")."""
        def text(version: Version | None) -> str | None:
            return None if version is None else str(version)

        return {
            "needs_action": list(self.failing),
            "proven_fewest": self.proven_fewest,
            "service_packs": [
                {"name": str(p.pack), "reinstall": p.server_runs, "clears": list(p.clears),
                 "named_by": list(p.named_by), "base_of": list(p.base_of)} for p in self.packs
            ],
            "hotfixes": [
                {"id": h.id, "title": h.title, "fixed_in": h.fixed_in, "other_release": h.other_release,
                 "files": [f.name for f in h.files], "articles": list(h.articles)} for h in self.hotfixes
            ],
            "files": [
                {"name": f.name, "installed": text(f.installed), "needed": text(f.target),
                 "from": f.supplier, "articles": list(f.articles)} for f in self.files
            ],
        }
