"""The collector workspace (issue 11): the workflow of an invoice's internal status with its audit
trail, notes, calls, payment promises, and what the invoice and customer pages show.

- `workflow.py`: the statuses, the transition table and the French refusals (pure);
- `errors.py`: what a write may be refused with;
- `followups.py`: the writes, each in one operational transaction with its audit row, under
  optimistic concurrency (every write carries the version it was based on);
- `promises.py`: whether a promise was kept, from Pennylane's payments;
- `invoice.py`, `customer.py`, `history.py`: the invoice detail, the customer view and its history.
"""
