# This file is part of the B2B wholesale suite.
"""The cart, quick order and checkout through the portal, and the ids of
other companies' and colleagues' records refused with 404"""
import contextlib
import re
from decimal import Decimal

import pytest

from b2b_base.tests.tools import queue_worker, run_queued, smtp_sink

from .tools import (
    COLLEAGUE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    company_bank_account,
    csrf_token,
    login,
    run,
    text,
)


def _records():
    "Return ids the tests need, read as root"
    from trytond.pool import Pool
    pool = Pool()
    Product = pool.get('product.product')
    WebUser = pool.get('web.user')
    drink, = Product.search([('code', '=', 'HD-00040')])
    flour, = Product.search([('code', '=', 'HD-00001')])
    # sold by the piece with no other rule: only whole numbers
    piece, other_piece = Product.search([
            ('salable', '=', True),
            ('sale_uom.symbol', '=', 'u'),
            ('sale_uom.digits', '=', 0),
            ('sale_quantity_rounding', '=', None),
            ('sale_quantity_minimal', '=', None),
            ('template.b2b_package_only', '=', False),
            ('template.categories.accounting', '=', False),
            ('code', '!=', None),
            ], order=[('code', 'ASC')], limit=2)
    other = WebUser.search([
            ('party.b2b_status', '=', 'active'),
            ('party.name', '!=', "Delikatesy Pod Lipami Sp. j."),
            ('b2b_role', 'in', ['admin', 'buyer']),
            ], limit=1)[0]
    viewer = WebUser.search([('b2b_role', '=', 'viewer')], limit=1)[0]
    return {
        'drink': drink.id, 'flour': flour.id, 'other': other.email,
        'piece': piece.id, 'piece_code': piece.code,
        'other_piece': other_piece.id,
        'other_address': other.party.addresses[0].id,
        'viewer': viewer.email,
        }


@pytest.fixture(scope='module')
def ids(app):
    return run(app, _records, commit=False)


def _cart_lines(email):
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    account, = WebUser.search([('email', '=', email)])
    cart = Sale.b2b_cart(account)
    return [(l.id, l.product.code, l.quantity, l.unit_price)
        for l in cart.lines] if cart else []


def _price(email, product_id, quantity):
    from trytond.pool import Pool
    pool = Pool()
    WebUser = pool.get('web.user')
    party = WebUser.search([('email', '=', email)])[0].party
    line, = pool.get('b2b.pricing').compute(party, [(product_id, quantity)])
    return line.unit_price


def _post(client, path, data, page='/cart'):
    return client.post(path, data=dict(data,
            csrf_token=csrf_token(client, page)))


