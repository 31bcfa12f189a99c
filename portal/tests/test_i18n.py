# This file is part of the B2B wholesale suite.
"""Polish and English: every text translated, the language chosen by the
switcher or the browser, Polish formats"""
import datetime
import re
from decimal import Decimal

from babel.messages.pofile import read_po

from portal import i18n

from .tools import DEMO_LOGIN, DEMO_PASSWORD, login, run, text


def test_every_text_is_translated():
    "Each text of the code and templates has its Polish translation"
    path = i18n.TRANSLATIONS / 'pl' / 'LC_MESSAGES' / 'messages.po'
    with path.open('rb') as po_file:
        catalog = read_po(po_file, locale='pl')
    missing = [m.id for m in i18n.extract()
        if m.id and not (catalog.get(m.id) and all(
                    catalog.get(m.id).string
                    if isinstance(catalog.get(m.id).string, tuple)
                    else [catalog.get(m.id).string]))]
    assert missing == [], "run python -m portal.i18n and translate them"


def test_language_choice(client):
    "Polish by default, the browser's language, then the switcher's cookie"
    assert "Katalog" in text(client.get('/'))
    page = client.get('/', headers={'Accept-Language': 'en-GB,en;q=0.8'})
    assert "Catalog" in text(page) and 'lang="en"' in page.text
    response = client.get('/lang/pl?next=/%3Fq%3Dkawa')
    assert response.status_code == 302
    assert response.headers['Location'] == '/?q=kawa'
    page = client.get('/', headers={'Accept-Language': 'en'})
    assert "Katalog" in text(page)
    # no redirection to another site
    assert client.get('/lang/en?next=//evil.example/'
        ).headers['Location'] == '/'


def test_polish_formats(app):
    """Money, quantities and dates the Polish way and the English way: 2
    decimals but for unit prices under 1 zł, no exponent, big numbers
    grouped"""
    with app.test_request_context(headers={'Accept-Language': 'pl'}):
        assert i18n.money(Decimal('1234.56')) == '1\xa0234,56\xa0zł'
        assert i18n.money(Decimal('1234567.5')) == '1\xa0234\xa0567,50\xa0zł'
        assert i18n.money(Decimal('68.913'), unit_price=True) == (
            '68,91\xa0zł')
        assert i18n.money(Decimal('0.0725'), unit_price=True) == (
            '0,0725\xa0zł')
        assert i18n.money(Decimal('0.5'), unit_price=True) == '0,50\xa0zł'
        assert i18n.money(Decimal('4.5'), unit_price=True) == '4,50\xa0zł'
        assert i18n.money(Decimal('2.7959')) == '2,80\xa0zł'
        assert i18n.number(0.25) == '0,25'
        assert i18n.number(Decimal('5E+1')) == '50'
        assert i18n.number(Decimal('50.000')) == '50'
        assert i18n.number(Decimal('1.25E+6')) == '1\xa0250\xa0000'
        assert i18n.number(Decimal('2.50')) == '2,5'
        assert i18n.date(datetime.date(2026, 12, 2)) == '02.12.2026'
        assert i18n.date(datetime.datetime(2026, 3, 5, 23, 1)) == (
            '05.03.2026')
    with app.test_request_context(headers={'Accept-Language': 'en'}):
        assert i18n.money(Decimal('1234.56')) == 'PLN\xa01,234.56'
        assert i18n.money(Decimal('-1234.56')) == '-PLN\xa01,234.56'
        assert i18n.money(Decimal('2.7959'), unit_price=True) == (
            'PLN\xa02.80')
        assert i18n.money(Decimal('0.0725'), unit_price=True) == (
            'PLN\xa00.0725')
        assert i18n.number(Decimal('5E+1')) == '50'
        assert i18n.number(Decimal('1.25E+6')) == '1,250,000'
        assert i18n.number(Decimal('0.25')) == '0.25'
        assert i18n.date(datetime.date(2026, 12, 2)) == '2 Dec 2026'


def _company_currency(app):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Company = Pool().get('company.company')
    return Company(Transaction().context['company']).currency.code


def test_money_in_company_currency(app):
    """Amounts are in the currency of the portal's company (PLN in the
    demo), not a currency of the portal's own"""
    from .tools import run
    assert app.config['PORTAL_CURRENCY'] == run(
        app, _company_currency, app, commit=False) == 'PLN'
    previous = app.config['PORTAL_CURRENCY']
    app.config['PORTAL_CURRENCY'] = 'EUR'
    try:
        with app.test_request_context(headers={'Accept-Language': 'pl'}):
            assert i18n.money(Decimal('1234.5')) == '1\xa0234,50\xa0€'
            assert i18n.money(Decimal('0.913'), unit_price=True) == (
                '0,913\xa0€')
        with app.test_request_context(headers={'Accept-Language': 'en'}):
            assert i18n.money(Decimal('1234.5')) == '€1,234.50'
    finally:
        app.config['PORTAL_CURRENCY'] = previous


