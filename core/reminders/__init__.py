"""Automatic reminders (issue 12): plans, the engine that decides what is due, the queue that
sends it exactly once, and what comes back (bounces, out-of-office replies)."""