def test_cart_and_checkout(app, client, ids):
    """Add (a price in the form is ignored), change, refuse a quantity
    with the module's reason, quick order, check out"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    response = _post(client, '/cart/add', {
            'product': ids['drink'], 'quantity': '24',
            'unit_price': '0.01', 'price': '0.01', 'next': '/cart'})
    assert response.status_code == 302
    (line_id, code, quantity, unit_price), = run(
        app, _cart_lines, DEMO_LOGIN, commit=False)
    assert (code, quantity) == ('HD-00040', 24)
    assert unit_price == run(
        app, _price, DEMO_LOGIN, ids['drink'], 24, commit=False)
    assert "Net" in text(client.get('/cart'))

    _post(client, f'/cart/line/{line_id}', {'quantity': '48'})
    assert run(app, _cart_lines, DEMO_LOGIN, commit=False)[0][2] == 48
    # flour is sold by 0.25 kg: the module says why 0.3 is refused
    response = _post(client, '/cart/add', {
            'product': ids['flour'], 'quantity': '0,3', 'next': '/cart'})
    page = client.get('/cart')
    assert "0.25 kg or 0.5 kg" in text(page)
    assert len(run(app, _cart_lines, DEMO_LOGIN, commit=False)) == 1

    response = _post(client, '/cart/quick', {
            'lines': "HD-00001 2,5\nNO-SUCH-CODE 3\n"})
    assert response.status_code == 200
    assert "HD-00001 2,5: added" in text(response)
    assert "NO-SUCH-CODE 3:" in text(response)
    assert len(run(app, _cart_lines, DEMO_LOGIN, commit=False)) == 2

    page = client.get('/checkout')
    assert page.status_code == 200
    choices = {name: re.search(
            rf'name="{name}" value="(\d+)"', page.text)[1]
        for name in ['address', 'carrier', 'payment_method']}
    with smtp_sink() as messages:
        response = _post(client, '/checkout', dict(choices,
                reference='PO-77', comment="Rampa 2"), page='/checkout')
        assert response.status_code == 302
    order = client.get(response.headers['Location'])
    assert order.status_code == 200 and "PO-77" in text(order)
    assert [m['To'] for m in messages] == [DEMO_LOGIN]
    assert run(app, _cart_lines, DEMO_LOGIN, commit=False) == []


def test_viewer_cannot_order(client, ids):
    "A viewer sees the shop but cannot add to a cart or check out"
    login(client, ids['viewer'], DEMO_PASSWORD)
    assert 'action="/cart/add"' not in client.get('/').text
    response = _post(client, '/cart/add', {
            'product': ids['drink'], 'quantity': '12'}, page='/')
    assert response.status_code == 403
    assert client.get('/checkout').status_code == 403


def test_ids_of_others_are_not_found(app, client, ids):
    """Every route taking an id answers 404 for another company's record
    or a colleague's cart line, and changes nothing"""
    from trytond.pool import Pool

    def place_order(email):
        "Give the account a cart line and a placed order"
        pool = Pool()
        Sale = pool.get('sale.sale')
        WebUser = pool.get('web.user')
        account, = WebUser.search([('email', '=', email)])
        drink = pool.get('product.product')(ids['drink'])
        cart = Sale.b2b_cart_add(account, [(drink, 12)])
        options = Sale.b2b_checkout_options(account)
        order = Sale.b2b_place_order(account, cart,
            shipment_address=options['addresses'][0],
            carrier=(options['carriers'] or [None])[0],
            payment_method=options['payment_methods'][0])
        Sale.b2b_cart_add(account, [(drink, 12)])
        return order.id, _cart_lines(email)[0][0]
    with smtp_sink():
        other_order, other_line = run(app, place_order, ids['other'])
        _, colleague_line = run(app, place_order, COLLEAGUE)

    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    for line in [other_line, colleague_line]:
        assert _post(client, f'/cart/line/{line}',
            {'quantity': '24'}).status_code == 404
        assert _post(client, f'/cart/line/{line}/remove',
            {}).status_code == 404
    assert client.get(f'/orders/{other_order}').status_code == 404
    # a cart to check out, to another company's address
    _post(client, '/cart/add', {'product': ids['drink'], 'quantity': '12'})
    page = client.get('/checkout')
    data = {name: re.search(rf'name="{name}" value="(\d+)"', page.text)[1]
        for name in ['carrier', 'payment_method']}
    assert _post(client, '/checkout', dict(data,
            address=ids['other_address']),
        page='/checkout').status_code == 404
    for email in [ids['other'], COLLEAGUE]:
        assert [l[2] for l in run(app, _cart_lines, email, commit=False)
            ] == [12]


def _amounts(email):
    "Return the cart's (untaxed, total) and its lines' amounts, as root"
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    account, = WebUser.search([('email', '=', email)])
    cart = Sale.b2b_cart(account)
    return (cart.untaxed_amount, cart.total_amount,
        sorted(l.amount for l in cart.lines))


def _shown_codes(page):
    "Return the product codes of the cart lines the page shows"
    return re.findall(r'<span class="code">([^<]*)</span>', page.text)


def _money(app, amount):
    "The amount in English as text() reads it (its no-break space a space)"
    from portal import i18n
    with app.test_request_context(headers={'Cookie': 'lang=en'}):
        return i18n.money(amount).replace('\xa0', ' ')


