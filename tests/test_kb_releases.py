"""Which release a table is for, read as a careful reader would: a service pack of the
article's product named by the lead-in ("the post Service Pack 1 fix") is that product's pack,
a service pack of another product ("first corrected in Windows 2000 Service Pack 3" in an Index
Server article) is not the article's, and a numbered part of the article ("Method 1") is no
release. Each rule on a made-up article and on the real one of the shared corpus."""

from __future__ import annotations

import pytest

from tests.test_kb_variants import real
from verfix.kbimport import IMPORTED, parse_article, release_of
from verfix.kbimport.leadin import lead_in
from verfix.kbimport.metadata import service_pack_in

_TABLE = ("   Date       Time   Version        Size     File name\n"
          "   ------------------------------------------------------\n"
          "   08-Dec-2000  11:01  5.0.2195.2649  135,440  Dnsapi.dll")


def article(body: str, product: str = "Microsoft Systems Management Server",
            prod_ver: str = "::2.0 SP1,2.0 SP2") -> str:
    return ("DOCUMENT:Q900170  01-JAN-2001  [test]\nTITLE   :A Test Article\n"
            f"PRODUCT :{product}\nPROD/VER:{prod_ver}\nOPER/SYS:\nKEYWORDS:kbfix\n\n"
            f"RESOLUTION\n==========\n\n{body}\n\nSTATUS\n======\n\nConfirmed.\n")


def releases(text: str) -> list[str | None]:
    parsed = parse_article(text)
    assert parsed.status == IMPORTED, parsed.error
    return [row.product_version for row in parsed.rows]


@pytest.mark.parametrize("heading", ["post Service Pack 1", "Post-SP2", "Service Pack 3", "SP4",
                                     "Method 1", "Step 2", "Option 1", "Part 3"])
def test_a_service_pack_or_a_numbered_part_is_no_product_release(heading):
    assert release_of(heading, "Microsoft Systems Management Server") is None


@pytest.mark.parametrize("heading, release", [("Outlook 98", "Outlook 98"), ("SMS 2.0", "2.0"),
                                              ("Windows NT 4.0", "Windows NT 4.0")])
def test_products_with_a_version_are_still_releases(heading, release):
    assert release_of(heading, "Microsoft Systems Management Server") == release


@pytest.mark.parametrize("text, pack", [
    ("The English version of the post Service Pack 1 fix should have", "SP1"),
    ("The German post-SMS 2.0 Service Pack 3 version of this fix", "SP3"),
    ("for Service Pack 3 (SP3) sites", "SP3"),
    ("This problem was first corrected in Windows 2000 Service Pack 3. The English version", None),
    ("this hotfix requires Windows NT 4.0 Service Pack 6a", None),
    ("The English version of this fix should have", None),
])
def test_the_service_pack_a_lead_in_gives_the_articles_product(text, pack):
    assert service_pack_in(text, "Microsoft Systems Management Server") == pack


def test_a_post_service_pack_lead_in_gives_the_articles_release_and_pack():
    lead = "The English version of the post Service Pack 1 fix should have the following file\nattributes:"
    assert releases(article(f"{lead}\n\n{_TABLE}")) == ["2.0 SP1"]
    # written "post SP1", the same
    assert releases(article(f"{lead.replace('Service Pack 1', 'SP1')}\n\n{_TABLE}")) == ["2.0 SP1"]


def test_another_products_service_pack_is_not_the_articles():
    lead = ("This problem was first corrected in Windows 2000 Service Pack 3. The English\n"
            "version of this fix should have the following file attributes or later:")
    assert releases(article(f"{lead}\n\n{_TABLE}", product="Internet Information Server",
                            prod_ver="::2.0")) == [None]


def test_a_method_heading_is_no_release():
    body = ("Method 1\n--------\n\nThe English version of this fix should have the following file "
            f"attributes or\nlater:\n\n{_TABLE}")
    assert releases(article(body, product="Microsoft Windows NT", prod_ver="::4.0 SP6a")) == [None]


def test_real_articles():
    # SMS Q246842: the post-SP1 table is 2.0 SP1, like the post-SP2 ones are 2.0 SP2
    assert releases(real("Q246842"))[:5] == ["2.0 SP1"] * 5
    assert releases(real("Q246842"))[5:12] == ["2.0 SP2"] * 7
    # Index Server Q296185: the Windows 2000 build is not of "2.0 SP3"; the NT 4.0 one is
    assert releases(real("Q296185")) == [None, "Windows NT 4.0"]
    # SNA Q264082: msv1_0.dll of Windows 2000 SP2 is not of SNA Server 4.0 SP2
    assert releases(real("Q264082")) == [None]
    # Windows NT Q311055: "Method 1" above the table is the article's first way, not a release
    assert releases(real("Q311055")) == [None]


@pytest.mark.parametrize("heading, release", [
    ("Windows 2000 with Internet Explorer", "2000"), ("Windows NT 4.0 with Internet Explorer 4", "4.0"),
    ("Windows NT 4.0 without Internet Explorer 4", "4.0"), ("Windows 95 with Internet Explorer 4.0", "95"),
])
def test_a_heading_names_its_release_before_what_it_comes_with(heading, release):
    assert release_of(heading, "Microsoft Windows NT") == release


def test_real_article_with_headings_naming_what_the_release_comes_with():
    # Windows NT Q195144: the Shell32.dll of "Windows 2000 with Internet Explorer" is of 2000,
    # not of every release (an NT 4.0 server's Shell32.dll is not behind it)
    assert releases(real("Q195144")) == ["2000", "95"]


