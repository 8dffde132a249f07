"""The toolkit's paging of tables and the API's pagination: bounds, kept filters, bad input."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from faxline.core.errors import ValidationFailed
from faxline.core.pagination import check_window, paginate_list
from faxline.portal.toolkit import paginate_table

ROWS = list(range(1, 238))  # 237 rows


def _page(query: str, **kwargs: object):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(f"/things/?{query}")
    return paginate_table(request, ROWS, **kwargs)  # type: ignore[arg-type]


def test_first_page_with_the_default_row_count() -> None:
    table = _page("status=open")
    assert table.items == list(range(1, 26)) and table.count == 237
    assert (table.number, table.num_pages, table.start_index, table.end_index) == (1, 10, 1, 25)
    # Links keep the filters; page 1 and the default Row Count stay out of the URL.
    assert table.first_url == "/things/?status=open"
    assert table.next_url == "/things/?status=open&page=2"
    assert [link.number for link in table.links] == [1, 2, 3, None, 10]


def test_row_count_and_a_page_past_the_end() -> None:
    table = _page("rows=100&page=99&q=x")
    assert table.number == 3 and table.items == list(range(201, 238))
    assert table.previous_url == "/things/?q=x&rows=100&page=2"
    choices = {c.rows: (c.url, c.selected) for c in table.row_count_choices}
    assert choices[100] == ("/things/?q=x&rows=100", True)
    assert choices[25] == ("/things/?q=x", False)  # back to the first page
    assert table.hidden_params == [("q", "x")]


@pytest.mark.parametrize("query", ["rows=7", "rows=-5", "rows=abc&page=-2", "page=0", "page=1e9"])
def test_bad_values_fall_back_to_the_defaults(query: str) -> None:
    table = _page(query)
    assert table.rows == 25 and table.number in (1, 10)
    assert len(table.items) <= 25


def test_the_window_of_page_links_in_the_middle() -> None:
    table = _page("page=5&rows=10")
    assert [link.number for link in table.links] == [1, None, 3, 4, 5, 6, 7, None, 24]
    assert [link.number for link in table.links if link.current] == [5]


def test_the_template_renders_links_and_row_counts() -> None:
    table = _page("page=2", htmx_target="fx-things")
    html = render_to_string("portal/_paging.html", {"table": table, "label": "Things pages"})
    assert 'aria-label="Things pages"' in html and "26\u201350 of 237" in html
    assert 'aria-current="page"' in html and 'hx-target="#fx-things"' in html
    assert '<option value="25" selected>' in html
    small = paginate_table(RequestFactory().get("/things/"), [1, 2])
    assert render_to_string("portal/_paging.html", {"table": small}).strip() == ""


def test_the_api_window_is_bounded() -> None:
    assert paginate_list(ROWS, limit=10, offset=230) == (list(range(231, 238)), 237)
    for limit, offset, field in ((0, 0, "limit"), (501, 0, "limit"), (10, -1, "offset")):
        with pytest.raises(ValidationFailed) as refused:
            check_window(limit=limit, offset=offset)
        assert refused.value.field == field