def test_set_zero_and_remove(app, client, ids):
    """Setting a quantity to 0 and Remove empty the line; removing the last
    one leaves an empty cart page; the totals are the remaining lines'"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    for product, quantity in [('drink', '24'), ('flour', '2,5'),
            ('piece', '3')]:
        assert _post(client, '/cart/add', {'product': ids[product],
                'quantity': quantity}).status_code == 302
    lines = {code: line_id for line_id, code, *_ in
        run(app, _cart_lines, DEMO_LOGIN, commit=False)}
    assert len(lines) == 3

    response = _post(client, f'/cart/line/{lines["HD-00040"]}',
        {'quantity': '0'})
    assert response.status_code == 302
    page = client.get('/cart')
    assert page.status_code == 200
    assert sorted(_shown_codes(page)) == sorted(
        ['HD-00001', ids['piece_code']])
    untaxed, total, amounts = run(app, _amounts, DEMO_LOGIN, commit=False)
    assert untaxed == sum(amounts) and len(amounts) == 2
    assert f"Net {_money(app, untaxed)}" in text(page)
    assert _money(app, total) in text(page)

    response = _post(client, f'/cart/line/{lines["HD-00001"]}/remove', {})
    assert response.status_code == 302
    page = client.get('/cart')
    assert _shown_codes(page) == [ids['piece_code']]
    assert [l[1] for l in run(app, _cart_lines, DEMO_LOGIN, commit=False)
        ] == [ids['piece_code']]
    untaxed, _, amounts = run(app, _amounts, DEMO_LOGIN, commit=False)
    assert f"Net {_money(app, untaxed)}" in text(page)

    response = _post(client,
        f'/cart/line/{lines[ids["piece_code"]]}/remove', {})
    assert response.status_code == 302
    page = client.get('/cart')
    assert page.status_code == 200
    assert "Your cart is empty." in text(page)
    assert _shown_codes(page) == []
    assert run(app, _cart_lines, DEMO_LOGIN, commit=False) == []


BAD_QUANTITIES = ['1e20', '1e309', '0.' + '0' * 400 + '1', '9' * 400,
    'NaN', '-1', '1,5', '1E-300', '', ' ', 'Infinity', '0x10']


@pytest.mark.parametrize('quantity', BAD_QUANTITIES)
def test_bad_quantities_change_nothing(app, client, ids, quantity):
    """A quantity that is not a plain number, too big, or a fraction of a
    product sold by the piece is refused with a message on add, set
    quantity, quick order and the product's price, never with a 500, and
    the cart stays as it was"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    _post(client, '/cart/add', {'product': ids['piece'], 'quantity': '2'})
    before = run(app, _cart_lines, DEMO_LOGIN, commit=False)
    (line_id, *_), = before
    # what the user reads: the unit's reason or how to write a quantity
    reasons = ["Enter the quantity as a number", "whole units (u)",
        "greater than zero"]

    def refused(page):
        return any(reason in text(page) for reason in reasons)

    for path, data in [
            ('/cart/add', {'product': ids['piece'], 'quantity': quantity,
                    'next': '/cart'}),
            ('/cart/add', {'product': ids['other_piece'],
                    'quantity': quantity, 'next': '/cart'}),
            (f'/cart/line/{line_id}', {'quantity': quantity})]:
        response = _post(client, path, data)
        assert response.status_code in {302, 400}, (path, response.status)
        page = (client.get(response.headers['Location'])
            if response.status_code == 302 else response)
        assert refused(page), (path, text(page))
        assert run(app, _cart_lines, DEMO_LOGIN, commit=False) == before

    code = ids['piece_code']
    response = _post(client, '/cart/quick', {
            'lines': f"{code} {quantity}\n{code} 1"})
    assert response.status_code in {200, 400}
    if quantity.strip():
        assert refused(response), text(response)
        # the good line is added, the refused one is not
        lines = run(app, _cart_lines, DEMO_LOGIN, commit=False)
        assert [(l[0], l[1], l[2]) for l in lines] == [
            (line_id, code, 3)]
    else:
        assert "product code and a quantity" in text(response)

    page = client.get(f'/product/{ids["piece"]}',
        query_string={'quantity': quantity})
    assert page.status_code in {200, 400}
    if quantity.strip():
        assert refused(page), text(page)
    assert 'class="quote"' not in page.text


def _set_default_country(code):
    "Set the country of new addresses of b2b.configuration (None: unset)"
    from trytond.pool import Pool
    pool = Pool()
    Configuration = pool.get('b2b.configuration')
    Country = pool.get('country.country')
    config = Configuration(1)
    country = None
    if code:
        country = (Country.search([('code', '=', code)])
            or Country.create([{'code': code, 'name': code}]))[0]
    config.default_country = country
    config.save()


def _new_address_country(email, reference):
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    account, = WebUser.search([('email', '=', email)])
    sale, = Sale.search([
            ('reference', '=', reference), ('party', '=', account.party.id),
            ])
    address = sale.shipment_address
    return address.street, address.country.code if address.country else None


@pytest.mark.parametrize('country', [None, 'DE'])
def test_new_address_gets_configured_country(app, client, ids, country):
    """A new address of the checkout is in the country configured in
    b2b.configuration (Poland when none is), its postal code written the
    way of that country"""
    run(app, _set_default_country, country)
    try:
        login(client, DEMO_LOGIN, DEMO_PASSWORD)
        client.set_cookie('lang', 'en')
        _post(client, '/cart/add', {
                'product': ids['drink'], 'quantity': '24', 'next': '/cart'})
        page = client.get('/checkout')
        choices = {name: re.search(
                rf'name="{name}" value="(\d+)"', page.text)[1]
            for name in ['carrier', 'payment_method']}
        reference = f'NEW-{country or "PL"}'
        new = dict(choices, address='new', party_name="Magazyn 3",
            street="Polna 5", city="Warszawa", reference=reference)
        # a code of another country: refused, naming it, no order placed
        wrong = '00-950' if country else '00950'
        response = _post(client, '/checkout', dict(new, postal_code=wrong),
            page='/checkout')
        assert response.status_code == 400
        assert wrong in text(response)
        with smtp_sink():
            response = _post(client, '/checkout', dict(new,
                    postal_code='10115' if country else '00-950'),
                page='/checkout')
        assert response.status_code == 302, text(response)
        assert run(app, _new_address_country, DEMO_LOGIN, reference,
            commit=False) == ("Polna 5", country or 'PL')
    finally:
        run(app, _set_default_country, None)


