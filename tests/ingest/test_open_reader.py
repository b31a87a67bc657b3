"""open_reader dispatch and input hashing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adtrace.ingest.readers import (
    CsvReader,
    HtmlFolderReader,
    JsonArrayReader,
    JsonLinesReader,
    ParquetReader,
    file_sha256,
    open_reader,
)
from adtrace.ingest.records import InputError
from tests.ingest.conftest import WriteFile


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.csv", "id\n1\n", CsvReader),
        ("a.TSV", "id\n1\n", CsvReader),
        ("a.txt", "id\n1\n", CsvReader),
        ("a.jsonl", '{"id": 1}\n', JsonLinesReader),
        ("a.ndjson", '{"id": 1}\n', JsonLinesReader),
        ("a.json", '[{"id": 1}]', JsonArrayReader),
        ("a.json", '{"id": 1}\n', JsonLinesReader),
    ],
)
def test_reader_chosen_by_extension(
    write_file: WriteFile, name: str, content: str, kind: type
) -> None:
    assert isinstance(open_reader(write_file(name, content)), kind)


def test_parquet_and_folder(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": [1]}), tmp_path / "a.parquet")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text("<p>x</p>", encoding="utf-8")
    assert isinstance(open_reader(tmp_path / "a.parquet"), ParquetReader)
    assert isinstance(open_reader(tmp_path / "pages"), HtmlFolderReader)


def test_unknown_extension_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InputError, match=r"unsupported file type '\.xlsx'") as caught:
        open_reader(write_file("ads.xlsx", "x"), display="ads.xlsx")
    assert str(caught.value).startswith("ads.xlsx: unsupported file type")


def test_missing_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        open_reader(tmp_path / "nope.csv")


def test_display_name_is_the_source(write_file: WriteFile) -> None:
    (record,) = list(open_reader(write_file("a.csv", "id\n1\n"), display="exports/a.csv"))
    assert record.source == "exports/a.csv"


def test_sha256_of_a_file(write_file: WriteFile) -> None:
    data = b"id,text\n" + b"1,x\n" * 400_000
    assert file_sha256(write_file("a.csv", data)) == hashlib.sha256(data).hexdigest()


def test_sha256_of_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_text("<p>a</p>", encoding="utf-8")
    (folder / "sub" / "b.html").write_text("<p>b</p>", encoding="utf-8")
    first = file_sha256(folder)
    (folder / "notes.txt").write_text("not a page", encoding="utf-8")
    assert file_sha256(folder) == first
    (folder / "sub" / "b.html").rename(folder / "sub" / "c.html")
    renamed = file_sha256(folder)
    assert renamed != first
    (folder / "a.html").write_text("<p>A</p>", encoding="utf-8")
    assert file_sha256(folder) not in (first, renamed)
