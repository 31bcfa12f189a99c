# This file is part of the B2B wholesale suite.
"""Fixtures of the portal tests: one throw-away PostgreSQL database per
session with b2b_base, Polish and the small demo data, the portal
application on it, and for the real-browser tests Debian's chromium and
the application served on a free port"""
import os
import shutil
import sys
import threading

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


# the flags a headless chromium needs on a machine with a closed network
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-dev-shm-usage']


def chromium_path():
    "Return the chromium executable ($CHROMIUM, Debian's), None if none"
    for candidate in [os.environ.get('CHROMIUM'), '/usr/bin/chromium',
            shutil.which('chromium'), shutil.which('chromium-browser')]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope='module')
def browser():
    sync_api = pytest.importorskip('playwright.sync_api',
        reason="Playwright is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        pytest.skip("chromium not found (./dev test installs Debian's "
            "chromium as root; or set CHROMIUM to its path)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope='module')
def live_server(app):
    "Yield the URL of the test application served on a free port"
    from werkzeug.serving import make_server
    server = make_server('127.0.0.1', 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}'
    finally:
        server.shutdown()
        thread.join(timeout=10)
