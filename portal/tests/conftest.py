# This file is part of the B2B wholesale suite.
"""Fixtures of the portal tests: one throw-away PostgreSQL database per
session with b2b_base, Polish and the small demo data, and the portal
application on it"""
import os
import sys

import pytest

from . import database
from .tools import DEMO_LOGIN, put_stock, run


@pytest.fixture(scope='session')
def app(request):
    name = f'test_portal_{os.getpid()}'
    sources_hash = getattr(request.config, '_b2b_sources_hash', None)
    database.create(name, sources_hash,
        log=lambda text: print(text, file=sys.stderr))
    try:
        from portal import create_app
        app = create_app({
                'TRYTON_DATABASE': name,
                # keep trytond's configuration (the environment) as it is
                'TRYTON_CONFIG': '',
                'TESTING': True,
                })
        run(app, put_stock)
        yield app
    finally:
        database.drop(name)


@pytest.fixture
def client(app):
    return app.test_client()


def _drop_carts(emails):
    "Delete the carts of the accounts"
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    carts = [Sale.b2b_cart(account) for account in WebUser.search([
                ('email', 'in', emails),
                ])]
    Sale.delete([c for c in carts if c])


@pytest.fixture(autouse=True)
def clean_cart(request):
    """Every test that uses the database starts with the demo buyer's cart
    empty, whatever the tests before it left there (order again, a
    refused checkout), so that the tests pass in any order"""
    if 'app' in request.fixturenames:
        run(request.getfixturevalue('app'), _drop_carts, [DEMO_LOGIN])
    yield
