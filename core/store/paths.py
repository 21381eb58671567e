"""Where the store's files live under the data directory (one place, so no module guesses a path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PUBLISHED_NAME = "encours.duckdb"
OPERATIONS_NAME = "operations.sqlite"


@dataclass(frozen=True)
class StorePaths:
    data_dir: Path

    @property
    def published(self) -> Path:
        """The analytical snapshot every reader opens; replaced whole by each publish."""
        return self.data_dir / PUBLISHED_NAME

    @property
    def operations(self) -> Path:
        return self.data_dir / OPERATIONS_NAME

    @property
    def work_dir(self) -> Path:
        """The ingestion's private directory: build files and staged pages, never read by others."""
        return self.data_dir / "work"

    @property
    def ingest_lock(self) -> Path:
        return self.work_dir / "ingest.lock"

    @property
    def staging_dir(self) -> Path:
        return self.work_dir / "staging"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"

    @property
    def maildir(self) -> Path:
        """The embedded SMTP server's mailbox (a maildir): every message the demo sends, as received."""
        return self.data_dir / "maildir"

    def ensure(self) -> StorePaths:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        return self
