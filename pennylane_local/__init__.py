"""A local, Pennylane-compatible API server (demo data, faults, rate limit) for the app and its tests."""

from pennylane_local.app import create_app
from pennylane_local.dataset import Dataset, load_data
from pennylane_local.faults import KINDS as FAULT_KINDS
from pennylane_local.faults import Fault, Faults
from pennylane_local.quirks import Quirks
from pennylane_local.ratelimit import RateLimiter
from pennylane_local.server import ServerThread, run_forever
from pennylane_local.state import ServerState, ServerStats

__all__ = [
    "FAULT_KINDS",
    "Dataset",
    "Fault",
    "Faults",
    "Quirks",
    "RateLimiter",
    "ServerState",
    "ServerStats",
    "ServerThread",
    "create_app",
    "load_data",
    "run_forever",
]
