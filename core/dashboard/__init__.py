"""The cash dashboard: weekly expected vs collected, the gap, aging, DSO (docs/metrics.md)."""
