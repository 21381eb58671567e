"""Exports of a filtered list: the whole set, in PDF, CSV and Excel, built from one ExportTable."""
