"""Tables that fit a width: cut titles with an ellipsis, drop low-value columns first."""

import pytest

from verfix.colour import wants_colour
from verfix.tables import Column, cut, render, terminal_width

COLUMNS = (
    Column("Id"),
    Column("Title", shrink=True, min_width=8),
    Column("Path", shrink=True, min_width=10, keep_end=True, drop=2),
    Column("Component", drop=1),
)
ROWS = [
    ["Q236586", "XCON: Some Messages Are Returned With Non-Delivery Reports", r"D:\EXCHSRVR\BIN\Emsmta.exe", "MTA"],
    ["Q1", "Short", r"C:\x.dll", "Store"],
]


def widths(text):
    return [len(line) for line in text.splitlines()]


def test_without_a_limit_every_cell_is_whole():
    text = render(ROWS, COLUMNS, None)
    assert ROWS[0][1] in text and ROWS[0][2] in text and "Component" in text


def test_component_is_dropped_before_any_title_is_cut():
    natural = max(widths(render(ROWS, COLUMNS, None)))
    text = render(ROWS, COLUMNS, natural - 1)
    assert "Component" not in text and ROWS[0][1] in text  # dropping was enough


@pytest.mark.parametrize("width", [80, 60, 40])
def test_lines_fit_and_titles_end_in_an_ellipsis(width):
    text = render(ROWS, COLUMNS, width)
    assert max(widths(text)) <= width
    assert "XCON: Some" in text and "…" in text
    assert "Non-Delivery Reports" not in text


def test_paths_keep_their_end_and_go_when_cutting_is_not_enough():
    text = render(ROWS, COLUMNS, 50)
    assert "…" in text and "Emsmta.exe" in text  # the path's end is what matters
    narrow = render(ROWS, COLUMNS, 24)
    assert "Path" not in narrow and max(widths(narrow)) <= 24


def test_style_colours_the_cell_not_the_padding():
    text = render([["a", "b", "c", "d"]], COLUMNS, None, style=lambda i, t: f"<{t}>" if i == 0 else t)
    assert text.splitlines()[2].startswith("<a>  ")


def test_a_cut_never_splits_a_version():
    # A version cut short reads as another version: it goes whole, from either end.
    assert cut("ntoskrnl.exe is 4.0.1381.7130", 28) == "ntoskrnl.exe is …"
    assert cut("Emsmta.exe is 5.5.2646.0; Store.exe", 28) == "Emsmta.exe is 5.5.2646.0; S…"
    assert cut("5.5.2646.0", 6) == "…"
    assert cut("bin/build 5.5.2646.0", 8, keep_end=True) == "…"
    assert cut("Store.exe 5.5.2646.0 in bin", 12, keep_end=True) == "… in bin"


def test_cut():
    assert cut("abcdef", 4) == "abc…" and cut("abcdef", 4, keep_end=True) == "…def" and cut("ab", 4) == "ab"


def test_terminal_width_honours_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    assert terminal_width() == 72
    monkeypatch.delenv("COLUMNS")
    assert terminal_width(stream_is_terminal=False) == 80


@pytest.mark.parametrize("environ, terminal, expected", [
    ({}, True, True), ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "0"}, True, True), ({"FORCE_COLOR": "0"}, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
])
def test_colour_rule(environ, terminal, expected):
    assert wants_colour(environ, terminal) is expected
