"""Pagination links keep the filters and never point past either end."""

from __future__ import annotations

from dmp.web.helpers import paginate


def test_a_single_page_has_no_links() -> None:
    pages = paginate(total=3, page=1, size=50, filters={"mode": "emergency"})
    assert (pages.pages, pages.previous_url, pages.next_url) == (1, None, None)


def test_links_keep_the_filters_and_drop_empty_ones() -> None:
    pages = paginate(total=120, page=2, size=50, filters={"mode": "emergency", "since": ""})
    assert pages.pages == 3
    assert pages.previous_url == "?mode=emergency&page=1"
    assert pages.next_url == "?mode=emergency&page=3"


def test_past_the_end_leads_back_to_the_last_page() -> None:
    pages = paginate(total=120, page=9, size=50, filters={})
    assert pages.previous_url == "?page=3"
    assert pages.next_url is None


def test_no_results_is_one_empty_page() -> None:
    assert paginate(total=0, page=1, size=50, filters={}).pages == 1
