"""Exit codes of `python -m jobs.ingest`, which the scheduler reads back from its child process."""

OK, FAILED, CONFIG, BUSY = 0, 1, 2, 3
