"""The SQL implementation (SQLite and PostgreSQL).

`models/<area>.py` are the tables, `repositories/<area>.py` the queries, `<area>.py` the
storage steps of each area (mixins on `base.py`), and `store.py` wires them to one engine.
`engine.py` has the runners that execute a unit of work's code (SQLite's writes go to the
one writer thread of `writer.py`), `unit_of_work.py` one transaction and its repositories;
`dialect.py` and `types.py` keep SQLite and PostgreSQL alike.
"""
