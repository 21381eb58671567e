"""The organisation admin: agencies, users, who follows which customer, and their history.

Every function takes the acting user's Scope and refuses (core.access.permissions.Forbidden)
unless the permission table allows it; every change writes its row in `organisation_changes`
in the same transaction, and bumps the operational store's revision, so the users' next page
run sees it (scope, live overlay, caches) without a sync.
"""