def test_a_client_pack_named_after_a_language_and_a_service_pack_labels_its_table():
    row = "   01-Mar-2001  19:20  2.00.92.09  394,970  Apasetup.exe"
    header = ("   Date         Time   Version     Size     File name\n"
              "   ---------------------------------------------------")
    body = "\n\n".join([
        f"The English version of this fix should have the following file attributes or\nlater:\n\n{header}\n{row}",
        "The English Service Pack 3 International Client Pack 1 (ICP1) version of this fix\nshould have "
        f"the following file attributes or later:\n\n{header}\n{row.replace('394,970', '394,971')}",
        "The English Service Pack 3 ICP4 version of this fix should have the following\nfile attributes "
        f"or later:\n\n{header}\n{row.replace('394,970', '394,967')}"])
    # the ICP4 table was read as a second English SP3 table, and its row dropped as a repeat
    assert releases(article(body, prod_ver="::2.0,2.0 SP3")) == [None, "2.0 SP3 ICP1", "2.0 SP3 ICP4"]


def test_real_article_with_client_packs_named_after_english():
    # SMS Q307434: three tables of 7 files (an .ini listed twice is kept once in the first)
    assert releases(real("Q307434")) == [None] * 7 + ["2.0 SP3 ICP1"] * 7 + ["2.0 SP3 ICP4"] * 7


def test_a_language_label_alone_above_a_table_names_its_language():
    header = ("   Date        Time    Size     File name     Platform\n"
              "   ---------------------------------------------------")
    body = (f"This fix should have the following file attributes or later.\n\nFrench files (0000040C):\n\n"
            f"{header}\n   03/28/2000  01:06p  338,640  Sightnt.dll   Intel\n\nEnglish files (00000409):\n\n"
            f"{header}\n   03/23/2000  09:26p  333,008  Sightnt.dll   Intel\n\nInternational files:\n\n"
            f"{header}\n   04/15/1999  04:24a  202,476  Cli_dos.exe   Intel")
    # unlabelled, the English row was dropped as a repeat of the French one
    assert releases(article(body, prod_ver="::1.2")) == ["French", None, None]


@pytest.mark.parametrize("label, language", [
    ("French files (0000040C):", "French"), ("German:", "German"), ("English version:", "English"),
    ("International files:", None), ("French files are below", None), ("Windows NT 4.0:", None),
])
def test_which_lines_alone_are_language_labels(label, language):
    assert lead_in([(1, label), (2, "")], 2, "Microsoft Systems Management Server").language == language


def test_real_article_with_language_labels_above_its_tables():
    # SMS Q254228: 7 French, 7 English and 12 International files
    assert releases(real("Q254228")) == ["French"] * 7 + [None] * 19


def test_a_note_between_the_lead_in_and_the_table_does_not_hide_the_lead_in():
    table = ("   Date      Time      Version    Size      File name     Platform\n"
             "   -------------------------------------------------------------\n"
             "   5/17/2000 7:45:31PM 4.2.745.1  330,080   Asp.dll       x86")
    lead = "The English version of the IIS 4.0 fix should have the following file attributes\nor later:"
    note = ("NOTE: The IIS 4.0 hotfix was completed in May 2000. There are several newer IIS\n"
            "4.0 hotfixes that include this one.")
    iis = {"product": "Internet Information Server", "prod_ver": "::4.0,5.0"}
    assert releases(article(f"{lead}\n\n{note}\n\n{table}", **iis)) == ["4.0"]
    assert releases(article(f"{lead}\n\n{table}", **iis)) == ["4.0"]
    # a note alone (no sentence above it) gives no release
    assert releases(article(f"{note}\n\n{table}", **iis)) == [None]


def test_real_article_with_a_note_under_its_lead_in():
    # IIS Q281253: the IIS 4.0 table (10 rows) is 4.0, the IIS 5.0 one (5 rows) 5.0
    assert releases(real("Q281253")) == ["4.0"] * 10 + ["5.0"] * 5


def test_a_service_pack_named_by_a_line_alone_above_a_table_is_the_tables():
    table = ("   Date         Time   Size     File name     Platform  Version\n"
             "   ------------------------------------------------------------------\n"
             "   01-Mar-2002  08:00  127,168  Sms_ppkg.dll  Intel     2.0.1493.4101")
    assert releases(article(f"Post-SP4 hotfix information:\n\n{table}", prod_ver="::2.0,2.0 SP4")) == ["2.0 SP4"]
    # another product's pack named alone is that product's release, not "2.0 SP2"
    assert releases(article(f"Windows 2000 Service Pack 2:\n\n{table}", prod_ver="::2.0")) == [
        "Windows 2000 Service Pack 2"]


def test_real_article_with_a_post_service_pack_table_under_a_line_alone():
    # SMS Q303848: the SP3 table, then "Post-SP4 hotfix information:" over the SP4 build
    assert releases(real("Q303848")) == ["2.0 SP3"] * 4 + ["2.0 SP4"] * 3


@pytest.mark.parametrize("heading, release", [
    ("Windows NT 4.0 Server and Windows NT Workstation 4.0", "4.0"),
    ("Windows NT Server 4.0, Windows NT Workstation 4.0", "4.0"),
    ("Windows NT Server or Workstation 4.0", "4.0"),
    # names of two releases, or of another product, give no one release of the article's
    ("Windows NT 4.0 and Windows NT 3.51", None),
])
def test_a_heading_naming_the_product_twice_at_one_release_gives_it(heading, release):
    assert release_of(heading, "Microsoft Windows NT", other_products=False) == release


def test_real_article_with_a_heading_naming_server_and_workstation():
    # Windows NT Q282015: the 4.0 table is 4.0; the Terminal Server table has none (its edition)
    assert releases(real("Q282015")) == ["4.0"] * 4 + [None] * 4
