"""Ingestion: get Pennylane records (over HTTP, or from files for the demo) into a published snapshot."""
