"""Author names for a page of documents: resolved up front, not one query per author."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    CAMILLE,
    PETIT,
    People,
    acting,
    create_record,
    file_doc,
    seed_people,
    share_camille,
)
from sqlalchemy import event

from dmp.container import Container
from dmp.records import documents, presenters


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


@contextmanager
def counting(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)


def test_a_page_of_authors_costs_a_fixed_number_of_queries(
    container: Container, people: People
) -> None:
    for email in (PETIT, BERNARD, AUTHORISED, PETIT):
        file_doc(container, email, people.camille, f"par {email}")
    file_doc(container, CAMILLE, people.camille, "ma note")
    with acting(container, CAMILLE, people.camille) as access:
        page = documents.list_documents(access, documents.DocumentQuery())
        with counting(container) as loading:
            authors = presenters.Authors(access.session, page.items)
        with counting(container) as naming:
            names = {authors.of(row).name for row in page.items}
    # Professionals, organisations, accounts (and the accounts' roles, loaded with them).
    assert len(loading) <= 4
    assert naming == []
    assert len(names) == 4
    assert "?" not in names


def test_the_author_filter_names_only_authors_of_what_the_reader_may_see(
    container: Container, people: People
) -> None:
    file_doc(container, BERNARD, people.camille, "visible")
    file_doc(container, PETIT, people.camille, "masqué", masked=True)
    file_doc(container, CAMILLE, people.camille, "ma note")

    def authors(email: str) -> tuple[set[object], bool]:
        with acting(container, email, people.camille) as access:
            ids, by_patient = documents.visible_authors(access)
            return set(ids), by_patient

    bernard, petit = people.professional[BERNARD], people.professional[PETIT]
    assert authors(AUTHORISED) == ({bernard}, True)  # Dr Petit's only document is masked
    assert authors(BERNARD) == ({bernard, petit}, True)  # the médecin traitant sees it
    assert authors(CAMILLE) == ({bernard, petit}, True)
    with acting(container, AUTHORISED, people.camille) as access:
        only_petit = documents.DocumentQuery(author_professional_id=petit)
        assert documents.list_documents(access, only_petit).items == []
