# This file is part of the B2B wholesale suite.
"""The catalog: the company's prices from the pricing service, stock
levels, visibility for visitors, refusals"""
import re
from decimal import Decimal

import pytest
from werkzeug.exceptions import NotFound

from portal import shop

from .tools import DEMO_LOGIN, DEMO_PASSWORD, STOCK, login, run, text


def _cards(response):
    "Return {product id: visible text of its card} of a catalog page"
    return {int(id_): text_of(card) for id_, card in re.findall(
            r'<li class="card" data-product="(\d+)">(.*?)</form>\s*</li>',
            response.text, flags=re.S)}


def text_of(fragment):
    import html
    return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ',
                fragment))).strip()


@pytest.fixture
def compute_calls(app, monkeypatch):
    "Count the calls of b2b.pricing.compute"
    from trytond.pool import Pool
    Pricing = Pool(app.config['TRYTON_DATABASE']).get('b2b.pricing')
    calls = []
    original = Pricing.compute.__func__

    def compute(cls, party, lines, date=None):
        calls.append(len(lines))
        return original(cls, party, lines, date=date)
    monkeypatch.setattr(Pricing, 'compute', classmethod(compute))
    # a page kept from an earlier test would need no call
    shop.pages.clear()
    shop.shared_pages.clear()
    return calls


# The demo data's list prices (b2b_suite/demo/, fixed seed) of
# three products of the catalog page HD-000, and the demo company's group
# HURT: price list "Cennik hurtowy" = list price × 0.90 below 50 units,
# × 0.85 from 50; then the group's discount 2 %; no quantity tier or
# package in their category (Żywność); unit prices rounded to 4 digits.
# code: (net, gross) at the smallest quantity the catalog offers
CATALOG_PRICES = {
    # list 3.17 × 0.90 = 2.853; × 0.98 = 2.79594 → 2.7959
    # gross VAT 5 %: 2.7959 × 1.05 = 2.935695 → 2.9357
    'HD-00001': (Decimal('2.7959'), Decimal('2.9357')),
    # list 10.22 × 0.90 = 9.198; × 0.98 = 9.01404 → 9.0140
    # gross VAT 8 % (Olej rzepakowy): 9.0140 × 1.08 = 9.73512 → 9.7351
    'HD-00006': (Decimal('9.0140'), Decimal('9.7351')),
    # list 14.23 × 0.90 = 12.807; × 0.98 = 12.55086 → 12.5509
    # gross VAT 5 %: 12.5509 × 1.05 = 13.178445 → 13.1784
    'HD-00009': (Decimal('12.5509'), Decimal('13.1784')),
    }


def test_catalog_prices_are_the_companys(app, client, compute_calls):
    """The prices of a catalog page are the logged-in company's (its
    group's price list and discount, net and gross, checked against values
    computed by hand), all from one call of b2b.pricing.compute"""
    from portal import i18n
    assert login(client, DEMO_LOGIN, DEMO_PASSWORD).status_code == 302
    client.set_cookie('lang', 'en')
    del compute_calls[:]
    page = client.get('/?q=HD-000')
    assert page.status_code == 200
    # one call: the 48 products and the package offers among them
    assert len(compute_calls) == 1 and compute_calls[0] >= 48
    cards = _cards(page)
    assert len(cards) == 48
    with app.test_request_context(headers={'Cookie': 'lang=en'}):
        for code, (net, gross) in CATALOG_PRICES.items():
            card, = [c for c in cards.values() if code in c]
            # the page's text reads the no-break space as a space
            net, gross = [i18n.money(price, unit_price=True).replace(
                    '\xa0', ' ') for price in [net, gross]]
            assert f"{net} / " in card, card
            assert f"{gross} gross" in card, card
    # every card of the page shows a net and a gross price
    assert all(re.search(r' / .* gross', card) for card in cards.values())


def test_availability(app, client):
    "Stock levels of the warehouse: in stock, low, out of stock"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    page = client.get('/?q=HD-0004')
    found = {}
    for code in ['HD-00040', 'HD-00041', 'HD-00042']:
        card, = [c for c in _cards(page).values() if code in c]
        found[code] = re.search(r'In stock|Low stock|Out of stock', card)[0]
    assert STOCK == {'HD-00040': 500, 'HD-00041': 3}
    assert found == {'HD-00040': "In stock", 'HD-00041': "Low stock",
        'HD-00042': "Out of stock"}


def test_search_wildcards_are_text(client):
    "A % or _ the customer types is searched as itself, not as a wildcard"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    assert _cards(client.get('/?q=HD-0004'))
    assert not _cards(client.get('/?q=HD_0004'))
    assert not _cards(client.get('/?q=HD%25004'))


def _set_visibility(value):
    from trytond.pool import Pool
    Configuration = Pool().get('b2b.configuration')
    Configuration.write([Configuration(1)], {'shop_visibility': value})


def test_visitor_visibility(app, client):
    "What visitors see follows the shop visibility setting"
    client.set_cookie('lang', 'en')
    try:
        run(app, _set_visibility, 'open')
        page = client.get('/')
        assert page.status_code == 200
        assert " gross" in text(page) and "stock" in text(page)
        run(app, _set_visibility, 'prices_after_login')
        page = client.get('/')
        assert page.status_code == 200
        assert " gross" not in text(page) and "In stock" not in text(page)
        assert "Log in to see your prices and stock." in text(page)
        product = client.get('/product/' + re.search(
                r'data-product="(\d+)"', page.text)[1])
        assert product.status_code == 200 and "gross" not in text(product)
        run(app, _set_visibility, 'login_only')
        assert client.get('/').status_code == 401
        assert "Please log in" in text(client.get('/'))
        login(client, DEMO_LOGIN, DEMO_PASSWORD)
        assert " gross" in text(client.get('/'))
    finally:
        run(app, _set_visibility, 'prices_after_login')


