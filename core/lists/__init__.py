"""The invoice and customer lists: filters, one page of rows, totals of the whole filtered set,
the read-only invoice detail and the ExportTable every export format renders (docs/lists.md)."""