def _order_summary(order_id):
    """Return the number, payment method, totals and VAT rows
    (description, base, amount) of the order, as root"""
    from trytond.pool import Pool
    sale = Pool().get('sale.sale')(order_id)
    taxes = {}
    for tax_line in sale._get_taxes().values():
        base, amount = taxes.get(tax_line.tax.description, (0, 0))
        taxes[tax_line.tax.description] = (
            base + tax_line.base, amount + tax_line.amount)
    return (sale.number, sale.b2b_payment_method.kind,
        sale.untaxed_amount, sale.total_amount,
        sorted((d, b, a) for d, (b, a) in taxes.items()))


def _choices(page):
    "Return the values of the radio buttons of the checkout form by name"
    choices = {}
    for name, value in re.findall(
            r'name="(address|carrier|payment_method)" value="(\d+)"',
            page.text):
        choices.setdefault(name, []).append(value)
    return choices


@pytest.mark.parametrize('worker', [False, True])
def test_checkout_summary_is_the_order(app, client, ids, worker):
    """The header counts the cart; checkout names the methods in the
    buyer's language with each delivery's cost, its summary (VAT per
    rate, delivery included) is the placed order's to the grosz, and the
    order page of a transfer gives the company's account and the order's
    number as the title. With a queue worker the order page shows the
    same before the worker has quoted and confirmed the order."""
    with queue_worker() if worker else contextlib.nullcontext():
        _checkout_summary_is_the_order(app, client, ids, worker)


def _checkout_summary_is_the_order(app, client, ids, worker):
    iban = run(app, company_bank_account)
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    response = _post(client, '/cart/add', {
            'product': ids['flour'], 'quantity': '2,5', 'next': '/cart'})
    page = client.get(response.headers['Location'])
    assert re.search(r"Added to the cart: 2\.5 kg \S", text(page))
    _post(client, '/cart/add', {'product': ids['drink'], 'quantity': '24'})
    untaxed, _, _ = run(app, _amounts, DEMO_LOGIN, commit=False)
    header = re.search(r'class="cart-link">(.*?)</a>', client.get('/').text,
        flags=re.S)[1]
    assert "(2)" in header
    assert _money(app, untaxed) in header.replace('\xa0', ' ')

    client.set_cookie('lang', 'pl')
    body = text(client.get('/checkout'))
    assert "Kurier DPD" in body and "Przelew / przedpłata" in body
    client.set_cookie('lang', 'en')
    page = client.get('/checkout')
    body = text(page)
    assert "DPD courier" in body and "Bank transfer (prepayment)" in body
    assert "DPD Polska" not in body and "Dostawa" not in body
    # the costs beside the methods: the pallet's shown net
    assert f"Pallet delivery {_money(app, Decimal('149'))} net" in body
    choices = _choices(page)
    # the last delivery method (the pallet) and a transfer, re-posted
    data = {'address': choices['address'][0],
        'carrier': choices['carrier'][-1],
        'payment_method': choices['payment_method'][0]}
    page = _post(client, '/checkout', dict(data, update='1'),
        page='/checkout')
    assert page.status_code == 200
    shown_total = re.search(
        r'class="total"><strong>([^<]*)</strong>', page.text)[1].replace(
            '\xa0', ' ')
    summary = text(page)
    assert "Delivery: Pallet delivery" in summary

    with smtp_sink():
        response = _post(client, '/checkout', data, page='/checkout')
        assert response.status_code == 302
        order_id = int(response.headers['Location'].rsplit('/', 1)[1])
        if worker:
            page = text(client.get(response.headers['Location']))
            assert "is being confirmed" in page
            assert f"Gross {shown_total}" in page
            assert "Delivery: Pallet delivery" in page
            orders = text(client.get('/account/orders'))
            assert "Received" in orders and shown_total in orders
            assert run(app, run_queued, 'b2b_confirm_orders') == 1
    number, kind, untaxed, total, taxes = run(
        app, _order_summary, order_id, commit=False)
    assert shown_total == _money(app, total)
    assert f"Net {_money(app, untaxed)}" in summary
    assert len(taxes) == 2
    for description, base, amount in taxes:
        assert (f"{description} (base {_money(app, base)}) "
            f"{_money(app, amount)}") in summary
    assert re.fullmatch(r'ZAM/\d{4}/\d{6}', number)
    assert kind == 'transfer'
    page = text(client.get(response.headers['Location']))
    assert "Payment method: Bank transfer (prepayment)" in page
    assert f"Account number {iban}" in page
    assert f"Transfer title {number}" in page
