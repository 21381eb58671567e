"""The only Streamlit-aware helpers: session keys, the signed-in scope, the page frame, URLs.

`core/` and `jobs/` never import this package (tests/test_layout.py)."""
