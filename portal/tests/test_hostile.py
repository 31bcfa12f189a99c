# This file is part of the B2B wholesale suite.
"""Hostile input from outside: every case of the tester's report answers a
clear 4xx (a page in the user's language, JSON on the API), never a 500,
and changes nothing in the database; `next` never leaves the site"""

import pytest

from .tools import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    api_key,
    csrf_token,
    login,
    run,
    text,
)

# the tables a user of the portal or the API could change, and the columns
# that tell a change: rows, the last id, the last write. Left out on
# purpose: web_user_authenticate_attempt and res_user_login_attempt (a
# failed log in is counted: that is the throttling, not a change by the
# input), web_user_session (the tests' own log ins) and b2b_api_key (its
# last_used is stamped at each authenticated call).
TABLES = ['sale_sale', 'sale_line', 'party_party', 'party_address',
    'party_contact_mechanism', 'party_identifier', 'web_user',
    'account_invoice', 'account_invoice_line', 'account_move',
    'account_move_line', 'b2b_registration', 'b2b_payment',
    'ir_email']


def fingerprint():
    """Return (table, rows, max id, last write) of the TABLES that exist:
    one cheap query each"""
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    result = []
    for table in TABLES:
        cursor.execute('SELECT to_regclass(%s)', (table,))
        if cursor.fetchone()[0] is None:
            continue
        cursor.execute(f'SELECT COUNT(*), MAX(id), '
            f'MAX(COALESCE(write_date, create_date)) FROM "{table}"')
        result.append((table, *cursor.fetchone()))
    return result


@pytest.fixture
def unchanged(app):
    "Assert at the end of the test that the database did not change"
    before = run(app, fingerprint, commit=False)
    yield
    assert run(app, fingerprint, commit=False) == before


def _ids():
    from trytond.pool import Pool
    pool = Pool()
    Product = pool.get('product.product')
    drink, = Product.search([('code', '=', 'HD-00040')])
    return {'drink': drink.id}


@pytest.fixture(scope='module')
def ids(app):
    return run(app, _ids, commit=False)


BIG = '9' * 30  # beyond 64 bits


@pytest.mark.parametrize('query', [
        f'?page={BIG}', '?page=99999999999', f'?page=-{BIG}',
        '?page=1e20', f'?category={BIG}', '?category=-1',
        '?q=a%00b', '?q=%1b[31m', '?page=1%00',
        ])
def test_catalog_query(client, unchanged, query):
    "A page number beyond any page, a huge id or a control character"
    client.set_cookie('lang', 'en')
    response = client.get('/' + query)
    assert 400 <= response.status_code < 500, response.status_code
    if response.status_code == 400:
        assert "control characters" in text(response)


def test_control_characters_in_polish(client, unchanged):
    "The refusal of a control character speaks the user's language"
    client.set_cookie('lang', 'pl')
    response = client.get('/?q=mleko%00')
    assert response.status_code == 400
    assert "znaki sterujące" in text(response)


@pytest.mark.parametrize('path', [
        f'/account/orders/{BIG}', '/account/orders/99999999999',
        f'/orders/{BIG}', f'/product/{BIG}', '/product/2147483648',
        f'/account/invoices/{BIG}.pdf', f'/account/addresses/{BIG}',
        ])
def test_huge_ids(client, unchanged, path):
    "A record id beyond PostgreSQL's integer is not found"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    assert client.get(path).status_code == 404


def test_login_control_characters(client, unchanged):
    "A NUL in the log in form shows the form again with the reason"
    client.set_cookie('lang', 'en')
    response = client.post('/login', data={
            'email': 'kupiec@demo.example\x00', 'password': 'x\x00',
            'csrf_token': csrf_token(client)})
    assert response.status_code == 400
    assert 'name="email"' in response.text
    assert "control characters" in text(response)


def test_registration_control_characters(app, client, unchanged):
    "A NUL in the registration form shows it again; nothing is created"
    client.set_cookie('lang', 'en')
    response = client.post('/register', data={
            'company_name': 'Evil\x00 Sp. z o.o.',
            'tax_number': '526-000-12-46', 'street': 'Ulica 1',
            'postal_code': '00-001', 'city': 'Warszawa', 'country': 'PL',
            'contact_name': 'Jan', 'email': 'evil@example.com',
            'phone': '+48 600 000 000', 'password': 'Secret-123-Long',
            'password_again': 'Secret-123-Long',
            'csrf_token': csrf_token(client, '/register')})
    assert response.status_code == 400
    assert 'name="company_name"' in response.text
    assert "control characters" in text(response)


