"""CSV reader: encodings, delimiters, multi-line fields, and damaged files."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.ingest.readers import CsvReader, open_reader
from adtrace.ingest.readers.text import SAMPLE_BYTES
from adtrace.ingest.records import InputError
from tests.ingest.conftest import WriteFile, read_all


def test_reads_header_and_rows_with_line_numbers(write_file: WriteFile) -> None:
    path = write_file("ads.csv", "id,title,city\n1,Nouvelle,Laval\n\n2,Belle,Gatineau\n")
    reader = open_reader(path)
    records = list(reader)
    assert reader.columns == ["id", "title", "city"]
    assert [(r.line, r.fields) for r in records] == [
        (2, {"id": "1", "title": "Nouvelle", "city": "Laval"}),
        (4, {"id": "2", "title": "Belle", "city": "Gatineau"}),
    ]
    assert all(r.error is None and r.raw is None and r.source == str(path) for r in records)


def test_reader_can_be_iterated_twice(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.csv", "id\n1\n2\n"))
    assert list(reader) == list(reader)


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_detected(write_file: WriteFile, delimiter: str) -> None:
    rows = [
        ["id", "texte", "ville"],
        ["1", "Très belle, douce", "Montréal"],
        ["2", "a; b", "Laval"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    reader = open_reader(write_file("ads.csv", buffer.getvalue()))
    assert isinstance(reader, CsvReader) and reader.delimiter == delimiter
    assert [list(r.fields.values()) for r in reader] == rows[1:]


def test_tsv_extension_means_tab(write_file: WriteFile) -> None:
    path = write_file("ads.tsv", "id\ttext\n1\tone, two; three\n")
    assert [r.fields for r in read_all(path)] == [{"id": "1", "text": "one, two; three"}]


@pytest.mark.parametrize("option", ["|", "tab", "\\t"])
def test_delimiter_option_overrides_detection(write_file: WriteFile, option: str) -> None:
    sep = "|" if option == "|" else "\t"
    path = write_file("ads.csv", f"a,b{sep}c\n1,2{sep}3\n")
    assert read_all(path, delimiter=option)[0].fields == {"a,b": "1,2", "c": "3"}


def test_bad_delimiter_option(write_file: WriteFile) -> None:
    with pytest.raises(InputError, match="one character"):
        open_reader(write_file("ads.csv", "a\n1\n"), delimiter=";;")


def test_utf8_bom_is_not_part_of_the_first_column(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.csv", codecs.BOM_UTF8 + "id,ville\n1,Québec\n".encode()))
    assert reader.columns == ["id", "ville"]
    assert [r.fields for r in reader] == [{"id": "1", "ville": "Québec"}]


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_utf16_with_bom(write_file: WriteFile, bom: bytes, codec: str) -> None:
    text = 'id\ttexte\r\n1\t"Très\r\nbelle ✨"\r\n2\tŒuvre à Montréal\r\n'
    records = read_all(write_file("ads.txt", bom + text.encode(codec)))
    assert [(r.line, r.fields["texte"]) for r in records] == [
        (2, "Très\r\nbelle ✨"),
        (4, "Œuvre à Montréal"),
    ]


def test_cp1252_detected(write_file: WriteFile) -> None:
    text = "id,texte,ville\n1,Très belle fille à Montréal, discrète,Québec\n2,L’été: 150 €,Lévis\n"
    reader = open_reader(write_file("ads.csv", text.replace(", d", " d").encode("cp1252")))
    assert isinstance(reader, CsvReader) and reader.encoding.codec == "cp1252"
    assert [r.fields["texte"] for r in reader] == [
        "Très belle fille à Montréal discrète",
        "L’été: 150 €",
    ]


def test_multi_line_fields_report_their_start_line(write_file: WriteFile) -> None:
    text = 'id,text\n1,"one\ntwo\r\nthree"\n2,"x"\r\n3,"a\rb"\n4,last'
    records = read_all(write_file("ads.csv", text))
    assert [(r.line, r.fields["text"]) for r in records] == [
        (2, "one\ntwo\r\nthree"),
        (5, "x"),
        (6, "a\rb"),
        (8, "last"),
    ]


def test_truncated_file_yields_the_unterminated_record(write_file: WriteFile) -> None:
    text = 'id,text\n1,"complete"\n2,"cut in the mid'
    records = read_all(write_file("ads.csv", text + "dle\nof a line"))
    assert [r.error for r in records] == [None, "unterminated quoted field (file truncated?)"]
    assert records[1].line == 3
    assert records[1].raw == '2,"cut in the middle\nof a line'


def test_nul_byte_rejects_only_its_row(write_file: WriteFile) -> None:
    records = read_all(write_file("ads.csv", "id,text\n1,ok\n2,bad\x00row\n3,ok\n"))
    assert [r.error for r in records] == [None, "NUL byte in the row", None]
    assert records[1].raw == "2,bad\u2400row\n"
    assert records[1].fields["text"] == "bad\u2400row"


def test_undecodable_bytes_with_forced_encoding(write_file: WriteFile) -> None:
    data = "id,text\n1,plain\n2,café\n3,plain\n".encode("cp1252")
    records = read_all(write_file("ads.csv", data), encoding="utf-8")
    assert [r.error is None for r in records] == [True, False, True]
    offset = data.index(b"\xe9")
    assert records[1].error == f"not valid utf-8 at byte {offset}; try --encoding cp1252"
    assert records[1].raw == "2,caf\ufffd\n"


def test_undecodable_bytes_after_the_sample(write_file: WriteFile) -> None:
    row = "1,ascii text only\n"
    head = "id,text\n" + row * (SAMPLE_BYTES // len(row) + 10)
    data = head.encode() + b"2,caf\xe9\n3,ok\n"
    reader = open_reader(write_file("ads.csv", data))
    assert isinstance(reader, CsvReader) and reader.encoding.codec == "utf-8"
    bad = [r for r in reader if r.error]
    assert len(bad) == 1 and f"at byte {len(head) + 5};" in (bad[0].error or "")


def test_binary_junk_is_refused(write_file: WriteFile) -> None:
    junk = bytes(range(256)) * 400
    with pytest.raises(InputError, match=r"not a text file \(binary content\)"):
        open_reader(write_file("junk.csv", junk))


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", codecs.BOM_UTF8])
def test_empty_file_is_refused(write_file: WriteFile, content: bytes) -> None:
    with pytest.raises(InputError, match="empty file: no header row") as caught:
        open_reader(write_file("empty.csv", content), display="in/empty.csv")
    assert str(caught.value).startswith("in/empty.csv: ")


def test_header_only_has_no_records(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.csv", "id,text\n"))
    assert reader.columns == ["id", "text"] and list(reader) == []


def test_header_names_made_unique(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.csv", "id, city ,,city,city_2,\n1,2,3,4,5,6\n"))
    assert reader.columns == ["id", "city", "column_3", "city_2", "city_2_2", "column_6"]
    assert list(next(iter(reader)).fields.values()) == ["1", "2", "3", "4", "5", "6"]


def test_short_and_long_rows(write_file: WriteFile) -> None:
    records = read_all(write_file("ads.csv", 'a,b,c\n1\n1,2,3,4,"5,6"\n'))
    assert records[0].fields == {"a": "1", "b": None, "c": None}
    assert records[1].fields["_extra_cells"] == json.dumps(["4", "5,6"])
    assert records[1].error is None


def test_unterminated_header_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InputError, match="header row"):
        open_reader(write_file("ads.csv", 'id,"text\n1,2\n'))


@pytest.mark.parametrize("name", ["klingon", "hex", "zlib"])
def test_unknown_encoding_is_refused(write_file: WriteFile, name: str) -> None:
    with pytest.raises(InputError, match=f"unknown encoding '{name}'"):
        open_reader(write_file("ads.csv", "a\n1\n"), encoding=name)


def test_twenty_megabyte_field_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    big = "x" * 20_000_000
    path.write_text(f'id,text\n1,"{big}"\n2,small\n', encoding="utf-8")
    records = read_all(path)
    assert [r.line for r in records] == [2, 3]
    assert len(records[0].fields["text"] or "") == 20_000_000
    assert records[1].fields["text"] == "small"


# Text without control characters (a file full of them is binary junk) and without NUL.
_cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\r\n\t"),
    max_size=30,
)


@given(rows=st.lists(st.lists(_cell_text, min_size=3, max_size=3), max_size=8))
def test_csv_writer_output_read_back_identically(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    header = ["id", "text", "city"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    starts = []
    for row in rows:
        starts.append(len(re.findall(r"\r\n|\r|\n", buffer.getvalue())) + 1)
        writer.writerow(row)
    path = tmp_path_factory.mktemp("csv") / "ads.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    # Rows with only blank cells are skipped by design (spreadsheets' trailing ",,," rows).
    expected = [(line, row) for line, row in zip(starts, rows, strict=True) if "".join(row).strip()]
    records = read_all(path)
    assert [(r.line, list(r.fields.values())) for r in records] == expected
    assert all(r.error is None for r in records)


@given(text=st.text(alphabet=string.ascii_letters + ",;|\t\"' ", max_size=200))
def test_any_ascii_text_reads_without_crashing(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "ads.csv"
    path.write_text("id,text\n" + text, encoding="utf-8")
    for record in read_all(path):
        assert record.line >= 2
