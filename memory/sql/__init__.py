"""The SQL implementation (SQLite and PostgreSQL).

`models/<area>.py` are the tables, `repositories/<area>.py` the queries, `<area>.py` the
storage steps of each area, and `store.py` wires them to one engine (`engine.py`).
"""
