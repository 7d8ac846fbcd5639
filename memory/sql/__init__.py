"""SQL implementation of the profile store (SQLite and PostgreSQL)."""
