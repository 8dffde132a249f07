"""One way to mask personal data (``core.crypto``): a PIN shows nothing of itself, not even
its length; an account number shows at most its last four characters (two when it is short,
none when it is very short), behind a mask of the same width whatever its length."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from faxline.core.crypto import MASK, mask, mask_secret, visible_tail


def test_a_secret_shows_nothing() -> None:
    assert mask_secret("4321") == mask_secret("1") == mask_secret("908172635") == MASK
    assert mask_secret("") == mask_secret(None) == ""


def test_an_account_number_shows_its_tail() -> None:
    assert mask("ACCT-998877") == "••••8877"
    assert mask("4472-1190-3386") == "••••3386"
    assert mask("123456") == "••••56"
    assert mask("123") == "••••"
    assert mask("") == mask(None) == ""
    assert visible_tail("12-34-56-7") == "67"  # separators are not counted


@given(st.text(alphabet="0123456789ABCDEFabcdef- ", min_size=1, max_size=40))
def test_no_mask_tells_the_length_or_more_than_half(value: str) -> None:
    assert len(mask_secret(value)) == len(MASK)
    tail = visible_tail(value)
    chars = [c for c in value if c.isalnum()]
    assert len(tail) * 2 <= len(chars) or not tail
    assert mask(value) == MASK + tail