def test_address_control_characters(client, unchanged):
    "A NUL in an address shows the address form again"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    response = client.post('/account/addresses/new', data={
            'party_name': 'X', 'street': 'Ulica\x00 1',
            'postal_code': '00-001', 'city': 'Warszawa', 'country': 'PL',
            'delivery': '1',
            'csrf_token': csrf_token(client, '/account/addresses/new')})
    assert response.status_code == 400
    assert 'name="street"' in response.text
    assert "control characters" in text(response)


def test_checkout_and_quick_order_control_characters(app, client, ids):
    """A NUL in checkout's new address or in quick order's lines is
    refused in the user's language; no order, no line"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    token = csrf_token(client, '/cart')
    client.post('/cart/add', data={'product': ids['drink'],
            'quantity': '24', 'csrf_token': token})
    before = run(app, fingerprint, commit=False)
    response = client.post('/checkout', data={
            'address': 'new', 'party_name': 'X', 'street': 'Ulica\x00 1',
            'postal_code': '00-001', 'city': 'Warszawa',
            'csrf_token': token})
    assert response.status_code == 400
    assert "control characters" in text(response)
    response = client.post('/cart/quick', data={
            'lines': 'HD-00040 24\x00', 'csrf_token': token})
    assert response.status_code == 400
    assert "control characters" in text(response)
    response = client.post('/checkout', data={
            'address': BIG, 'csrf_token': token})
    assert response.status_code == 404
    assert run(app, fingerprint, commit=False) == before


def test_huge_body(client, unchanged):
    "A body beyond the bound is refused with 413, a page or JSON"
    client.set_cookie('lang', 'en')
    response = client.post('/login', data={'email': 'x' * (3 << 20)})
    assert response.status_code == 413
    assert "too large" in text(response)
    response = client.post('/api/v1/credit', data='[' + ' ' * (9 << 20),
        content_type='application/json')
    assert response.status_code == 413
    assert response.is_json


def _key():
    return api_key("ERP hostile test")


def _party():
    "Return the NIP of the demo buyer's company"
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    account, = WebUser.search([('email', '=', DEMO_LOGIN)])
    return account.party.b2b_tax_number


def _credit(nip, values=None):
    "Return (or set) the credit figures of the company of the NIP"
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    party, = Party.b2b_search_tax_number(nip)
    names = ['credit_limit_amount', 'b2b_credit_external_used']
    if values is not None:
        Party.write([party], dict(zip(names, values)))
    return [getattr(party, n) for n in names]


@pytest.fixture(scope='module')
def api(app):
    key = run(app, _key)
    nip = run(app, _party, commit=False)
    return {'Authorization': f'Bearer {key}', 'Accept-Language': 'en'}, nip


def _invoice(company_nip, **values):
    return dict({'number': 'HOSTILE/1', 'nip': company_nip,
            'date': '2026-01-05', 'total': '100.50'}, **values)


@pytest.mark.parametrize('document, where', [
        (lambda nip: {'invoices': [_invoice(nip, total='1e30')]}, 'item 1'),
        (lambda nip: {'invoices': [_invoice(nip),
                    _invoice(nip, number='HOSTILE/2', total='1e309')]},
            'item 2'),
        (lambda nip: {'invoices': [_invoice(nip, total='10.555')]},
            'item 1'),
        (lambda nip: {'invoices': [_invoice(nip, total='NaN')]}, 'item 1'),
        (lambda nip: {'invoices': [_invoice(nip, number='A\x00B')]},
            'item 1'),
        (lambda nip: {'invoices': [_invoice(nip, nip=nip + '\x00')]},
            'item 1'),
        (lambda nip: {'companies': [{'nip': nip,
                        'credit_limit': '1' + '0' * 30}]}, 'item 1'),
        (lambda nip: {'companies': [{'nip': nip, 'credit_limit': '10',
                        'used_credit': 'Infinity'}]}, 'item 1'),
        ])
def test_api_absurd_values(client, api, unchanged, document, where):
    "An absurd amount or a control character: 400 naming the item"
    headers, nip = api
    document = document(nip)
    path = ('/api/v1/invoices' if 'invoices' in document
        else '/api/v1/credit')
    response = client.post(path, json=document, headers=headers)
    assert response.status_code == 400, response.data
    assert where in response.json['error']


@pytest.mark.parametrize('body', [
        '[' * 10000 + ']' * 10000,
        '{"invoices": ' + '[' * 100000,
        'not json', '\x00', '{"invoices": [1e999999]}', '9' * 5000,
        ])
def test_api_bad_documents(client, api, unchanged, body):
    "Deeply nested, not JSON, or numbers beyond any bound: a JSON 400"
    headers, nip = api
    response = client.post('/api/v1/invoices', data=body,
        content_type='application/json', headers=headers)
    assert response.status_code == 400, response.data
    assert response.is_json and response.json['error']


def test_api_errors_are_json(client, api, unchanged):
    "404, 405, 401 and a form-encoded NUL on the API answer JSON"
    headers, nip = api
    for response, status in [
            (client.get('/api/v1/nothing', headers=headers), 404),
            (client.get('/api/v1/credit', headers=headers), 405),
            (client.post('/api/v1/credit', json=[]), 401),
            (client.post('/api/v1/credit?x=%00', json=[],
                    headers=headers), 400),
            ]:
        assert response.status_code == status
        assert response.is_json and response.json['error']


def test_api_amount_bound_keeps_pages(app, client, api):
    """The ERP's largest accepted amounts (12 digits) still show on the
    company's invoice and credit pages"""
    headers, nip = api
    before = run(app, _credit, nip, commit=False)
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    try:
        response = client.post('/api/v1/credit', json={'companies': [{
                        'nip': nip, 'credit_limit': '999999999999.99',
                        'used_credit': '-999999999999.99'}]},
            headers=headers)
        assert response.status_code == 200, response.json
        for path in ['/account/credit', '/account/invoices', '/cart']:
            assert client.get(path).status_code == 200, path
    finally:
        run(app, _credit, nip, before)