def test_price_in_a_request_is_ignored(app, client):
    """The price of a quantity comes from the pricing service, whatever
    price the request carries"""
    from portal import i18n
    from trytond.pool import Pool
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')

    def product_id():
        Product = Pool().get('product.product')
        product, = Product.search([('code', '=', 'HD-00001')])
        return product.id
    product_id = run(app, product_id, commit=False)
    # 50 units reach the group's price list line from 50: list price
    # 3.17 × 0.85 = 2.6945; group discount 2 %: × 0.98 = 2.64061 → 2.6406
    unit_price = Decimal('2.6406')
    page = client.get(f'/product/{product_id}', query_string={
            'quantity': '50', 'unit_price': '0.01', 'price': '0.01'})
    assert page.status_code == 200
    quote = text_of(re.search(r'<div class="quote".*?</div>', page.text,
            flags=re.S)[0])
    with app.test_request_context(headers={'Cookie': 'lang=en'}):
        assert f"{i18n.money(unit_price, unit_price=True)} / ".replace(
            '\xa0', ' ') in quote
    assert "0.01" not in quote
    # a quantity the selling rules refuse is explained, not priced
    page = client.get(f'/product/{product_id}?quantity=-3')
    assert 'class="quote"' not in page.text


def test_records_of_another_company_are_not_found(app, client):
    """scope.owned answers 404 for another company's record and returns
    the account's own; products outside the catalog are not found"""
    from portal import scope
    from trytond.pool import Pool
    response = login(client, DEMO_LOGIN, DEMO_PASSWORD)
    cookie = re.search(r'b2b_session=([^;]+)',
        response.headers['Set-Cookie'])[1]

    def addresses():
        pool = Pool()
        WebUser = pool.get('web.user')
        Address = pool.get('party.address')
        Product = pool.get('product.product')
        party = WebUser.search([('email', '=', DEMO_LOGIN)])[0].party
        own = Address.search([('party', '=', party.id)], limit=1)[0].id
        other = Address.search([
                ('party', '!=', party.id),
                ('party.b2b_customer', '=', True),
                ], limit=1)[0].id
        carrier_product, = Product.search([
                ('salable', '=', True),
                ('type', '=', 'service'),
                ], limit=1)
        return own, other, carrier_product.id
    own, other, service = run(app, addresses, commit=False)

    @scope.transaction()
    def owned(record_id):
        return scope.owned('party.address', record_id).id
    with app.test_request_context(
            headers={'Cookie': f'b2b_session={cookie}'}):
        assert owned(own) == own
        for record_id in [other, 10 ** 9, 'x']:
            with pytest.raises(NotFound):
                owned(record_id)
    assert client.get(f'/product/{service}').status_code == 404
    assert client.get('/?category=999999').status_code == 404


def test_catalog_pages(client):
    """The catalog goes page by page (48 products each) with the range of
    the page, without counting every match"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    first = client.get('/')
    assert "Products 1–48" in text(first)
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = client.get('/?page=2')
    assert "Products 49–96" in text(second) and "Page 2" in text(second)
    assert 'rel="prev"' in second.text
    assert len(_cards(first)) == len(_cards(second)) == 48
    assert not set(_cards(first)) & set(_cards(second))
    beyond = client.get('/?page=9999')
    assert beyond.status_code == 200
    assert "No product on this page." in text(beyond)
    assert 'rel="next"' not in beyond.text


def _group_discount(discount):
    "Set the demo company's group discount; return the one it had"
    from trytond.pool import Pool
    pool = Pool()
    WebUser = pool.get('web.user')
    Group = pool.get('b2b.customer.group')
    group = WebUser.search([('email', '=', DEMO_LOGIN)])[0].party \
        .b2b_customer_group
    old = group.discount
    Group.write([group], {'discount': discount})
    return old


def _add_stock(code, quantity):
    from trytond.pool import Pool
    pool = Pool()
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    Product = pool.get('product.product')
    warehouse, = Location.search([('type', '=', 'warehouse')])
    product, = Product.search([('code', '=', code)])
    inventory, = Inventory.create([{
                'location': warehouse.storage_location.id,
                'lines': [('create', [{
                                'product': product.id,
                                'quantity': quantity,
                                }])],
                }])
    Inventory.confirm([inventory])


def test_kept_page_follows_changes(app, client):
    """The portal keeps a rendered catalog page, but the next request after
    a change of the company's prices or of the stock shows the change, and
    every session gets its own CSRF token in the page"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    path = '/?q=HD-001'
    before = _cards(client.get(path))
    assert len(before) >= 10
    assert _cards(client.get(path)) == before

    old = run(app, _group_discount, Decimal('37'))
    try:
        changed = _cards(client.get(path))
        assert changed.keys() == before.keys()
        assert all(changed[p] != before[p] for p in before)
    finally:
        run(app, _group_discount, old)
    assert _cards(client.get(path)) == before

    card = next(i for i, c in before.items() if "Out of stock" in c)
    run(app, _add_stock, re.search(r'HD-\d+', before[card])[0], 200)
    assert "In stock" in _cards(client.get(path))[card]

    # the form of a kept page carries the token of the session showing it
    other = app.test_client()
    login(other, DEMO_LOGIN, DEMO_PASSWORD)
    for session in [client, other]:
        page = session.get(path).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        response = session.post('/cart/add', data={
                'product': card, 'quantity': '12', 'next': '/cart',
                'csrf_token': token})
        assert response.status_code == 302
