"""Tests run against the real PostgreSQL of the `db` service (`slipway run test` starts it),
each in a schema of its own (PGOPTIONS=-c search_path=...), dropped afterwards."""
import uuid

import psycopg2
import pytest

from guestbook import create_app


@pytest.fixture
def schema(monkeypatch):
    name = "test_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect("")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"create schema {name}")
    monkeypatch.setenv("PGOPTIONS", f"-c search_path={name}")
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f"drop schema {name} cascade")
    admin.close()


@pytest.fixture
def client(schema):
    app = create_app()
    app.config["TESTING"] = True
    return app.test_client()
