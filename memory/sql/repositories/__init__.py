"""Repositories, one module per area: queries on the unit of work's connection, never a commit."""
