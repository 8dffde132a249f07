"""The one CSV reader every import uses: a file's shape, size and values are refused with a
clear 422 on ``file``, never a crash."""

from __future__ import annotations

import pytest

from faxline.core.csvfile import MAX_FIELD_CHARS, decode_csv, iter_rows, read_records
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
