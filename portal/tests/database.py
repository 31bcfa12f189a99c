# This file is part of the B2B wholesale suite.
"""A throw-away PostgreSQL database with b2b_base activated, Polish loaded
and the small demo data, for the portal tests.

The activated database is copied from the template that the module tests
cache (DB_CACHE=postgresql://, named like trytond's activate_module names
it) when that template is fresh, and such a template is made when it is
missing, so a warm run costs a CREATE DATABASE … TEMPLATE instead of an
activation."""
import hashlib
import os
import time
import urllib.parse

from b2b_suite import testdb

MODULES = ['b2b_salesrep']


def _uri():
    uri = (os.environ.get('TRYTOND_DATABASE__URI')
        or os.environ.get('TRYTOND_DATABASE_URI') or '')
    if not uri.startswith('postgresql://'):
        raise RuntimeError(
            "the portal tests run on PostgreSQL: set TRYTOND_DATABASE__URI "
            "(./dev test does)")
    return uri


def _connect():
    import psycopg
    parts = urllib.parse.urlsplit(_uri())
    return psycopg.connect(
        host=parts.hostname, port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or '') or None,
        password=urllib.parse.unquote(parts.password or '') or None,
        dbname='postgres', autocommit=True)


def template_name():
    "The name trytond's activate_module gives the cached template"
    name = '-'.join(MODULES)
    return 'test-' + hashlib.shake_128(name.encode('utf8')).hexdigest(20)


def _usable_template(connection, sources_hash):
    """Tell if the cached template exists and was built from these module
    sources (no comment yet: built during this pytest session)"""
    row = connection.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname = %s", (template_name(),)).fetchone()
    return row is not None and row[0] in {
        None, testdb.comment(sources_hash)}


def _activate(name):
    "Create the database and activate the modules, as activate_module does"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import create_db
    from trytond.transaction import Transaction
    create_db(name)
    with Transaction().start(name, 0, close=True) as transaction:
        pool = Pool()
        Module = pool.get('ir.module')
        Module.activate(Module.search([('name', 'in', MODULES)]))
        transaction.commit()
        ActivateUpgrade = pool.get('ir.module.activate_upgrade',
            type='wizard')
        instance_id, _, _ = ActivateUpgrade.create()
        transaction.commit()
        ActivateUpgrade(instance_id).transition_upgrade()
        ActivateUpgrade.delete(instance_id)
        transaction.commit()


def create(name, sources_hash=None, log=print):
    """Create the database name with b2b_base activated, Polish and the
    small demo data; sources_hash allows the use of the cached template"""
    import b2b_suite.demo as demo_data
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    start = time.monotonic()
    use_cache = bool(sources_hash) and os.environ.get(
        'DB_CACHE', '').startswith('postgresql://')
    with _connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if use_cache and _usable_template(connection, sources_hash):
            connection.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{template_name()}"')
            how = "copied from the cached template"
        else:
            how = "activated"
    if how == "activated":
        _activate(name)
        if use_cache:
            backend.Database(name).close()
            with _connect() as connection:
                if not connection.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s",
                        (template_name(),)).fetchone():
                    connection.execute(f'CREATE DATABASE '
                        f'"{template_name()}" TEMPLATE "{name}"')
    log(f"{name}: b2b_base {how} in {time.monotonic() - start:.1f} s")

    Pool(name).init()
    with Transaction().start(name, 0) as transaction:
        Lang = Pool().get('ir.lang')
        Lang.load_translations(Lang.search([('code', '=', 'pl')]))
        transaction.commit()
    log(f"{name}: Polish loaded at {time.monotonic() - start:.1f} s")
    demo_data.load(name, 'small', progress=False)
    log(f"{name}: demo data loaded at {time.monotonic() - start:.1f} s")


def drop(name):
    from trytond import backend
    from trytond.cache import Cache
    backend.Database(name).close()
    Cache.drop(name)
    with _connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == '__main__':
    import sys
    create(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
