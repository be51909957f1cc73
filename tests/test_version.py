"""Version parsing and comparison."""

import pytest

from verfix.version import Version, VersionError, parse_version, try_parse_version


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5.5.2646.0", (5, 5, 2646, 0)),
        ("5, 5, 2646, 0", (5, 5, 2646, 0)),
        ("05.05.2646.00", (5, 5, 2646, 0)),
        ("5.5", (5, 5, 0, 0)),
        ("5", (5, 0, 0, 0)),
        ("  5.5.2646.0  ", (5, 5, 2646, 0)),
        ("10.0.19041.985 (WinBuild.160101.0800)", (10, 0, 19041, 985)),
        ("6.01.9212", (6, 1, 9212, 0)),
        ("9.12.589.0000", (9, 12, 589, 0)),
        ("5 , 5 , 2646 , 0", (5, 5, 2646, 0)),
        ("65535.65535.65535.65535", (65535, 65535, 65535, 65535)),
    ],
)
def test_parses_the_spellings_windows_uses(text, expected):
    assert parse_version(text) == Version(*expected)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "v5.5", "5.5.2646a", "1.2.3.4.5", "5.5.65536.0", "5..5", "-1.0", "5.5.2646.0."],
)
def test_rejects_what_is_not_a_version(text):
    with pytest.raises(VersionError):
        parse_version(text)


def test_strict_rejects_trailing_text():
    assert parse_version("5.5.2646.0 (SP3)") == Version(5, 5, 2646, 0)
    with pytest.raises(VersionError):
        parse_version("5.5.2646.0 (SP3)", strict=True)


def test_compares_as_integers_not_text():
    # As text "5.5.2646.0" < "5.5.265.0"; as integers it is the greater.
    assert "5.5.2646.0" < "5.5.265.0"
    assert parse_version("5.5.2646.0") > parse_version("5.5.265.0")
    assert parse_version("5.10") > parse_version("5.9")
    assert parse_version("5.5.2646.0") == parse_version("5, 5, 2646, 0")


def test_from_fixed_block_words():
    # dwFileVersionMS = 0x00050005, dwFileVersionLS = 0x0A560000 -> 5.5.2646.0
    assert Version.from_ms_ls(0x00050005, 0x0A560000) == Version(5, 5, 2646, 0)
    assert str(Version.from_ms_ls(0xFFFF0001, 0x00020003)) == "65535.1.2.3"


def test_zero_means_no_version():
    assert Version(0, 0, 0, 0).is_zero
    assert not Version(0, 0, 0, 1).is_zero


def test_try_parse_version_is_lenient():
    assert try_parse_version(None) is None
    assert try_parse_version("garbage") is None
    assert try_parse_version("5, 5, 2448, 0") == Version(5, 5, 2448, 0)
