"""The one CSV reader every import uses: a file's shape, size and values are refused with a
clear 422 on ``file``, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faxline.core.csvfile import (
    MAX_FIELD_CHARS,
    csv_lines,
    csv_text,
    decode_csv,
    is_formula,
    iter_rows,
    neutralise,
    read_records,
    restore_value,
)
from faxline.core.errors import ValidationFailed


def read(text: str, **options: object) -> list[dict[str, str]]:
    kwargs: dict[str, object] = {
        "known": ("number", "note"),
        "required": ("number",),
        "listed": ("number", "note"),
        "max_rows": 3,
        **options,
    }
    _, records = read_records(text, **kwargs)  # type: ignore[arg-type]
    return [r.values for r in records]


@pytest.mark.parametrize("size", [MAX_FIELD_CHARS + 1, 200_000])
def test_a_value_too_long_refuses_the_file_naming_the_line(size: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read("number,note\n1,ok\n2," + "x" * size + "\n")
    assert (caught.value.code, caught.value.field) == ("value_too_long", "file")
    assert caught.value.message.startswith("Line 3:")
    assert read("number,note\n1," + "x" * MAX_FIELD_CHARS + "\n")[0]["number"] == "1"


def test_unknown_columns_are_refused_or_ignored() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read("number,rate\n1,2\n")
    assert caught.value.code == "unknown_columns"
    assert read("number,rate\n1,2\n", unknown_columns="ignore") == [{"number": "1"}]


def test_missing_column_message_and_row_limit() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read("note\nx\n", missing_message="The CSV needs a 'number' column.")
    assert caught.value.message == "The CSV needs a 'number' column."
    with pytest.raises(ValidationFailed) as caught:
        read("number\n1\n2\n3\n4\n")
    assert caught.value.code == "too_many_rows"
    assert read("number\n1\n\n2\n3\n") == [{"number": "1"}, {"number": "2"}, {"number": "3"}]


def test_rows_carry_the_line_they_start_on() -> None:
    rows = list(iter_rows('number,note\n1,"two\nlines"\n3,x\n'))
    assert [line for line, _ in rows] == [1, 2, 4]
    with pytest.raises(ValidationFailed) as caught:
        list(iter_rows('number\n"open\n'))
    assert caught.value.code == "bad_csv"


def test_decoding() -> None:
    assert decode_csv("\ufeffnumber\n1\n".encode(), max_bytes=100) == "number\n1\n"
    for data, code in (
        (b"", "file_empty"),
        (b"x" * 101, "file_too_large"),
        (b"a\x00", "file_not_text"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            decode_csv(data, max_bytes=100)
        assert caught.value.code == code


# --- writing: formulas neutralised -----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
        "-",
        "+",
        "@",
    ],
)
def test_a_value_a_spreadsheet_would_run_is_neutralised(value: str) -> None:
    assert is_formula(value)
    assert neutralise(value) == "'" + value
    assert not is_formula(neutralise(value))
    assert restore_value(neutralise(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Acme Corp",
        "12",
        "-12.5",
        "+12065550100",
        "+1 206 555 0100",
        "(206) 555-0100",
        "206-555-0100",
        "a=b",
        "it's",
        "'Tis the season",
        "x@example.com",
    ],
)
def test_plain_values_numbers_and_phone_numbers_are_written_as_they_are(value: str) -> None:
    assert neutralise(value) == value
    assert restore_value(value) == value


def test_apostrophes_already_there_round_trip() -> None:
    assert neutralise("'=1+1") == "''=1+1"
    assert restore_value("''=1+1") == "'=1+1"
    assert neutralise(None) == ""
    assert neutralise(42) == "42"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_every_value_is_safe_and_reads_back_as_it_was(value: str) -> None:
    written = neutralise(value)
    assert not is_formula(written)
    assert written == value or written == "'" + value
    assert restore_value(written) == value


def test_csv_text_writes_quoted_lines_and_the_reader_gets_the_values_back() -> None:
    rows = [
        ["+12065550100", '=WEBSERVICE("http://evil.example")'],
        ["+12065550101", 'two\nlines, "quoted"'],
        ["+12065550102", None],
    ]
    text = csv_text(["number", "note"], rows)
    assert text.startswith('number,note\r\n+12065550100,"\'=WEBSERVICE(""http://evil')
    assert text.endswith("+12065550102,\r\n")
    _, records = read_records(
        text, known=("number", "note"), required=("number",), listed=("number",), max_rows=5
    )
    assert [r.values for r in records] == [
        {"number": "+12065550100", "note": '=WEBSERVICE("http://evil.example")'},
        {"number": "+12065550101", "note": 'two\nlines, "quoted"'},
        {"number": "+12065550102", "note": ""},
    ]


def test_csv_lines_stream_one_row_at_a_time() -> None:
    lines = csv_lines(None, iter([["a", "@b"], ["c", "d"]]))
    assert next(lines) == "a,'@b\r\n"
    assert list(lines) == ["c,d\r\n"]
