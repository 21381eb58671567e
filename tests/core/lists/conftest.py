import pytest

from tests.support.invoice_book import all_invoice_rows, invoice_book_store


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """The known book (tests.support.invoice_book), published once per test module."""
    return invoice_book_store(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def rows(book):
    return all_invoice_rows(book)
