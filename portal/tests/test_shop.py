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


def _product_ids(*codes):
    "Return {code: id} of the products"
    from trytond.pool import Pool
    Product = Pool().get('product.product')
    return {p.code: p.id for p in Product.search([('code', 'in', codes)])}


def test_search_by_part_of_code_and_name_without_diacritics(client):
    """The search finds a product by any part of its code in any case and
    by its name typed without Polish letters"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    for search in ['00026', 'hd-00026', 'HD-00026']:
        cards = _cards(client.get('/', query_string={'q': search}))
        assert [c.split(' HD-')[1][:5] for c in cards.values()] == [
            '00026'], search
    cards = _cards(client.get('/?q=maka'))
    flour = [c for c in cards.values() if c.startswith("Mąka pszenna")]
    # three brands of flour (and the pasta: Makaron)
    assert len(flour) == 3, cards
    assert all(c.startswith(("Mąka", "Makaron")) for c in cards.values())
    # every word is looked for: the flour of one brand
    cards = _cards(client.get('/?q=pszenna+mlyn'))
    assert [c.split(" HD-")[0] for c in cards.values()] == [
        "Mąka pszenna typ 450 — Młyn Mazowiecki"]


def test_quick_order_codes_in_any_case(app, client):
    "Quick order takes a code however its letters are cased"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    token = re.search(r'name="csrf_token" value="([^"]+)"',
        client.get('/cart').text)[1]
    page = client.post('/cart/quick', data={
            'lines': 'hd-00040 24\nHd-00006 2', 'csrf_token': token})
    assert page.status_code == 200
    assert "hd-00040 24: added" in text(page)
    assert "Hd-00006 2: added" in text(page)
    lines = text(client.get('/cart'))
    assert "HD-00040" in lines and "HD-00006" in lines


def _set_salable(code, salable):
    from trytond.pool import Pool
    Template = Pool().get('product.template')
    template, = Template.search([('products.code', '=', code)])
    Template.write([template], {'salable': salable})


def test_product_images(app, client):
    """The catalog, the product page and the cart show the product's
    picture, served with caching headers to whoever may see the product
    (a product out of the catalog: not found) and a placeholder for a
    product without picture"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    ids = run(app, _product_ids, 'HD-00040', 'HD-00041', commit=False)
    page = client.get('/?q=HD-0004')
    src = re.search(r'<li class="card" data-product="%d">.*?<img [^>]*'
        r'src="([^"]+)"' % ids['HD-00040'], page.text, flags=re.S)[1]
    src = src.replace('&amp;', '&')
    assert src.startswith(f"/product/{ids['HD-00040']}/image/card?v=")
    picture = client.get(src)
    assert picture.status_code == 200
    assert picture.content_type == 'image/jpeg'
    assert picture.data.startswith(b'\xff\xd8')
    assert 'private' in picture.headers['Cache-Control']
    assert 'max-age=' in picture.headers['Cache-Control']
    again = client.get(src, headers={'If-None-Match': picture.headers['ETag']})
    assert again.status_code == 304 and not again.data
    product = client.get(f"/product/{ids['HD-00040']}").text
    assert f"/product/{ids['HD-00040']}/image/page?v=" in product
    assert client.get(
        f"/product/{ids['HD-00040']}/image/huge").status_code == 404

    token = re.search(r'name="csrf_token" value="([^"]+)"', product)[1]
    client.post('/cart/add', data={'product': ids['HD-00040'],
            'quantity': '1', 'csrf_token': token})
    assert f"/product/{ids['HD-00040']}/image/line?v=" in client.get(
        '/cart').text

    # out of the catalog, its picture is refused like its page
    run(app, _set_salable, 'HD-00041', False)
    try:
        for path in [f"/product/{ids['HD-00041']}",
                f"/product/{ids['HD-00041']}/image/card"]:
            assert client.get(path).status_code == 404, path
    finally:
        run(app, _set_salable, 'HD-00041', True)
    assert client.get(
        f"/product/{ids['HD-00041']}/image/card").status_code == 200

    # a product without picture: a placeholder, its picture not found
    def drop_image():
        from trytond.pool import Pool
        Image = Pool().get('product.image')
        Image.delete(Image.search([('product', '=', None),
                    ('template.products', '=', ids['HD-00041'])]))
    run(app, drop_image)
    card = re.search(r'<li class="card" data-product="%d">(.*?)</li>'
        % ids['HD-00041'], client.get('/?q=HD-0004').text, flags=re.S)[1]
    assert 'class="thumb thumb-card placeholder"' in card
    assert '<img' not in card
    assert client.get(
        f"/product/{ids['HD-00041']}/image/card").status_code == 404


def _quantity_box(page):
    "Return the form of the product page that holds its quantity box"
    forms = [f for f in re.findall(r'<form .*?</form>', page, flags=re.S)
        if 'type="number"' in f]
    assert len(forms) == 1, forms
    return forms[0]


def test_product_page_one_quantity_box(app, client):
    """The product page has one quantity box: its form adds to the cart,
    and its other button shows the price of the quantity on the page"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    product_id = run(app, _product_ids, 'HD-00001', commit=False)[
        'HD-00001']
    page = client.get(f'/product/{product_id}').text
    form = _quantity_box(page)
    assert 'action="/cart/add"' in form
    price = re.search(r'formaction="([^"]+)"', form)[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    response = client.post(price, data={'quantity': '50',
            'product': product_id, 'csrf_token': token, 'next': '/'})
    assert response.status_code == 303
    quote = client.get(response.location)
    assert 'class="quote"' in quote.text
    # the price of 50 (the group's price list line from 50), as in
    # test_price_in_a_request_is_ignored
    assert "50 kg:" in text(quote)
    assert 'value="50"' in _quantity_box(quote.text)

    response = client.post('/cart/add', data={'quantity': '50',
            'product': product_id, 'csrf_token': token,
            'next': response.location})
    assert response.status_code == 302
    assert "HD-00001" in text(client.get('/cart'))


def test_default_quantity(client):
    """The quantity box proposes the product's minimum or sale step, one
    unit for a product without either (not the unit's 0.01 l)"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    # HD-00001 flour by 0.25 kg, HD-00006 oil (litres, no rule), the
    # cardboard boxes of Opakowania from 25, the fold boxes from 50
    cards = {}
    for search in ['HD-00001', 'HD-00006', 'Karton klapowy',
            'Pudełko fasonowe']:
        page = client.get('/', query_string={'q': search}).text
        cards.update(re.findall(
                r'<span class="code">([^<]+)</span>.*?'
                r'<input type="number"[^>]* value="([^"]+)"', page,
                flags=re.S))
    assert cards['HD-00001'] == '0.25'
    assert cards['HD-00006'] == '1'
    boxes = {v for c, v in cards.items() if c not in {'HD-00001', 'HD-00006'}}
    assert boxes == {'25', '50'}
