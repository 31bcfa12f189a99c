# This file is part of the B2B wholesale suite.
"""Real-browser tests: Debian's chromium, headless, driven by Playwright,
against a live server of the test application, at desktop and phone width.

One walk per size takes every action of a buyer, from log in to log out
(see test_buyer_walk), checks every page for sideways scrolling and
JavaScript errors and keeps a screenshot of each step in test-artifacts/.
With B2B_SCREENSHOTS=docs (a directory) it also writes the README's
pictures of the portal there:

    B2B_SCREENSHOTS=docs ./dev test portal/tests/test_browser.py

The tests skip (with the reason) only when Playwright or chromium cannot
be found; ./dev test installs Debian's chromium when it is missing."""
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from b2b_base.tests.tools import smtp_sink
from b2b_suite.demo.small import PLAIN_PIECES

from .tools import DEMO_LOGIN, DEMO_PASSWORD, company_bank_account, run

ARTIFACTS = Path(__file__).resolve().parents[2] / 'test-artifacts'
SIZES = {
    'desktop': {'viewport': {'width': 1280, 'height': 800}},
    'phone': {'viewport': {'width': 360, 'height': 740},
        'is_mobile': True, 'has_touch': True},
    }
SEARCH = 'HD-00040'
# how far an amount may be from a unit price shown rounded times a quantity
CENTS = Decimal('0.02')


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
        piece, = Product.search(PLAIN_PIECES, order=[('code', 'ASC')],
            limit=1)
        products = Product.search([('code', 'in', [SEARCH, 'HD-00001'])],
            order=[('code', 'DESC')]) + [piece]
        return [(p.code, p.name) for p in products]


@pytest.fixture
def walk_state(app):
    """Give the company its bank account (the transfer's details) and an
    empty cart; afterwards leave the demo account as found: cart empty,
    password unchanged, no account invited and no address added by the
    walk"""
    before = run(app, _account_state, DEMO_LOGIN)
    run(app, company_bank_account)
    run(app, _drop_cart, DEMO_LOGIN)
    yield
    run(app, _restore_account, DEMO_LOGIN, before)


def _account_state(email):
    "Return the ids of the company's addresses and accounts"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    WebUser = pool.get('web.user')
    account, = WebUser.search([('email', '=', email)])
    with Transaction().set_context(active_test=False):
        users = WebUser.search([('party', '=', account.party.id)])
    return ({a.id for a in account.party.addresses}, {u.id for u in users})


def _restore_account(email, before):
    """Drop the cart, set the password back, archive the addresses and
    delete the accounts the walk added"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Address = pool.get('party.address')
    WebUser = pool.get('web.user')
    addresses, users = before
    _drop_cart(email)
    account, = WebUser.search([('email', '=', email)])
    account.password = DEMO_PASSWORD
    account.save()
    # the orders keep their delivery address: archived, not deleted
    Address.write([a for a in account.party.addresses
            if a.id not in addresses], {'active': False})
    with Transaction().set_context(active_test=False):
        WebUser.delete([u for u in WebUser.search([
                        ('party', '=', account.party.id),
                        ('id', 'not in', list(users)),
                        ])])


def _walk_data():
    """Return the products the walk adds (see _walk_products) and the
    English name of the drink's category"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    products = _walk_products()
    Product = Pool().get('product.product')
    with Transaction().set_context(language='en'):
        drink, = Product.search([('code', '=', SEARCH)])
        category, = [c for c in drink.categories if not c.accounting]
        return products, category.rec_name


def _amount(text):
    "Return the Decimal of an English money text (PLN 1,234.56)"
    return Decimal(re.sub(r'[^\d.-]', '', text))


