# This file is part of the B2B wholesale suite.
"""Several portal processes on one database: what one process or the back
office changes shows in the other's very next page.

Two real portal processes (python -m portal, as configured by the
repository's trytond.conf) serve the test database on two ports; the price
list is changed by a third process configured the same way, as the back
office would (the portal has no page that edits prices). Each process keeps
Tryton's caches (the pricing service keeps the price lists) and rendered
catalog pages: the caches are cleared through PostgreSQL's notification
channel ([cache] clean_timeout = 0), the pages follow the catalog stamp."""
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from b2b_suite.bench.portal import CSRF, Client

from .test_shop import _cards
from .tools import DEMO_LOGIN, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# run by the third process: halve every price list's formulas, or restore
# them
CHANGE_PRICES = """
import re
import sys
from b2b_suite import config
from trytond import config as trytond_config
with config.written(config.load()) as path:
    trytond_config.update_etc(str(path))
from trytond.pool import Pool
from trytond.transaction import Transaction
database, mode = sys.argv[1:]
HALF = re.compile(r"^\\((.*)\\) \\* Decimal\\('0.5'\\)$")
Pool(database).init()
with Transaction().start(database, 0) as transaction:
    Line = Pool().get('product.price_list.line')
    lines = Line.search([])
    for line in lines:
        if mode == 'half':
            line.formula = f"({line.formula}) * Decimal('0.5')"
        else:
            line.formula = HALF.match(line.formula)[1]
    Line.save(lines)
    transaction.commit()
"""


class Browser(Client):
    "One portal process as the buyer's browser sees it (English pages)"

    def __init__(self, port, cookies):
        super().__init__(port, cookies, language='en')

    def get(self, path):
        status, page = self.request('GET', path)
        assert status == 200, (path, status)
        return page

    def post(self, path, form, token_from):
        "Post the form with the CSRF token of the page token_from"
        form = dict(form, csrf_token=CSRF.search(self.get(token_from))[1])
        status, _ = self.request('POST', path, form)
        assert status == 302, (path, status)


class _Page:
    "What _cards reads of a response"

    def __init__(self, text):
        self.text = text


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _environment(database):
    "The environment of a process of the deployment: trytond.conf"
    env = dict(os.environ)
    env.pop('TRYTON_CONFIG', None)
    env.update(TRYTON_DATABASE=database, PYTHONPATH=str(ROOT),
        # one secret for every process: a form of one posts to the other
        SECRET_KEY=env.get('B2B_TEST_SECRET', secrets.token_hex(32)))
    return env


@pytest.fixture
def portals(app):
    "Start two portal processes on the test database; yield their ports"
    env = _environment(app.config['TRYTON_DATABASE'])
    ports = [_free_port(), _free_port()]
    processes = [subprocess.Popen(
            [sys.executable, '-m', 'portal', f'127.0.0.1:{port}'],
            env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL)
        for port in ports]
    try:
        deadline = time.monotonic() + 120
        for process, port in zip(processes, ports):
            while True:
                assert process.poll() is None, "a portal process stopped"
                assert time.monotonic() < deadline, "no portal answered"
                try:
                    if Browser(port, {}).request('GET', '/login')[0] == 200:
                        break
                except OSError:
                    time.sleep(0.3)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _change_prices(app, mode):
    "Change the price lists in a third process, as the back office would"
    subprocess.run([sys.executable, '-c', CHANGE_PRICES,
            app.config['TRYTON_DATABASE'], mode],
        env=_environment(app.config['TRYTON_DATABASE']), cwd=ROOT,
        check=True)


def test_two_processes(app, portals):
    """A price list change shows in both processes' very next catalog page
    (their pricing caches and kept pages included); a cart changed through
    one process is the cart the other shows"""
    first_port, second_port = portals
    first = Browser(first_port, {})
    first.post('/login', {'email': DEMO_LOGIN, 'password': DEMO_PASSWORD},
        token_from='/login')
    # the session is the database's: the other process knows it
    second = Browser(second_port, first.cookies)
    path = '/?page=1'
    before = _cards(_Page(first.get(path)))
    assert len(before) >= 10
    # both processes have priced and kept the page
    assert _cards(_Page(second.get(path))) == before
    assert _cards(_Page(first.get(path))) == before

    _change_prices(app, 'half')
    try:
        changed = _cards(_Page(second.get(path)))
        assert _cards(_Page(first.get(path))) == changed
        assert [p for p in before if changed[p] != before[p]]
    finally:
        _change_prices(app, 'restore')
    assert _cards(_Page(second.get(path))) == before
    assert _cards(_Page(first.get(path))) == before

    product = next(iter(before))
    first.post('/cart/add', {'product': product, 'quantity': '12'},
        token_from=path)
    cart = second.get('/cart')
    line, = re.findall(r'action="/cart/line/(\d+)"', cart)
    assert 'value="12"' in cart
    second.post(f'/cart/line/{line}', {'quantity': '24'}, token_from='/cart')
    cart = first.get('/cart')
    assert re.findall(r'action="/cart/line/(\d+)"', cart) == [line]
    assert 'value="24"' in cart
