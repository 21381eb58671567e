"""Groupe Verdier, the deterministic demo company: its Pennylane data as JSON files.

Entry point: ``demo.generator.generate``.
"""
