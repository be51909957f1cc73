"""Tables leave out schema_version (the same on every row); JSON and CSV keep it."""

import io

from verfix.formats import Format, write_records

FIELDS = ["schema_version", "path", "file_version", "file_version_string", "product_version"]
RECORD = {"schema_version": "2.0", "path": "bin/Store.exe", "file_version": "5.5.2448.0",
          "file_version_string": "5.5.2448.0", "product_version": "5.5.2448.0"}


def _out(fmt: Format) -> str:
    stream = io.StringIO()
    write_records([RECORD], fmt, FIELDS, stream, width=80)
    return stream.getvalue()


def test_table_has_no_schema_version_column() -> None:
    text = _out(Format.TABLE)
    assert "Schema version" not in text and "2.0" not in text
    assert "File version string" in text and "Product version" in text


def test_csv_keeps_schema_version() -> None:
    assert _out(Format.CSV).splitlines()[0].startswith("schema_version,")
