"""Microsoft SNA Server 3.0 to 4.0 and Host Integration Server 2000."""

from __future__ import annotations

from verfix.products.profile import Profile

PROFILE = Profile(
    slug="sna",
    name="Microsoft SNA Server",
    kb_folders=("sna",),
    article_names={"SNA Server": "Microsoft SNA Server"},
    # No install-path value is known from the articles: the usual folders are searched.
    folders=(r"SNA\system", r"Program Files\Host Integration Server\system"),
    markers=("snaservr.exe", "snabase.exe"),
    release_programs=("snaservr.exe", "snabase.exe"),
    releases={(3, 0): "3.0", (4, 0): "4.0", (5, 0): "HIS 2000"},
    how_release="the major.minor of Snaservr.exe or Snabase.exe",
    release_names={"host integration server 2000": "HIS 2000"},
    how_service_pack="not told: the service pack cannot be read from the programs' builds yet",
)
