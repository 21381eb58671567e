"""Figures defined once (docs/metrics.md) and shared by the dashboard, the lists and the exports."""
