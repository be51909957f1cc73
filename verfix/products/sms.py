"""Microsoft Systems Management Server 1.2 and 2.0: the site server's programs."""

from __future__ import annotations

from verfix.products.profile import Profile, RegistryValue

SETUP_KEY = r"Microsoft\SMS\Setup"

PROFILE = Profile(
    slug="sms",
    name="Microsoft Systems Management Server",
    kb_folders=("sms",),
    article_names={"Systems Management Server": "Microsoft Systems Management Server"},
    folders=(r"SMS\bin\i386", r"SMS\site.srv\x86.bin"),
    markers=("smsexec.exe", "compmgr.exe"),
    release_programs=("smsexec.exe", "compmgr.exe"),
    releases={(1, 2): "1.2", (2, 0): "2.0"},
    how_release="the major.minor of Smsexec.exe, else Setup 'Full Version' in the SOFTWARE hive",
    how_service_pack="SMS 2.0 by build: 1239 RTM, 1380 SP1, then build 1493 whose revision is "
                     "the pack's: 1493.2xxx SP2, 1493.3xxx SP3, 1493.4xxx SP4; from the programs, "
                     "else the value 'Full Version' (2.00.1380.1000)",
    # RTM and SP1 as the articles give 'Full Version' (Q249077, Q251070, Q252717); SP2 and
    # SP3 by the fixes' own versions (Q309644: post-SP2 2.00.1493.2188, SP3 2.00.1493.3112);
    # SP4 continues the numbering (its pre-SP4 hotfixes are still 1493.3xxx, Q317061).
    service_pack_builds={"2.0": ((1239, "RTM"), (1380, "SP1"), ((1493, 2000), "SP2"),
                                 ((1493, 3000), "SP3"), ((1493, 4000), "SP4"))},
    registry=(RegistryValue(SETUP_KEY, "Full Version", "version"),),
)