@pytest.mark.parametrize('size', list(SIZES))
def test_buyer_walk(app, browser, live_server, walk_state, size):
    """Every action of a buyer in a real browser, each page checked for
    sideways scrolling and JavaScript errors (screenshots in
    test-artifacts/): log in, switch the language, browse, filter, search,
    the product page's price and cart, quick order, change, zero and
    remove cart lines, check out (delivery and payment methods, a new
    address refused then accepted), the order's page, then the account:
    orders and order again, an invoice's PDF, credit, addresses, accounts,
    password, log out"""
    from pypdf import PdfReader
    ARTIFACTS.mkdir(exist_ok=True)
    width = SIZES[size]['viewport']['width']
    context = browser.new_context(locale='pl-PL', **SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))
    steps = iter(range(1, 100))
    products, category = run(app, _walk_data, commit=False)
    (drink, drink_name), (flour, flour_name), (piece, _) = products

    def fits(step):
        "The page fits the screen (no sideways scrolling), no script failed"
        page.wait_for_load_state()
        scroll = page.evaluate('document.documentElement.scrollWidth')
        assert scroll <= width, (step, page.url, scroll)
        assert not errors, (step, page.url, errors)

    def check(step):
        "The page fits, its screenshot kept"
        page.screenshot(full_page=True, path=str(
                ARTIFACTS / f'walk-{size}-{next(steps):02d}-{step}.png'))
        fits(step)

    def readme_shot(name):
        """With B2B_SCREENSHOTS=<directory> (e.g. docs), keep the screen
        (not the whole page) as <name>.png there: the README's pictures"""
        if directory := os.environ.get('B2B_SCREENSHOTS'):
            page.screenshot(path=str(Path(directory) / f'{name}.png'))

    def go(action, *args, **kwargs):
        "Click (or submit), wait for the page it loads and check it fits"
        with page.expect_navigation():
            action(*args, **kwargs)
        fits(page.url)

    def status():
        "The messages at the top of the page (flashed)"
        return page.locator('main > [role=status]').all_inner_texts()

    def header():
        "The header's cart (count, net total), None when empty"
        link = page.locator('a.cart-link')
        if not link.locator('.cart-count').count():
            return None
        return (link.locator('.cart-count').inner_text(),
            _amount(link.locator('.cart-total').inner_text()))

    def cart():
        "The (code, quantity) of each line of the cart page"
        return sorted((
                line.locator('.code').inner_text().strip(),
                line.locator('input[name=quantity]').input_value())
            for line in page.locator('li.line').all())

    def stacked():
        """On a phone a table of the account area is a stack of rows, each
        value after its column's name"""
        cell = page.locator('table.list td[data-label]').first
        assert cell.evaluate('c => getComputedStyle(c).display') == 'flex'
        label = cell.evaluate('c => getComputedStyle(c, "::before").content')
        assert label.strip('"') == cell.get_attribute('data-label')

    def search(text):
        page.fill('form.search input[name=q]', text)
        go(page.click, 'form.search button[type=submit]')
        return [c.strip() for c in
            page.locator('.card .code').all_inner_texts()]

    try:
        with smtp_sink() as messages:
            # log in, in Polish (the browser's language)
            page.goto(live_server + '/login')
            assert page.get_attribute('html', 'lang') == 'pl'
            page.fill('input[name=email]', DEMO_LOGIN)
            page.fill('input[name=password]', DEMO_PASSWORD)
            check('login')
            go(page.click, 'form.form button[type=submit]')
            assert page.locator('.card .stock').count() > 0
            assert "Produkty 1–48" in page.inner_text('.count')
            check('catalog-pl')
            readme_shot(f'portal-{size}')
            # the switcher: English from here on
            go(page.click, '.langs a[lang=en]')
            assert page.get_attribute('html', 'lang') == 'en'
            assert "Products 1–48" in page.inner_text('.count')
            check('catalog-en')

            # the second page, a category, a part of a code, no diacritics
            go(page.click, 'nav.pages a[rel=next]')
            assert "Products 49–" in page.inner_text('.count')
            check('catalog-page-2')
            nav = page.locator('nav.categories')
            if size == 'phone':
                nav.locator('details summary').click()
            go(nav.get_by_role('link', name=category, exact=True).click)
            assert page.inner_text('.products h1') == category
            codes = [c.strip() for c in
                page.locator('.card .code').all_inner_texts()]
            assert drink in codes and flour not in codes
            check('category')
            assert search(SEARCH.split('-')[1]) == [drink]
            check('search-code')
            assert flour in search('maka')
            names = page.locator('.card a.name').all_inner_texts()
            assert names and all(n.startswith(("Mąka", "Makaron"))
                for n in names), names
            check('search-name')

            # the product page: the price of a typed quantity, then added
            assert header() is None
            go(page.locator('.card', has_text=flour).locator(
                    'a.name').click)
            assert page.inner_text('h1') == flour_name
            page.fill('#quantity', '2.5')
            go(page.get_by_role('button', name="Price for this quantity")
                .click)
            quote = page.locator('.quote')
            assert "2.5 kg" in quote.inner_text()
            unit_price = _amount(quote.locator('.net').inner_text())
            total = _amount(quote.locator('.total').inner_text())
            # the unit price is shown rounded to the grosz
            assert abs(total - unit_price * Decimal('2.5')) <= CENTS
            assert page.input_value('#quantity') == '2.5'
            check('product-price')
            go(page.get_by_role('button', name="Add to cart", exact=True)
                .click)
            assert status() == [f"Added to the cart: 2.5 kg {flour_name}"]
            count, net = header()
            assert (count, net) == ('(1)', total)
            check('product-added')
            # a card of the search adds the drink: the header follows
            search(drink)
            go(page.locator('.card', has_text=drink).locator(
                    'form.buy button[type=submit]').click)
            assert status() == [f"Added to the cart: 1 u {drink_name}"]
            count, net = header()
            assert count == '(2)' and net > total
            check('card-added')
            # its page: the quantity discounts, a whole box added to the line
            go(page.locator('.card', has_text=drink).locator(
                    'a.name').click)
            assert page.locator('table.tiers tbody tr').count()
            go(page.get_by_role('button', name="Add 1 box").click)
            box = status()[0].removeprefix("Added to the cart: ")
            box = box.removesuffix(f" u {drink_name}")
            assert int(box) > 1
            assert header()[0] == '(2)' and header()[1] > net
            check('product-box')

            # quick order: a good line added, a bad one told why
            go(page.click, 'a.cart-link')
            page.fill('textarea[name=lines]', f"{piece} 1\nNO-SUCH-CODE 3")
            go(page.click, 'form[action$="/cart/quick"] button')
            done = page.locator('ul.quick li')
            assert done.nth(0).inner_text().strip() == f"{piece} 1: added"
            assert done.nth(1).get_attribute('class') == 'error'
            refused, reason = done.nth(1).inner_text().strip().split(': ', 1)
            assert refused == "NO-SUCH-CODE 3" and "NO-SUCH-CODE" in reason
            assert page.input_value('textarea[name=lines]') == (
                "NO-SUCH-CODE 3")
            assert cart() == sorted([(drink, str(int(box) + 1)),
                    (flour, '2.5'), (piece, '1')])
            assert header()[0] == '(3)'
            check('quick-order')
            if size == 'phone':
                readme_shot('portal-cart-phone')

            # the cart: a quantity changed, one set to 0, one removed
            def line(code):
                return page.locator('li.line', has_text=code)
            before = _amount(line(drink).locator('.amount').inner_text())
            line(drink).locator('input[name=quantity]').fill('3')
            go(line(drink).get_by_role('button', name="Change").click)
            assert (drink, '3') in cart()
            after = _amount(line(drink).locator('.amount').inner_text())
            unit_price = _amount(line(drink).locator('.price').inner_text())
            assert after < before and abs(after - 3 * unit_price) <= CENTS
            line(flour).locator('input[name=quantity]').fill('0')
            go(line(flour).get_by_role('button', name="Change").click)
            assert cart() == sorted([(drink, '3'), (piece, '1')])
            go(line(piece).get_by_role('button', name="Remove").click)
            assert cart() == [(drink, '3')]
            assert header()[0] == '(1)'
            assert not page.locator('p.error').count()
            check('cart')

            # checkout: the summary follows the delivery and payment methods
            go(page.click, 'a.button[href$="/checkout"]')
            summary = page.locator('section.summary')
            assert drink_name in summary.inner_text()
            check('checkout')
            total = _amount(summary.locator('.total').inner_text())
            carrier = max((c for c in page.locator(
                            'label:has(input[name=carrier])').all()
                    if not c.locator('input').is_checked()),
                key=lambda c: _amount(c.locator('.cost').inner_text()))
            cost = _amount(carrier.locator('.cost').inner_text())
            go(carrier.locator('input').check)
            assert carrier.locator('input').is_checked()
            delivery = summary.locator('tr.delivery td').last
            assert _amount(delivery.inner_text()) == cost
            assert _amount(summary.locator('.total').inner_text()) != total
            check('checkout-delivery')
            if size == 'desktop':
                summary.evaluate('s => s.scrollIntoView({block: "end"})')
                readme_shot('portal-checkout')
            methods = page.locator('label:has(input[name=payment_method])'
                ':not(.unavailable)')
            transfer = methods.filter(has_text="prepayment")
            other = methods.filter(has_not_text="prepayment").first
            for method in [other, transfer]:
                name = method.inner_text().strip()
                go(method.locator('input').check)
                assert f"Payment method: {name}" in (
                    summary.inner_text())
            # a new address (typing it chooses it): a wrong postal code
            # refused, nothing placed
            new_address = page.locator('input[name=address][value=new]')
            assert not new_address.is_checked()
            page.fill('input[name=party_name]', "Magazyn Walk")
            assert new_address.is_checked()
            page.fill('input[name=street]', f"ul. Spacerowa {width}")
            page.fill('input[name=postal_code]', '60001')
            page.fill('input[name=city]', "Poznań")
            reference = f'PO-WALK-{size.upper()}'
            page.fill('input[name=reference]', reference)
            go(page.click, 'form.form button.place')
            assert page.url.endswith('/checkout')
            assert '"60001" is not a valid postal code in Poland' in (
                page.inner_text('p.error[role=alert]'))
            assert page.input_value('input[name=street]') == (
                f"ul. Spacerowa {width}")
            check('checkout-refused')
            page.fill('input[name=postal_code]', '60-001')
            go(page.click, 'form.form button.place')
            assert '/orders/' in page.url

            # the placed order: lines, payment method, transfer details
            assert "Your order" in page.inner_text('.panel > [role=status]')
            number = page.inner_text('h1').removeprefix('Order ').strip()
            assert reference in page.inner_text('main')
            lines = page.locator('table.order-lines tbody tr')
            assert lines.count() == 2  # the drink and the delivery
            assert drink_name in lines.nth(0).inner_text()
            assert "prepayment" in page.inner_text('p.payment')
            transfer = page.locator('.transfer')
            assert transfer.locator('.iban').inner_text().strip()
            assert number in transfer.locator('.title').inner_text()
            check('order')

            # the account: the order in the list, its page, order again
            go(page.click, 'nav.menu a[href$="/account/orders"]')
            row = page.locator('tr', has_text=reference)
            go(row.get_by_role('link', name=number).click)
            assert "ul. Spacerowa" in page.inner_text('main')
            check('account-order')
            go(page.get_by_role('button', name="Order again").click)
            assert status() == [
                f"The products of order {number} are in your cart."]
            assert cart() == [(drink, '3')]
            check('order-again')

            # invoices: the PDF of the first, read back
            go(page.click, 'nav.menu a[href$="/account/orders"]')
            if size == 'phone':
                stacked()
            check('orders')
            go(page.click, 'nav.tabs a[href$="/account/invoices"]')
            invoice = page.locator('tr[data-invoice]').first
            invoice_number = invoice.locator('td').first.inner_text()
            if size == 'phone':
                stacked()
            check('invoices')
            href = invoice.get_by_role('link', name="PDF").get_attribute(
                'href')
            pdf = context.request.get(live_server + href)
            assert pdf.ok and pdf.headers['content-type'] == (
                'application/pdf')
            assert pdf.body().startswith(b'%PDF')
            content = ''.join(p.extract_text() for p in
                PdfReader(io.BytesIO(pdf.body())).pages)
            assert invoice_number in re.sub(r'\s+', ' ', content)

            go(page.click, 'nav.tabs a[href$="/account/credit"]')
            assert _amount(page.inner_text('#credit-available')) >= 0
            check('credit')

            # the address book: one added, then edited
            go(page.click, 'nav.tabs a[href$="/account/addresses"]')
            go(page.get_by_role('link', name="Add an address").click)
            street = f"ul. Książęca {width}"
            page.fill('input[name=street]', street)
            page.fill('input[name=postal_code]', '00-498')
            page.fill('input[name=city]', "Warszawa")
            check('address-new')
            go(page.get_by_role('button', name="Save").click)
            assert status() == ["The address has been saved."]
            go(page.locator('li.line', has_text=street).get_by_role(
                    'link', name="Edit").click)
            page.fill('input[name=city]', "Kraków")
            page.fill('input[name=postal_code]', '30-001')
            go(page.get_by_role('button', name="Save").click)
            assert "Kraków" in page.locator(
                'li.line', has_text=street).inner_text()
            check('addresses')

            # the company's accounts: a colleague invited, then deactivated
            go(page.click, 'nav.tabs a[href$="/account/users"]')
            colleague = f'walk-{size}@firma1.example'
            page.fill('input[name=email]', colleague)
            page.select_option('form.form select[name=role]', 'viewer')
            go(page.get_by_role('button', name="Send the invitation").click)
            assert status() == [
                f"The invitation to {colleague} is on its way."]
            check('users')
            go(page.locator('li.line', has_text=colleague).get_by_role(
                    'button', name="Deactivate").click)
            assert "deactivated" in page.locator(
                'li.line', has_text=colleague).inner_text()

            # the password: a common one refused, a good one, then back
            go(page.click, 'nav.tabs a[href$="/account/profile"]')

            def change(current, new):
                page.fill('input[name=current_password]', current)
                page.fill('input[name=new_password]', new)
                page.fill('input[name=new_password_again]', new)
                go(page.get_by_role('button', name="Change the password")
                    .click)
            change(DEMO_PASSWORD, 'password1')
            assert page.locator('p.error[role=alert]').inner_text()
            assert not status()
            check('password-refused')
            for current, new in [(DEMO_PASSWORD, 'Spacer-Kupca-2026'),
                    ('Spacer-Kupca-2026', DEMO_PASSWORD)]:
                change(current, new)
                assert status() == ["Your password has been changed."]
            check('profile')

            # back to Polish, then log out
            go(page.click, '.langs a[lang=pl]')
            assert page.inner_text('main h1') == "Profil"
            go(page.get_by_role('button', name="Wyloguj").click)
            assert not page.locator('a.cart-link').count()
            response = page.goto(live_server + '/cart')
            assert response.status == 401
            assert page.locator('main a[href^="/login"]').count()
            check('logged-out')
        assert sorted(m['To'] for m in messages) == sorted(
            [DEMO_LOGIN, colleague])
    finally:
        context.close()
