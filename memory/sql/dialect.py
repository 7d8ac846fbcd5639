"""INSERT ... ON CONFLICT for SQLite and PostgreSQL.

`insert_on_conflict` builds the statement once as typed text: both databases speak
the same ON CONFLICT syntax, and SQLAlchemy 2.0 cannot cache its dialect-specific
ON CONFLICT constructs, so using them on the per-message path meant compiling SQL
on every call, which cost more than running it.
"""
from __future__ import annotations

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite


def upsert_insert(dialect_name: str, table):
    """The dialect's own INSERT with on_conflict_* methods, for rare statements."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {dialect_name}")


def insert_on_conflict(
    table: Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    *,
    update: tuple[str, ...] = (),
    where: str | None = None,
    returning: str | None = None,
) -> TextClause:
    """INSERT (columns) ... ON CONFLICT (conflict) DO NOTHING, or DO UPDATE SET `update`
    from the new row WHERE `where` (which may use `excluded.` and the table name)."""
    quoted = ", ".join(f'"{name}"' for name in columns)
    target = ", ".join(f'"{name}"' for name in conflict)
    values = ", ".join(f":{name}" for name in columns)
    sql = (
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({values}) '
        f"ON CONFLICT ({target}) "
    )
    if update:
        sql += "DO UPDATE SET " + ", ".join(f'"{n}" = excluded."{n}"' for n in update)
        sql += f" WHERE {where}" if where else ""
    else:
        sql += "DO NOTHING"
    if returning:
        sql += f' RETURNING "{returning}"'
    statement = text(sql).bindparams(
        *(bindparam(name, type_=table.c[name].type) for name in columns)
    )
    return statement.columns(table.c[returning]) if returning else statement
