"""Entries in PostgreSQL: one connection per request, which makes sure the table exists."""
import psycopg2
from flask import g

Error = psycopg2.Error

# Serialized by an advisory lock: two gunicorn workers starting at once do not race.
SCHEMA = """
select pg_advisory_xact_lock(7411);
create table if not exists entries (
    id serial primary key,
    name text not null,
    message text not null,
    created timestamptz not null default now()
)
"""


def connection():
    """This request's connection (libpq's environment variables say where), the schema in place."""
    if "db" not in g:
        g.db = psycopg2.connect("")
        with g.db, g.db.cursor() as cursor:
            cursor.execute(SCHEMA)
    return g.db


def close(_exception=None):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def entries():
    """Every entry, newest first, as dicts with `name` and `message`."""
    with connection() as conn, conn.cursor() as cursor:
        cursor.execute("select name, message from entries order by id desc")
        return [{"name": name, "message": message} for name, message in cursor.fetchall()]


def sign(name, message):
    with connection() as conn, conn.cursor() as cursor:
        cursor.execute("insert into entries (name, message) values (%s, %s)", (name, message))


def ping():
    """Raises `Error` unless PostgreSQL answers `select 1`."""
    conn = psycopg2.connect("", connect_timeout=2)
    try:
        with conn.cursor() as cursor:
            cursor.execute("select 1")
    finally:
        conn.close()
