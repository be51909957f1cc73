"""What a Windows system is: release, service pack, branch and hotfix records.

Told from the kernel's fixed version and from the SOFTWARE and SYSTEM hives (through
``verfix.hive.Hive``); each answer carries how it was told. Pure given its inputs: the
caller reads the kernel and opens the hives. The knowledge (key names, the SP6a record,
the Terminal Server build range) comes from ``verfix.products.windows_nt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verfix.hive import Hive
from verfix.products import windows_nt
from verfix.told import Told
from verfix.version import Version

_SERVICE_PACK_RE = re.compile(r"service\s+pack\s+(\d+)\s*([a-z])?\b", re.IGNORECASE)
_ARTICLE_RE = re.compile(r"^(?:Q|KB)(\d{5,7})\b", re.IGNORECASE)


@dataclass(frozen=True)
class HotfixRecord:
    """One sub-key of ``...\\CurrentVersion\\Hotfix``: a hotfix setup says it installed."""

    name: str                  # the sub-key as written: "Q307991", "KB823980"
    article: str | None        # the article id manifests use: "Q307991" (None if not one)
    installed: bool | None     # the "Installed" value; None when absent
    installed_on: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class WindowsRegistry:
    """The SOFTWARE hive's CurrentVersion values and hotfix records (None: absent)."""

    current_version: str | None = None
    build: str | None = None
    csd_version: str | None = None
    system_root: str | None = None
    hotfixes: tuple[HotfixRecord, ...] = ()

    def recorded(self, article: str) -> HotfixRecord | None:
        """The record of ``article`` ("Q307991"), if the hive has one."""
        wanted = article.upper()
        return next((r for r in self.hotfixes if r.article == wanted), None)


@dataclass(frozen=True)
class ProductOptions:
    """The SYSTEM hive's ``Control\\ProductOptions`` of the current control set."""

    product_type: str | None = None       # "WinNT" (workstation), "ServerNT", "LanmanNT"
    product_suite: tuple[str, ...] = ()   # "Terminal Server", "Enterprise", ...
    control_set: str | None = None        # "ControlSet001"


@dataclass(frozen=True)
class WindowsSystem:
    """The Windows a volume holds."""

    release: Told
    service_pack: Told
    branch: Told                          # the branch name, or None for the release's main line
    kernel: Version | None = None
    notes: tuple[str, ...] = ()


def _text(value: object) -> str | None:
    if isinstance(value, str):
        text = value.split("\0", 1)[0].strip()
        return text or None
    return None


def _article_id(name: str) -> str | None:
    match = _ARTICLE_RE.match(name)
    return f"Q{match.group(1)}" if match else None


def read_windows_registry(software: Hive) -> WindowsRegistry:
    """CurrentVersion, CurrentBuildNumber, CSDVersion, SystemRoot and the hotfix records.

    Raises HiveError (from the hive) when the hive is damaged where these live.
    """
    values = software.values(windows_nt.CURRENT_VERSION_KEY) or {}
    records = []
    for name in sorted(software.subkeys(windows_nt.HOTFIX_KEY) or [], key=str.lower):
        fields = software.values(windows_nt.HOTFIX_KEY + "\\" + name) or {}
        installed = fields.get("installed")
        records.append(HotfixRecord(
            name=name,
            article=_article_id(name),
            installed=bool(installed) if isinstance(installed, int) else None,
            installed_on=_text(fields.get("installed on")),
            description=_text(fields.get("fix description")) or _text(fields.get("comments")),
        ))
    return WindowsRegistry(
        current_version=_text(values.get("currentversion")),
        build=_text(values.get("currentbuildnumber")),
        csd_version=_text(values.get("csdversion")),
        system_root=_text(values.get("systemroot")),
        hotfixes=tuple(records),
    )


