"""Microsoft Exchange Server 4.0 to 2003: the bin folder, its server programs, its setup key."""

from __future__ import annotations

from verfix.products.profile import Profile, RegistryValue

#: Programs found only in an Exchange Server bin folder (4.0 to 5.5): MTA, Information
#: Store, Directory, System Attendant. One of them marks a folder as a bin folder; their
#: fixed versions tell the release.
MARKER_FILES = ("emsmta.exe", "store.exe", "dsamain.exe", "mad.exe")

#: Where setup records the install folder (``C:\exchsrvr``); the programs are in its bin.
SETUP = RegistryValue(r"Microsoft\Exchange\Setup", "Services", "install-folder", ("bin",))

#: Releases by the major.minor of the server programs' file versions.
RELEASES = {(4, 0): "4.0", (5, 0): "5.0", (5, 5): "5.5", (6, 0): "2000", (6, 5): "2003"}

#: Exchange 5.5 service packs by the build of the server programs (5.5.BUILD.x).
SERVICE_PACK_BUILDS = {
    "5.5": ((1960, "RTM"), (2232, "SP1"), (2448, "SP2"), (2650, "SP3"), (2653, "SP4")),
}

#: The codes of fix keywords (EXC55SP3Fix, kbExchange550preSP5fix) -> product named.
KEYWORD_PRODUCTS = {
    "5": "Exchange Server 5.0", "50": "Exchange Server 5.0", "500": "Exchange Server 5.0",
    "55": "Exchange Server 5.5", "550": "Exchange Server 5.5", "2000": "Exchange 2000 Server",
}

PROFILE = Profile(
    slug="exchange",
    name="Microsoft Exchange Server",
    kb_folders=("exchange",),
    article_names={"Microsoft Exchange": "Microsoft Exchange Server"},
    folders=(r"exchsrvr\bin", r"Program Files\exchsrvr\bin"),
    markers=MARKER_FILES,
    release_programs=MARKER_FILES,
    releases=RELEASES,
    how_release="the major.minor of the server programs (Emsmta.exe, Store.exe, Dsamain.exe, Mad.exe)",
    how_service_pack="the highest build of the server programs (5.5: 1960 RTM, 2232 SP1, 2448 SP2, 2650 SP3, 2653 SP4)",
    service_pack_builds=SERVICE_PACK_BUILDS,
    registry=(SETUP,),
    # Builds of Exchange's own files: 4.0 837 (RTM) to the 99x of its service packs and
    # hotfixes, 5.0 1457-1460, 5.5 1960-2653 and hotfixes, 2000 4417 and later, 2003 6944.
    release_builds={"4.0": (837, 1000), "5.0": (1457, 1500), "5.5": (1960, 2700),
                    "2000": (4417, 6900), "2003": (6944, 8000)},
)