# texts that betray the other language: of the interface (the menu, the
# country in addresses, as Tryton writes it in capitals in full addresses),
# of the demo's data shown in the buyer's language (delivery and payment
# methods, units, the country, the catalog's categories) and of the
# modules' messages (money, the sums, the documents). The ISO code PLN is
# Polish too: "Ceny w PLN".
FOREIGN = {
    'pl': ["POLAND", "Poland", "Catalog", "Orders", "Log out",
        "Bank transfer", "prepayment", "Courier", "courier",
        "Collection in person", "Cash on delivery", "Online payment",
        "Pallet", "Trade credit", "pcs", "box", "Order", "Invoice", "Net",
        "Total", "Delivery", "Groceries", "Drinks", "Coffee and tea"],
    'en': ["POLSKA", "zł", "Katalog", "Zamówienia", "Wyloguj",
        "Przelew", "przedpłata", "Kurier", "Odbiór", "Pobranie", "Paleta",
        "Płatność", "Kredyt kupiecki", "szt.", "krt", "Karton", "brutto",
        "netto", "Netto", "Razem", "Zamówienie", "Faktura", "Dostawa",
        "Spożywcze", "Napoje", "Kawa i herbata"],
    }
# what the cart (a line by the piece, one by the box) and checkout show of
# the data in the page's language: the test reads pages that have them
SHOWN = {
    'pl': {'/cart': ["szt.", "krt", "zł"],
        '/checkout': ["Przelew / przedpłata", "Kurier DPD"]},
    'en': {'/cart': ["box", "PLN"],
        '/checkout': ["Bank transfer (prepayment)", "DPD courier"]},
    }
# the name of Poland in each language (the demo's data has "Polska" in
# company and brand names: checked on the pages of addresses only)
POLAND = {'pl': "Polska", 'en': "Poland"}


def _names_and_cart():
    """Return the names that are the demo's data in one language (products,
    companies, transfer titles: "zgrzewka 12 szt.", "DPD Polska Sp. z
    o.o.", "Przelew za FV/2026/09/0001") and put in the
    demo buyer's cart a product sold by the piece and one sold by the box"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Party = pool.get('party.party')
    Payment = pool.get('b2b.payment')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    # the catalog's products (not the carriers' services: their names are
    # the delivery methods, in both languages)
    names = [p.name for p in Product.search(Product.b2b_catalog_domain())]
    names += [p.name for p in Party.search([])]
    # the titles of the transfers, as the payers wrote them
    names += [p.reference for p in Payment.search([]) if p.reference]
    buyer, = WebUser.search([('email', '=', DEMO_LOGIN)])
    with Transaction().set_context(language='en'):
        products = [Product.search([
                    ('salable', '=', True),
                    ('sale_uom.symbol', '=', symbol),
                    ('sale_quantity_minimal', '=', None),
                    ('sale_quantity_rounding', '=', None),
                    ('template.b2b_package_only', '=', False),
                    ('template.categories.accounting', '=', False),
                    ], order=[('code', 'ASC')], limit=1)[0]
            for symbol in ['u', 'box']]
    Sale.b2b_cart_add(buyer, [(p, 1) for p in products])
    return sorted(set(names), key=len, reverse=True), products[0].id


def test_pages_in_one_language(app, client):
    """A Polish page shows no English of the interface, of the data in the
    buyer's language (country, delivery and payment methods, units) or of
    the modules' messages (money, sums), and an English page no Polish:
    catalog, product, cart with lines, checkout, orders, invoices, credit,
    addresses, profile, registration"""
    names, product_id = run(app, _names_and_cart)
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    paths = ['/', f'/product/{product_id}', '/cart', '/checkout',
        '/account/addresses', '/account/invoices', '/account/orders',
        '/account/profile', '/account/credit']
    client.set_cookie('lang', 'pl')
    orders = client.get('/account/orders').text
    for number in sorted(set(re.findall(r'href="/account/orders/(\d+)"',
                    orders)))[:2]:
        paths += [f'/account/orders/{number}', f'/orders/{number}']
    logged_out = client.application.test_client()
    for language, other in [('pl', 'en'), ('en', 'pl')]:
        client.set_cookie('lang', language)
        logged_out.set_cookie('lang', language)
        shown = {path: client.get(path) for path in paths}
        shown['/register'] = logged_out.get('/register')
        for path, response in shown.items():
            assert response.status_code == 200, path
            page = text(response)
            # the names of products and companies are in Polish only
            data = page
            for name in names:
                data = data.replace(name, ' ')
            for word in FOREIGN[language]:
                assert not re.search(
                    rf'(?<!\w){re.escape(word)}(?!\w)', data), (
                    language, path, word)
            for word in SHOWN[language].get(path, []):
                assert re.search(rf'(?<!\w){re.escape(word)}(?!\w)', data), (
                    language, path, word)
            # a sentence ends once (a message put in a sentence of ours)
            assert not re.search(r'(?<!\.)\.\s*\.(?!\.)', page), (
                language, path)
        for path in ['/account/addresses', '/register']:
            page = text(shown[path])
            assert POLAND[language] in page, (language, path)
            assert POLAND[other] not in page, (language, path)