def read_product_options(system: Hive) -> ProductOptions:
    """ProductType and ProductSuite of the control set ``Select\\Current`` names (else 001)."""
    current = (system.values("Select") or {}).get("current")
    number = current if isinstance(current, int) and 0 < current < 1000 else 1
    control_set = f"ControlSet{number:03d}"
    values = system.values(control_set + "\\" + windows_nt.PRODUCT_OPTIONS_KEY)
    if values is None:
        return ProductOptions(control_set=control_set)
    suite = values.get("productsuite")
    if isinstance(suite, str):
        suite = [suite]
    words = tuple(w for w in (_text(item) for item in suite or ()) if w) if isinstance(suite, list) else ()
    return ProductOptions(_text(values.get("producttype")), words, control_set)


def service_pack_label(csd_version: str | None, registry: WindowsRegistry | None = None) -> str | None:
    """``"Service Pack 6"`` -> ``"SP6"``; with hotfix record Q246009, ``"SP6a"``; none -> ``"RTM"``.

    A CSDVersion that names no service pack ("Service Pack 1, RC 1.1" is still SP1) but
    is not empty gives None: it cannot be told.
    """
    if csd_version is None or not csd_version.strip():
        return "RTM"
    match = _SERVICE_PACK_RE.search(csd_version)
    if match is None:
        return None
    label = f"SP{int(match.group(1))}{(match.group(2) or '').lower()}"
    if label == "SP6" and registry is not None and registry.recorded(windows_nt.SP6A_HOTFIX):
        label = "SP6a"
    return label


def detect_windows(
    kernel: Version | None,
    registry: WindowsRegistry | None = None,
    options: ProductOptions | None = None,
) -> WindowsSystem:
    """Release, service pack and branch of a Windows volume, each with how it was told.

    Release: the kernel's major.minor, else the registry's CurrentVersion. Service pack:
    CSDVersion (with the SP6a record). Branch: Terminal Server Edition when the kernel's
    build lies in its range or ProductSuite names Terminal Server; a disagreement is noted.
    """
    profile = windows_nt.PROFILE
    notes: list[str] = []
    release = profile.release_of(kernel)
    if release is not None:
        told_release = Told(release, f"ntoskrnl.exe is {kernel}")
    elif registry is not None and registry.current_version:
        value = registry.current_version
        match = re.fullmatch(r"(\d+)\.(\d+)", value)
        named = profile.releases.get((int(match[1]), int(match[2]))) if match else None
        told_release = Told(named or value, f"registry CurrentVersion = {value}")
    else:
        told_release = Told(None, "no readable ntoskrnl.exe and no CurrentVersion in the registry")
    if registry is not None and registry.build and kernel is not None and str(kernel[2]) != registry.build:
        notes.append(f"CurrentBuildNumber {registry.build} disagrees with ntoskrnl.exe {kernel}")

    if registry is None:
        told_sp = Told(None, "no SOFTWARE hive")
    else:
        label = service_pack_label(registry.csd_version, registry)
        said = f"CSDVersion = {registry.csd_version!r}" if registry.csd_version else "no CSDVersion"
        if label == "SP6a":
            said += f" and hotfix record {windows_nt.SP6A_HOTFIX}"
        told_sp = Told(label, f"registry {said}")

    by_kernel = profile.branch_of(kernel)
    suite = options.product_suite if options is not None else ()
    by_suite = next((b for b in profile.branches if b.product_suite and b.product_suite in suite), None)
    if by_kernel is not None:
        told_branch = Told(by_kernel.name, f"ntoskrnl.exe {kernel} is in the {by_kernel.name} build range")
    elif by_suite is not None:
        told_branch = Told(by_suite.name, f"ProductSuite names {by_suite.product_suite}")
    elif kernel is not None:
        told_branch = Told(None, f"ntoskrnl.exe {kernel} is on the release's main line")
    else:
        told_branch = Told(None, "no kernel version; ProductSuite names no branch")
    if by_kernel is not None and options is not None and by_suite is None and options.product_type:
        notes.append(f"ProductSuite does not name {by_kernel.product_suite}, though the kernel's build does")
    if by_suite is not None and kernel is not None and by_kernel is None:
        notes.append(f"ProductSuite names {by_suite.product_suite}, but ntoskrnl.exe {kernel} is not in its range")
    return WindowsSystem(told_release, told_sp, told_branch, kernel, tuple(notes))
