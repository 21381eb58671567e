"""One invoice as Pennylane holds it, beyond the snapshot: its PDF, fetched fresh at click time."""
