"""JSON Lines and JSON array readers: values, line numbers, broken and hostile input."""

from __future__ import annotations

import codecs
import json

import pytest

from adtrace.ingest.readers import JsonArrayReader, JsonLinesReader, open_reader
from adtrace.ingest.readers.jsonfile import COLUMN_SCAN_RECORDS
from adtrace.ingest.records import InputError
from tests.ingest.conftest import WriteFile, read_all

AD = {
    "id": "a1",
    "age": 23,
    "price": 150.5,
    "verified": True,
    "city": None,
    "phones": ["514 555 0199"],
    "meta": {"lang": "fr", "note": "été"},
}
AD_FIELDS = {
    "id": "a1",
    "age": "23",
    "price": "150.5",
    "verified": "true",
    "city": None,
    "phones": '["514 555 0199"]',
    "meta": '{"lang": "fr", "note": "été"}',
}


def _jsonl(*objects: object) -> str:
    return "".join(json.dumps(value, ensure_ascii=False) + "\n" for value in objects)


def test_jsonl_values_become_text(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.jsonl", _jsonl(AD)))
    assert isinstance(reader, JsonLinesReader)
    assert [r.fields for r in reader] == [AD_FIELDS]


def test_jsonl_columns_union_in_first_seen_order(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.ndjson", _jsonl({"b": 1, "a": 2}, {"c": 3, "a": 4})))
    assert reader.columns == ["b", "a", "c"]


def test_jsonl_columns_come_from_the_first_records_only(write_file: WriteFile) -> None:
    objects = [{"id": i} for i in range(COLUMN_SCAN_RECORDS)] + [{"id": 0, "late": 1}]
    reader = open_reader(write_file("ads.jsonl", _jsonl(*objects)))
    assert reader.columns == ["id"]
    assert list(reader)[-1].fields == {"id": "0", "late": "1"}


def test_jsonl_broken_line_in_the_middle(write_file: WriteFile) -> None:
    lines = _jsonl({"id": 1}, {"id": 2}).splitlines()
    text = f'{lines[0]}\n\n{{"id": 3, "text": "cut\n  \n{lines[1]}\n[1, 2]\n'
    records = read_all(write_file("ads.jsonl", text))
    assert [(r.line, r.error is None) for r in records] == [
        (1, True),
        (3, False),
        (5, True),
        (6, False),
    ]
    assert (records[1].error or "").startswith("invalid JSON: Unterminated string")
    assert records[1].raw == '{"id": 3, "text": "cut'
    assert records[2].fields == {"id": "2"}
    assert records[3].error == "not a JSON object" and records[3].raw == "[1, 2]"


def test_jsonl_deep_nesting_is_an_error_record(write_file: WriteFile) -> None:
    deep = '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    records = read_all(write_file("ads.jsonl", f'{{"id": 1}}\n{deep}\n{{"id": 3}}\n'))
    assert [r.error for r in records] == [None, "JSON nested too deeply", None]
    assert records[1].raw == deep and records[2].line == 3


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_jsonl_with_bom(write_file: WriteFile, bom: bytes, codec: str) -> None:
    data = bom + _jsonl({"ville": "Montréal"}, {"ville": "Québec"}).encode(codec)
    assert [r.fields["ville"] for r in read_all(write_file("ads.jsonl", data))] == [
        "Montréal",
        "Québec",
    ]


def test_jsonl_undecodable_line(write_file: WriteFile) -> None:
    data = b'{"a": "ok"}\n{"a": "caf\xe9"}\n{"a": "ok"}\n'
    records = read_all(write_file("ads.jsonl", data))
    offset = data.index(b"\xe9")
    assert [r.error for r in records] == [
        None,
        f"not valid utf-8 at byte {offset}; try --encoding cp1252",
        None,
    ]
    assert records[1].raw == '{"a": "caf\ufffd"}'


def test_jsonl_declared_encoding(write_file: WriteFile) -> None:
    data = '{"a": "café"}\n'.encode("cp1252")
    assert read_all(write_file("ads.jsonl", data), encoding="cp1252")[0].fields == {"a": "café"}


@pytest.mark.parametrize("content", ["", "\n \n"])
def test_jsonl_empty_file_is_refused(write_file: WriteFile, content: str) -> None:
    with pytest.raises(InputError, match="empty file"):
        open_reader(write_file("ads.jsonl", content))


def test_json_array_records_carry_their_lines(write_file: WriteFile) -> None:
    text = json.dumps([{"id": 1, "text": "a"}, 7, AD], indent=2, ensure_ascii=False)
    reader = open_reader(write_file("ads.json", text))
    assert isinstance(reader, JsonArrayReader)
    records = list(reader)
    assert [r.line for r in records] == [2, 6, 7]
    assert records[0].fields == {"id": "1", "text": "a"}
    assert records[1].error == "not a JSON object" and records[1].raw == "7"
    assert records[2].fields == AD_FIELDS
    assert reader.columns == ["id", "text", *[key for key in AD if key != "id"]]


def test_json_array_on_one_line(write_file: WriteFile) -> None:
    records = read_all(write_file("ads.json", '[{"a": 1},{"a": 2}]'))
    assert [(r.line, r.fields) for r in records] == [(1, {"a": "1"}), (1, {"a": "2"})]


def test_broken_json_array_is_refused_with_its_line(write_file: WriteFile) -> None:
    text = '[\n  {"id": 1},\n  {"id": 2},\n  {"id": 3,, }\n]\n'
    with pytest.raises(InputError) as caught:
        open_reader(write_file("ads.json", text))
    assert caught.value.line == 4
    assert "invalid JSON" in caught.value.message


@pytest.mark.parametrize(
    ("text", "line"),
    [('[{"a": 1} {"a": 2}]', 1), ('[{"a": 1}]\n\n{"b": 2}', 3), ('[{"a": 1},\n]', 2), ("[", 1)],
)
def test_malformed_array_structure(write_file: WriteFile, text: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        open_reader(write_file("ads.json", text))
    assert caught.value.line == line


def test_deeply_nested_array_element_is_refused(write_file: WriteFile) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputError, match="nested too deeply"):
        open_reader(write_file("ads.json", f'[{{"a": 1}},\n{{"x": {deep}}}]'))


def test_empty_json_array(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.json", " [ ] \n"))
    assert reader.columns == [] and list(reader) == []


def test_json_file_holding_json_lines(write_file: WriteFile) -> None:
    reader = open_reader(write_file("ads.json", _jsonl({"a": 1}, {"a": 2})))
    assert isinstance(reader, JsonLinesReader)
    assert [r.line for r in reader] == [1, 2]


@pytest.mark.parametrize("text", ['{\n  "ads": []\n}', '"just a string"', "42"])
def test_json_file_not_an_array_is_refused(write_file: WriteFile, text: str) -> None:
    with pytest.raises(InputError, match="not an array of JSON objects"):
        open_reader(write_file("ads.json", text))


def test_json_array_with_undecodable_bytes_is_refused(write_file: WriteFile) -> None:
    data = b'[{"a": "caf\xe9"}]'
    offset = data.index(b"\xe9")
    with pytest.raises(InputError, match=f"not valid utf-8 at byte {offset}"):
        open_reader(write_file("ads.json", data))


def test_json_array_utf16(write_file: WriteFile) -> None:
    data = codecs.BOM_UTF16_LE + '[\n{"ville": "Montréal"}\n]'.encode("utf-16-le")
    assert [(r.line, r.fields) for r in read_all(write_file("ads.json", data))] == [
        (2, {"ville": "Montréal"})
    ]


def test_binary_json_lines_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InputError, match="binary"):
        open_reader(write_file("ads.jsonl", bytes(range(32)) * 100))
