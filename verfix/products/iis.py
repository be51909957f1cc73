"""Internet Information Server 4.0 (NT 4.0 Option Pack) and 5.0 (Windows 2000): inetsrv."""

from __future__ import annotations

from verfix.products.profile import Profile, RegistryValue

INETSTP_KEY = r"Microsoft\InetStp"

PROFILE = Profile(
    slug="iis",
    name="Microsoft Internet Information Server",
    kb_folders=("iis",),
    article_names={"Internet Information Server": "Microsoft Internet Information Server"},
    folders=(r"%SystemRoot%\system32\inetsrv",),
    markers=("inetinfo.exe", "w3svc.dll", "infocomm.dll"),
    release_programs=("inetinfo.exe", "w3svc.dll", "infocomm.dll"),
    # IIS 4.0's files are 4.2.x (4.02.0xxx in the tables), IIS 5.0's 5.0.2195.x.
    releases={(4, 2): "4.0", (5, 0): "5.0", (5, 1): "5.1", (6, 0): "6.0"},
    how_release="the major.minor of inetsrv\\inetinfo.exe (4.2 is IIS 4.0), else InetStp MajorVersion",
    how_service_pack="IIS has no service packs of its own: it follows the Windows service pack",
    service_pack_from="windows-nt",
    # IIS tables are often headed by the Windows they run on: IIS 4.0 on NT 4.0, 5.0 on 2000.
    release_names={"windows nt 4.0": "4.0", "windows nt 4.0 server": "4.0", "windows 2000": "5.0",
                   "windows xp": "5.1"},
    release_builds={"5.0": (2195, 2196), "5.1": (2600, 2601)},  # 4.0's files are 4.2.x: any build
    registry=(
        RegistryValue(INETSTP_KEY, "InstallPath", "install-folder"),
        RegistryValue(INETSTP_KEY, "MajorVersion", "version"),
    ),
)
