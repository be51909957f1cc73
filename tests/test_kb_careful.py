"""The importer reads an article as a careful administrator would: rows for platforms no
Windows server has, Windows 9x releases, editions, sizes of no unit, cells wrapped onto the
next line, per-language tables and text that contradicts the table (made-up articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from verfix.kbimport import (
    IMPORTED,
    NO_TABLE,
    SKIPPED,
    cells,
    parse_article,
    read_article,
    to_manifest,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kb"


def rows(article):
    return [(r.name, r.version, r.platform, r.product_version, r.size) for r in article.rows]


def fixture(qid: str):
    return read_article(FIXTURES / f"{qid}.TXT")


@pytest.mark.parametrize("text, family", [
    ("Macintosh", "Macintosh"), ("ARM 720", "ARM"), ("ARM720 (Debug)", "ARM"), ("Thumb ARM720", "ARM"),
    ("SA1100 (Retail)", "ARM"), ("SA110", "ARM"), ("SH3", "SH"), ("SH4", "SH"), ("Pocket PC", "Windows CE"),
    ("x86", None), ("Alpha", None), ("Winsock2", None), ("Amiga", None),
])
def test_platforms_that_are_not_a_windows_servers(text, family):
    assert cells.foreign_platform(text) == family


@pytest.mark.parametrize("text, family", [
    ("Windows CE 3.0 (Cedar)", "Windows CE"), ("when viewed from the Macintosh:", "Macintosh"),
    ("Windows CE and Windows NT 4.0", None), ("Intel and Macintosh clients", None), ("Windows 98", None),
])
def test_a_heading_or_lead_in_names_a_platform_only_when_it_names_no_windows_one(text, family):
    assert cells.foreign_platform_in(text) == family


def test_rows_for_other_platforms_are_left_out_and_the_windows_rows_kept():
    article = fixture("Q900022")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [("Wdgmon.dll", "3.00.0.0446", "x86", None, 14336),
                             ("Wdgmon.dll", "3.00.0.0446", "alpha", None, 24576)]
    assert article.notes == (
        "line 17: 1 row(s) for ARM, not a Windows server's platform, left out",
        "line 18: 1 row(s) for SH, not a Windows server's platform, left out",
        # under the "Windows CE 3.0" heading even the MIPS, PPC and Intel rows are a device's
        "lines 30-32: 3 row(s) for Windows CE, not a Windows server's platform, left out",
    )
    to_manifest(article)  # a valid manifest


def test_an_article_only_for_the_macintosh_has_no_table_for_a_windows_server():
    article = fixture("Q900023")
    assert article.status == NO_TABLE and article.rows == ()
    # the second table's lead-in ("when viewed from the Macintosh") says whose it is
    assert article.error == "lines 18, 26: 2 row(s) for Macintosh, not a Windows server's platform, left out"


def test_windows_9x_releases_of_one_file_and_a_wrapped_platform_cell():
    article = fixture("Q900024")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [
        ("Vwdg.386", "4.10.1659", "win9x", "Windows 95", 75885),
        ("Vwdg.386", "4.10.2000", "win9x", "Windows 98", 75777),
        ("Vwdg.386", "4.10.2224", "win9x", "Windows 98 Second Edition", 80409),
        ("Wdgip.sys", "4.0.1381.7", "x86", None, 150832),
    ]
    assert article.notes[0] == "line 20: 'Edition' continues the platform cell of line 19; joined"
    assert "listed once per Windows 9x release" in article.notes[1]
    assert len(to_manifest(article).files) == 4


def test_windows_9x_rows_that_name_no_release_are_still_refused():
    table = ("   Date      Time    Version    Size    File name  Platform\n   " + "-" * 58 + "\n"
             "   09/23/99  03:47p  4.10.1659  75,885  Vwdg.386   win9x\n"
             "   09/23/99  02:57p  4.10.2000  75,777  Vwdg.386   Windows 98\n")
    article = parse_article(_article(table))
    assert article.status == SKIPPED and "file listed twice with different details" in article.error


@pytest.mark.parametrize("continuation", [
    "   Second Edition",                                                   # under no column's span
    "                                                   Edition   x86",   # a second cell
    "                                         Vwdg.vxd",                   # a file name: a row of its own
])
def test_a_wrapped_line_is_joined_only_when_unambiguous(continuation):
    table = ("   Date      Time    Version    Size    File name  Platform\n   " + "-" * 58 + "\n"
             "   09/23/99  02:39p  4.10.2224  80,409  Vwdg.386   Windows 98 Second\n" + continuation + "\n")
    article = parse_article(_article(table))
    assert not any("continues" in note for note in article.notes)
    # not joined: refused, or read as a row of its own (never "Windows 98 Second ...")
    assert article.status == SKIPPED or ([r.name for r in article.rows][:1] == ["Vwdg.386"] and len(article.rows) == 2)


def test_an_edition_and_a_size_of_no_unit_are_read_with_the_row():
    article = fixture("Q900025")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [
        ("Wchannel.dll", "5.1.2195.0", None, None, 145168),   # "(128-bit)" is not part of the name
        ("Wschan.dll", "5.1.2195.0", None, None, 145168),
        ("Wstcp.dll", "4.00.1113", None, None, 31872),         # "Winsock2": no platform restriction
        ("Wstore.dll", None, "x86", None, None),              # "94.5": no size
    ]
    assert article.notes == (
        "line 17: Wchannel.dll is for the 128-bit edition (as the table says); the edition is not part of its name",
        "line 25: Wstcp.dll is for the Winsock2 edition (as the table says); the edition is not part of its name",
        "line 32: size '94.5' of Wstore.dll gives no unit, so no size is kept",
    )


def test_a_size_with_a_thousands_dot_is_still_exact():
    assert cells.read_size("147.010") == 147010 and cells.read_size("94.5") is None
    assert cells.is_size("94.5") and not cells.is_size("94.555.1")


def test_international_client_pack_and_language_tables_are_told_apart():
    article = fixture("Q900026")
    assert article.status == IMPORTED, article.error
    assert rows(article) == [
        ("Wdgsys32.exe", "2.00.1493.3194", "x86", "2.0 SP3", 53104),
        ("Wdgmon32.exe", "2.00.1493.3205", "x86", "2.0 SP3", 118208),
        ("Wdgsys32.exe", "2.00.1493.3198", "x86", "2.0 SP3 ICP1", 53104),
        ("Wdgmon32.exe", "2.00.1493.3205", "x86", "2.0 SP3 ICP1", 118208),
        ("Wdgsys32.exe", "2.00.1493.3199", "x86", "2.0 SP3 German", 53104),
    ]


def test_text_that_gives_another_version_than_the_table_refuses_the_article():
    article = fixture("Q900027")
    assert article.status == SKIPPED and article.rows == ()
    assert article.error == ("line 21: the text updates Wuser.exe to version 4.10.2230, which no row of "
                             "the table gives: 'The preceding fix updates the Wuser.exe …' (69 characters)")
    agreeing = (FIXTURES / "Q900027.TXT").read_text().replace("4.10.2230", "4.10.2225")
    assert parse_article(agreeing, "Q900027.TXT").status == IMPORTED


def _article(table: str) -> str:
    return ("DOCUMENT:Q900150  01-JAN-2001  [test]\nTITLE   :A Test Article\nPRODUCT :Microsoft Windows NT\n"
            "PROD/VER::4.0\nOPER/SYS:\nKEYWORDS:kbfix\n\nRESOLUTION\n==========\n\n"
            f"{table}\nSTATUS\n======\n\nConfirmed.\n")