EVIL = ['/%09/evil.example', '/\t/evil.example', '//evil.example',
    '/\\evil.example', '\\\\evil.example', 'https://evil.example',
    '/%2F/evil.example', '/%2f%2fevil.example', '/%5Cevil.example',
    '/x%0d%0aSet-Cookie:%20a=b', '/x\r\nSet-Cookie: a=b',
    'javascript:alert(1)', ' //evil.example', '/%00/evil.example',
    'http:/evil.example', '///evil.example', '/\x0b/evil.example']


def _target(response):
    return response.headers['Location']


@pytest.mark.parametrize('target', EVIL)
def test_language_switch_redirect(client, target):
    "The language switcher goes to the catalog for any off-site `next`"
    response = client.get('/lang/pl', query_string={'next': target})
    assert response.status_code == 302
    assert _target(response) == '/'


@pytest.mark.parametrize('target', EVIL)
def test_login_redirect(client, target):
    "After a log in an off-site `next` goes to the catalog"
    response = client.post('/login', data={
            'email': DEMO_LOGIN, 'password': DEMO_PASSWORD, 'next': target,
            'csrf_token': csrf_token(client)})
    assert response.status_code == 302
    assert _target(response) == '/'


def test_same_site_redirect_kept(client):
    "A path of the site is where the switcher and the log in go"
    response = client.get('/lang/en?next=/cart%3Fx%3D1')
    assert _target(response) == '/cart?x=1'
    response = client.post('/login', data={
            'email': DEMO_LOGIN, 'password': DEMO_PASSWORD,
            'next': '/cart?x=1', 'csrf_token': csrf_token(client)})
    assert _target(response) == '/cart?x=1'


def test_json_depth_does_not_recurse(client, api):
    "A depth of 10 000 is refused before any recursive parser sees it"
    headers, nip = api
    body = '{"invoices": ' + '[' * 10000 + ']' * 10000 + '}'
    response = client.post('/api/v1/invoices', data=body,
        content_type='application/json', headers=headers)
    assert response.status_code == 400
    assert "nested" in response.json['error']
