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
    how_service_pack="SMS 2.0 by build: 1239 RTM, 1380 SP1 (the value 'Full Version', e.g. 2.00.1380.1000)",
    service_pack_builds={"2.0": ((1239, "RTM"), (1380, "SP1"))},
    registry=(RegistryValue(SETUP_KEY, "Full Version", "version"),),
)
