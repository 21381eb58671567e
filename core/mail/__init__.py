"""E-mails to customers: the manual reminder (issue "Collector workspace"), and what the
automatic reminders (issue 12) reuse.

- `templates`: the Jinja2 templates (French, English) and the language of a customer;
- `drafts`: a reminder's draft for some invoices of one customer, read through the scoped session;
- `message`: the `EmailMessage` built with the standard `email` package (no header injection);
- `smtp`: sending over SMTP, and the French errors of a failed send;
- `history`: the outbox and history in the operational store (written before sending);
- `manual`: `send_manual_reminder`: record, send, mark — in that order;
- `local_server` / `received`: the embedded SMTP server that keeps messages in a maildir, and
  reading them back for the "Boîte d'envoi (démo)" page.
"""
