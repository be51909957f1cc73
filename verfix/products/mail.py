"""Microsoft Mail 3.x for PC Networks: the post office's gateways and external MTA."""

from __future__ import annotations

from verfix.products.profile import Profile

PROFILE = Profile(
    slug="mail",
    name="Microsoft Mail for PC Networks",
    kb_folders=("mail",),
    article_names={"Mail for PC Networks": "Microsoft Mail for PC Networks"},
    # The programs live on the post office's share (MAILEXE); no registry key is read.
    folders=(r"MAILEXE", r"MAIL\MAILEXE"),
    markers=("external.exe", "x400gate.exe", "dispatch.exe"),
    release_programs=("external.exe",),
    releases={(3, 0): "3.0", (3, 2): "3.2", (3, 5): "3.5"},
    how_release="the major.minor of External.exe (most Mail programs are MS-DOS programs without one)",
    how_service_pack="not told: Mail fixes are checked by file version only",
)
