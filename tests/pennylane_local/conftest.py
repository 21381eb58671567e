from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pennylane_local import Dataset
from tests.support.pennylane_server import NOW, TOKEN, ServerHandle, sample_dataset, serve


# Read-only tests share one server per module; tests that mutate data or inject
# faults start their own with ``serve``.
@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return sample_dataset()


@pytest.fixture(scope="module")
def server(dataset: Dataset) -> Iterator[ServerHandle]:
    with serve({TOKEN: dataset}, rate_limit=False, now=lambda: NOW) as handle:
        yield handle


@pytest.fixture(scope="module")
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5) as client:
        yield client
