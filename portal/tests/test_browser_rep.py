# This file is part of the B2B wholesale suite.
"""The sales rep's walk in a real browser on a phone (360 px): log in with
the back-office login, find the customer by its NIP, open the buyer's
cart, add a product, set its price with a reason, place the order for the
customer. Each page is checked for sideways scrolling and script errors,
its screenshot kept in test-artifacts/; B2B_SCREENSHOTS=docs writes the
README's two pictures of the rep area."""
import os
import re
from decimal import Decimal
from pathlib import Path

from .test_browser import ARTIFACTS, SIZES, _drop_cart
from .tools import DEMO_LOGIN, run


def _buyer_company():
    "Return the demo buyer's company name and NIP"
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    buyer, = WebUser.search([('email', '=', DEMO_LOGIN)])
    return buyer.party.name, buyer.party.b2b_tax_number


def _order_of(number):
    "Return (placed by login, [(code, unit price, reason)]) of the order"
    from trytond.pool import Pool
    Sale = Pool().get('sale.sale')
    sale, = Sale.search([('number', '=', number)])
    return sale.b2b_placed_by.login, [
        (l.product.code, l.unit_price, l.b2b_manual_price_reason)
        for l in sale.lines if l.type == 'line' and l.shipment_cost is None]


def test_rep_walk_on_a_phone(app, browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    run(app, _drop_cart, DEMO_LOGIN)
    name, nip = run(app, _buyer_company, commit=False)
    width = SIZES['phone']['viewport']['width']
    context = browser.new_context(locale='pl-PL', **SIZES['phone'])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))
    steps = iter(range(1, 100))

    def check(step):
        page.wait_for_load_state()
        page.screenshot(full_page=True, path=str(
                ARTIFACTS / f'rep-phone-{next(steps):02d}-{step}.png'))
        scroll = page.evaluate('document.documentElement.scrollWidth')
        assert scroll <= width, (step, page.url, scroll)
        assert not errors, (step, page.url, errors)

    def readme_shot(shot):
        if directory := os.environ.get('B2B_SCREENSHOTS'):
            page.screenshot(path=str(Path(directory) / f'{shot}.png'))

    def go(action, *args):
        with page.expect_navigation():
            action(*args)

    try:
        page.goto(live_server + '/rep/')
        assert '/rep/login' in page.url
        check('login')
        page.fill('input[name=login]', 'rep1')
        page.fill('input[name=password]', 'rep12345')
        go(page.click, 'form.form button[type=submit]')
        check('customers')

        # the NIP as people write it
        spelled = f"PL {nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
        page.fill('input[name=q]', spelled)
        go(page.click, 'form.rep-search button[type=submit]')
        rows = page.locator('tr[data-party]')
        assert rows.count() == 1 and name in rows.first.inner_text()
        check('found-by-nip')
        readme_shot('portal-rep-search-phone')
        go(rows.first.locator('a').click)
        check('customer')

        account = page.locator('li[data-account]').filter(has_text=DEMO_LOGIN)
        go(account.locator('button').click)
        assert DEMO_LOGIN in page.locator('#rep-banner').inner_text()
        page.fill('textarea[name=lines]', 'HD-00040 5')
        go(page.click, 'form[action$="/add"] button')
        check('cart')
        line = page.locator('li[data-line]')
        assert line.count() == 1
        own_text = line.locator('.price-now').inner_text()
        own = Decimal(re.sub(r'[^\d,]', '', own_text).replace(',', '.'))
        price = (own * Decimal('0.97')).quantize(Decimal('0.01'))
        line.locator('input[name=price]').fill(
            str(price).replace('.', ','))
        line.locator('input[name=reason]').fill("oferta konkurencji")
        go(line.locator('.price-form button').click)
        assert "Cena została ustawiona." in page.locator(
            'main > [role=status]').inner_text()
        assert "cena przedstawiciela" in page.locator(
            'li[data-line]').inner_text()
        check('price-set')
        readme_shot('portal-rep-cart-phone')

        go(page.click, '#place-order')
        message = page.locator('main > [role=status]').inner_text()
        number = re.search(r'ZAM/\S+', message)[0]
        check('placed')
        placed_by, lines = run(app, _order_of, number, commit=False)
        assert placed_by == 'rep1'
        assert lines == [('HD-00040', price, "oferta konkurencji")]

        # back in the customer's file: a lead of what the buyer also
        # asked for, made an opportunity
        go(page.click, 'a[href*="/rep/leads/new?party="]')
        check('lead-new')
        page.fill('input[name=description]', "Regały do nowej hali")
        page.fill('input[name=amount]', '12 000')
        page.fill('input[name=probability]', '40')
        go(page.click, 'form.form button[type=submit]')
        assert "Lead" in page.locator('#lead-state').inner_text()
        go(page.click, 'input[value=opportunity] + button')
        assert "Szansa sprzedaży" in page.locator(
            '#lead-state').inner_text()
        check('lead-opportunity')
        go(page.click, 'nav a[href$="/rep/leads"]')
        assert page.locator('tr[data-lead]').filter(
            has_text="Regały do nowej hali").count() == 1
        check('leads')
    finally:
        context.close()
        run(app, _drop_cart, DEMO_LOGIN)
