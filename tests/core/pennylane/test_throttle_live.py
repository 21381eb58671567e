"""Against the local server enforcing 25 requests / 5 s: ≥ 90 % of the allowed rate, zero 429.

Real time, ~15 s: the only test of the suite that waits on the clock.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.pennylane import PennylaneClient, Throttle
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve

LIMIT, PERIOD = 25, 5.0
TARGET = 3 * LIMIT + 1  # the 76th request may not start before t = 15 s


def _ideal_seconds(requests: int) -> float:
    """The least time a client needs to send ``requests`` under a 25 / 5 s sliding window."""
    return PERIOD * ((requests - 1) // LIMIT)


@pytest.mark.serial
@pytest.mark.slow
def test_two_clients_sharing_a_token_stay_under_the_limit_at_full_rate() -> None:
    throttle = Throttle(LIMIT, PERIOD)  # what shared_throttle() hands every client of one token
    with serve({TOKEN: sample_dataset()}, rate_limit=True, now=lambda: NOW) as server:
        clients = [PennylaneClient(server.base_url, TOKEN, throttle=throttle) for _ in range(2)]
        sent = lambda: sum(c.stats.requests for c in clients)  # noqa: E731
        errors: list[BaseException] = []

        def sync(client: PennylaneClient) -> None:
            try:
                while sent() < TARGET:
                    for _ in client.iter_customer_invoices(limit=5):
                        if sent() >= TARGET:
                            return
            except BaseException as exc:  # noqa: BLE001 - surfaced to the test thread below
                errors.append(exc)

        started = time.monotonic()
        threads = [threading.Thread(target=sync, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - started
        for client in clients:
            client.close()

    assert not errors
    requests = sent()
    assert server.stats.rate_limited == 0 and server.stats.statuses.get(429, 0) == 0
    assert sum(c.stats.retries for c in clients) == 0
    assert server.stats.requests["/customer_invoices"] == requests >= TARGET
    efficiency = _ideal_seconds(requests) / elapsed
    assert efficiency >= 0.9, f"{requests} requests in {elapsed:.2f} s: {efficiency:.0%} of the allowed rate"
