# This file is part of the B2B wholesale suite.
"""Real-browser tests: Debian's chromium, headless, driven by Playwright,
against a live server of the test application, at desktop and phone width.

They walk log in → search → add to cart → set a line to 0 and remove
another → checkout → the placed order and keep a screenshot of each step
in test-artifacts/. They skip (with the
reason) only when Playwright or chromium cannot be found; ./dev test
installs Debian's chromium when it is missing."""
import os
import shutil
import threading
from pathlib import Path

import pytest

from b2b_base.tests.tools import smtp_sink

from .tools import DEMO_LOGIN, DEMO_PASSWORD, run

ARTIFACTS = Path(__file__).resolve().parents[2] / 'test-artifacts'
# the flags a headless chromium needs on a machine with a closed network
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-dev-shm-usage']
SIZES = {
    'desktop': {'viewport': {'width': 1280, 'height': 800}},
    'phone': {'viewport': {'width': 360, 'height': 740},
        'is_mobile': True, 'has_touch': True},
    }
SEARCH = 'HD-00040'


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


def _drop_cart(email):
    "Delete the account's cart, so that a failed walk leaves none behind"
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    account, = WebUser.search([('email', '=', email)])
    if cart := Sale.b2b_cart(account):
        Sale.delete([cart])


def _walk_products():
    """Return (code, English name) of the products the walk adds: the
    searched drink, flour (by 0.25 kg) and a product sold by
    the piece with no other rule"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Product = Pool().get('product.product')
    with Transaction().set_context(language='en'):
        piece, = Product.search([
                ('salable', '=', True),
                ('sale_uom.symbol', '=', 'u'),
                ('sale_quantity_rounding', '=', None),
                ('sale_quantity_minimal', '=', None),
                ('template.b2b_package_only', '=', False),
                ('template.categories.accounting', '=', False),
                ('code', '!=', None),
                ], order=[('code', 'ASC')], limit=1)
        products = Product.search([('code', 'in', [SEARCH, 'HD-00001'])],
            order=[('code', 'DESC')]) + [piece]
        return [(p.code, p.name) for p in products]


@pytest.fixture
def empty_cart(app):
    run(app, _drop_cart, DEMO_LOGIN)
    yield
    run(app, _drop_cart, DEMO_LOGIN)


@pytest.mark.parametrize('size', list(SIZES))
def test_order_walk(app, browser, live_server, empty_cart, size):
    """Log in, search by code, add three products to the cart, set one to
    0 and remove another with the cart's buttons, check out the one left
    and see the order, with a screenshot of each step"""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale='en-GB', **SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))

    def shot(step):
        page.screenshot(path=str(ARTIFACTS / f'browser-{size}-{step}.png'),
            full_page=True)
        # nothing wider than the screen (no sideways scrolling)
        width = page.evaluate('document.documentElement.scrollWidth')
        assert width <= SIZES[size]['viewport']['width'], (step, width)

    try:
        page.goto(live_server + '/login')
        page.fill('input[name=email]', DEMO_LOGIN)
        page.fill('input[name=password]', DEMO_PASSWORD)
        shot('1-login')
        page.click('form.form button[type=submit]')
        page.wait_for_selector('.grid-products')
        assert page.locator('.card .stock').count() > 0

        page.fill('form.search input[name=q]', SEARCH)
        page.click('form.search button[type=submit]')
        page.wait_for_url('**/?q=*')
        card = page.locator('.card', has_text=SEARCH)
        assert page.locator('.card').count() == 1
        assert card.locator('.price .net').inner_text().strip()
        shot('2-search')
        with page.expect_navigation():
            card.locator('form.buy button[type=submit]').click()
        # two more products, each found by its code
        (drink, drink_name), (flour, flour_name), (piece, piece_name) = run(
            app, _walk_products, commit=False)
        for code in [flour, piece]:
            page.fill('form.search input[name=q]', code)
            with page.expect_navigation():
                page.click('form.search button[type=submit]')
            with page.expect_navigation():
                page.locator('.card', has_text=code).locator(
                    'form.buy button[type=submit]').click()

        def cart():
            "The (code, name, quantity) of each line the cart page shows"
            return sorted((
                    line.locator('.code').inner_text().strip(),
                    line.locator('a.name').inner_text().strip(),
                    line.locator('input[name=quantity]').input_value())
                for line in page.locator('li.line').all())

        page.goto(live_server + '/cart')
        assert cart() == sorted([(drink, drink_name, '1'),
                (flour, flour_name, '0.25'), (piece, piece_name, '1')])
        # flour set to 0, the piece removed: the drink alone is left
        line = page.locator('li.line', has_text=flour)
        line.locator('input[name=quantity]').fill('0')
        with page.expect_navigation():
            line.locator('form.buy button[type=submit]').click()
        assert cart() == sorted([(drink, drink_name, '1'),
                (piece, piece_name, '1')])
        with page.expect_navigation():
            page.locator('li.line', has_text=piece).locator(
                'form.inline button[type=submit]').click()
        assert cart() == [(drink, drink_name, '1')]
        assert not page.locator('p.error').count()
        shot('3-cart')
        page.click('a.button[href$="/checkout"]')
        page.wait_for_url('**/checkout')
        reference = f'PO-BROWSER-{size.upper()}'
        page.fill('input[name=reference]', reference)
        shot('4-checkout')
        with smtp_sink() as messages:
            page.click('form.form button.place')
            page.wait_for_url('**/orders/*')
        status = page.locator('[role=status]').inner_text()
        assert "Your order" in status
        assert reference in page.inner_text('main, body')
        shot('5-order')
        assert [m['To'] for m in messages] == [DEMO_LOGIN]
        assert not errors, errors
    finally:
        context.close()


def test_account_on_a_phone(app, browser, live_server):
    """The account area's pages fit a 360 px phone: the orders and
    invoices tables become stacked rows, each value after its column's
    name, and nothing scrolls sideways"""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale='en-GB', **SIZES['phone'])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(live_server + '/login')
        page.fill('input[name=email]', DEMO_LOGIN)
        page.fill('input[name=password]', DEMO_PASSWORD)
        page.click('form.form button[type=submit]')
        page.wait_for_selector('.grid-products')
        for name in ['orders', 'invoices', 'addresses', 'users', 'profile']:
            page.goto(f'{live_server}/account/{name}')
            page.screenshot(path=str(ARTIFACTS / f'account-phone-{name}.png'),
                full_page=True)
            width = page.evaluate('document.documentElement.scrollWidth')
            assert width <= 360, (name, width)
            cells = page.locator('table.list td[data-label]')
            if cells.count():
                cell = cells.first
                assert cell.evaluate('c => getComputedStyle(c).display') == (
                    'flex')
                label = cell.evaluate(
                    'c => getComputedStyle(c, "::before").content')
                assert label.strip('"') == cell.get_attribute('data-label')
    finally:
        context.close()
