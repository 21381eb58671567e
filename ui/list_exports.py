"""The lists' export buttons (wired to core.exports once its writers are merged)."""

from __future__ import annotations

from datetime import date

from core.lists.filters import CustomerFilters, InvoiceFilters
from core.scope import Scope
from core.store.paths import StorePaths


def invoice_exports(paths: StorePaths, scope: Scope, filters: InvoiceFilters, today: date, count: int) -> None:
    return None


def customer_exports(paths: StorePaths, scope: Scope, filters: CustomerFilters, today: date, count: int) -> None:
    return None
