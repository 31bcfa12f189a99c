# This file is part of the B2B wholesale suite.
"""The suite drops only the template databases it recorded as its own:
never a database of someone else on the configured server"""
import os
import types
import uuid
from pathlib import Path

import pytest

from b2b_suite import testdb

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (os.environ.get('TRYTOND_DATABASE__URI') or '').startswith(
        'postgresql://'), reason="needs PostgreSQL (./dev test sets it)")


@pytest.fixture
def server(request):
    "A maintenance connection; the databases named in it are dropped after"
    conftest = request.config.pluginmanager.getplugin(
        str(ROOT / 'conftest.py'))
    connection = conftest._connect()
    created = []

    def create(name, comment=None):
        connection.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        if comment is not None:
            connection.execute(
                f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
        return name
    yield types.SimpleNamespace(
        connection=connection, create=create, conftest=conftest)
    for name in created:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def _names(connection):
    return set(testdb.existing(connection))


def test_session_start_drops_only_own_stale_templates(server, monkeypatch):
    "A user's databases named test-… survive the suite's start"
    tag = uuid.uuid4().hex[:8]
    current = server.conftest._sources_hash()
    foreign = server.create(f'test-important-{tag}')
    someone = server.create(f'test-other-{tag}', "customer data")
    stale = server.create(f'test-stale-{tag}', testdb.comment('0' * 16))
    legacy = server.create(f'test-legacy-{tag}', 'f' * 16)
    fresh = server.create(f'test-fresh-{tag}', testdb.comment(current))
    monkeypatch.setenv('DB_CACHE', 'postgresql://')
    session = types.SimpleNamespace(config=types.SimpleNamespace())

    server.conftest.pytest_sessionstart(session)

    left = _names(server.connection)
    assert {foreign, someone, fresh} <= left
    assert not {stale, legacy} & left
    assert session.config._b2b_sources_hash == current


def test_new_templates_recorded_old_ones_not(server):
    "Only a database that appeared during the run is recorded as ours"
    tag = uuid.uuid4().hex[:8]
    before = server.create(f'test-before-{tag}')
    start = _names(server.connection)
    new = server.create(f'test-new-{tag}')

    recorded = testdb.record_new(server.connection, start, 'a' * 16)

    assert recorded == [new]
    comments = testdb.existing(server.connection)
    assert comments[new] == testdb.comment('a' * 16)
    assert comments[before] is None
    # and a later start with other sources drops the recorded one only
    testdb.drop_stale(server.connection, 'b' * 16)
    left = _names(server.connection)
    assert new not in left and before in left
