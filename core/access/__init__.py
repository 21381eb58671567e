"""Who may see and do what in Encours: roles, permissions, sign-in."""
