"""People and staff: users, roles, login, sessions, second factor."""
