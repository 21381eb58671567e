"""A local, Pennylane-compatible API server (demo data, faults, rate limit) for the app and its tests."""

from core.pennylane_local.app import create_app
from core.pennylane_local.dataset import Dataset, demo_token, load_data
from core.pennylane_local.faults import KINDS as FAULT_KINDS
from core.pennylane_local.faults import Fault, Faults
from core.pennylane_local.ratelimit import RateLimiter
from core.pennylane_local.server import ServerThread, run_forever
from core.pennylane_local.state import ServerState, ServerStats

__all__ = [
    "FAULT_KINDS",
    "Dataset",
    "Fault",
    "Faults",
    "RateLimiter",
    "ServerState",
    "ServerStats",
    "ServerThread",
    "create_app",
    "demo_token",
    "load_data",
    "run_forever",
]
