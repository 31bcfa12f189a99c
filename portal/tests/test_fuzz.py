# This file is part of the B2B wholesale suite.
"""Property-based test (Hypothesis): every route of the portal and of the
API, each of its methods, logged in as the demo buyer and logged out,
driven with hostile values in its path ids, query and form fields and
JSON bodies, answers a 4xx or a normal page (never a 500), redirects only
within the site and changes nothing in the database.

The default run is short (B2B_FUZZ_EXAMPLES, default 30 examples);
`b2b fuzz --examples N` runs it longer."""
import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .test_hostile import fingerprint
from .tools import DEMO_LOGIN, api_key, run

EXAMPLES = int(os.environ.get('B2B_FUZZ_EXAMPLES') or 30)
PORTAL = Path(__file__).parent.parent

# numbers no field takes: huge, negative, exponents, 400 digits, a tiny
# fraction, beyond 64 bits, not numbers
NUMBERS = ['1e20', '1e309', '-1e309', '-1', '0', '9' * 400,
    '0.' + '0' * 400 + '1', 'NaN', 'Infinity', '-Infinity', '1e-400',
    str(2 ** 64), str(-2 ** 63 - 1), '99999999999999999999',
    '0x10', '2147483648']
# characters PostgreSQL or a browser takes badly, and unicode oddities
ODD = ['\x00', '\x01', '\x1b', '\x7f', '\x85', '\x9f', '\t', '\n', '\r\n',
    '\u2028', '\ufeff', '\u202e', '\U0001f4a9', 'ﬀ', 'İ', 'e\u0301',
    '%00', '%0d%0a', '\\', "'", '"', '<script>', '{{7*7}}', '%s', '../']
NEXT = ['/\t/evil.example', '/%09/evil.example', '//evil.example',
    '/\\evil.example', 'https://evil.example', '/%2F/evil.example',
    '/x%0d%0aSet-Cookie:a=b', 'javascript:alert(1)', '/\r\n/evil.example']

hostile_text = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(ODD),
    st.sampled_from(NEXT),
    st.integers(min_value=2 ** 63, max_value=2 ** 80).map(str),
    st.builds(lambda a, odd, b: a + odd + b,
        st.text(max_size=8), st.sampled_from(ODD), st.text(max_size=8)),
    st.sampled_from(['x' * 100_000, '7' * 5000, 'ą' * 3000]),
    st.text(min_size=1, max_size=30),
    )
# the JSON bodies of the API: nested 10 000 deep, not JSON, absurd values
JSON_BODIES = [
    '[' * 10_000 + ']' * 10_000,
    '{"invoices": ' + '[' * 10_000 + ']' * 10_000 + '}',
    '{"companies": [{"nip": "1\\u0000", "credit_limit": 1e30}]}',
    '{"invoices": [{"number": 1e999999, "total": NaN}]}',
    'not json', '', '\x00', '9' * 5000, 'null', '"x"', '[1, 2]',
    '{"companies": {"a": 1}}', '\xff\xfe',
    ]


def _json_value(children):
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(
                ['nip', 'number', 'date', 'due_date', 'total',
                    'credit_limit', 'used_credit', 'as_of', 'x\x00']),
            children, max_size=5))


json_document = st.one_of(
    st.sampled_from(JSON_BODIES),
    st.recursive(
        st.one_of(hostile_text, st.sampled_from([None, True, 1e308, -1])),
        _json_value, max_leaves=20).map(
        json.dumps),
    st.builds(lambda key, items: json.dumps({key: items}),
        st.sampled_from(['invoices', 'companies']),
        st.lists(st.dictionaries(
                st.sampled_from(['nip', 'number', 'date', 'due_date',
                        'total', 'credit_limit', 'used_credit', 'as_of']),
                hostile_text, max_size=8), max_size=3)),
    )


def field_names():
    """Return the names of the fields the views read: from their code
    (request.form/args/values.get('…'), the lists of fields) and from the
    templates' forms, and a name no view knows"""
    names = {'unknown_field'}
    for path in PORTAL.glob('*.py'):
        source = path.read_text()
        names |= set(re.findall(
                r"request\.(?:form|args|values)\.get\(\s*'(\w+)'", source))
        names |= set(re.findall(r"form\.get\(\s*'(\w+)'", source))
        for constant in re.findall(r"_FIELDS = \[([^\]]*)\]", source):
            names |= set(re.findall(r"'(\w+)'", constant))
    for path in PORTAL.glob('templates/**/*.html'):
        names |= set(re.findall(r'\bname="(\w+)"', path.read_text()))
    names.discard('csrf_token')
    return sorted(names)


def routes(app):
    "Return (rule, method) of every route of the application"
    result = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == 'static':
            continue
        for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
            result.append((rule, method))
    return result


def _path(rule, values):
    "Return the URL of the rule with the (hostile) values of its arguments"
    def argument(match):
        name = match.group(2)
        return urllib.parse.quote(values[name], safe='')
    return re.sub(r'<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>', argument, rule.rule)


def _same_site(location):
    parts = urllib.parse.urlsplit(location)
    return (not parts.scheme and not parts.netloc
        and location.startswith('/') and not location.startswith('//')
        and '\\' not in location
        and not re.search('[\x00-\x1f\x7f-\x9f]', location))


def _setup(drink_code='HD-00040'):
    """Put a product in the demo buyer's cart (so that checkout reads its
    form); return a session key of the demo buyer, the product's id and
    the cart line's id"""
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    Product = pool.get('product.product')
    account, = WebUser.search([('email', '=', DEMO_LOGIN)])
    drink, = Product.search([('code', '=', drink_code)])
    cart = Sale.b2b_cart_add(account, [(drink, 24)])
    line, = [l for l in cart.lines if l.product == drink]
    return account.new_session(), drink.id, line.id


def _new_session():
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    account, = WebUser.search([('email', '=', DEMO_LOGIN)])
    return account.new_session()


def _api_key():
    return api_key("ERP fuzz test")


def _forget_attempts(since):
    """Delete the failed log ins of the fuzzing: web_user counts them
    (and sleeps 2**count - 1 s at the next one) per address and per
    network, and the tests after this one log in from the same address"""
    from trytond.pool import Pool
    Attempt = Pool().get('web.user.authenticate.attempt')
    Attempt.delete(Attempt.search([('create_date', '>=', since)]))


def _now():
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT CURRENT_TIMESTAMP AT TIME ZONE \'UTC\'')
    return cursor.fetchone()[0]


@pytest.fixture(scope='module')
def fuzz(app):
    return {'api_key': run(app, _api_key), 'routes': routes(app),
        'fields': field_names()}


@pytest.fixture
def session(app, clean_cart):
    """A session of the demo buyer, whose cart (emptied first) has a line,
    and the ids of its product and line"""
    return run(app, _setup)


# the routes whose id may also be a valid one, so that the values behind
# it are reached (not cart.remove: removing needs no value)
VALID_ID = {'shop.product': 'product', 'cart.set_quantity': 'line'}


@pytest.fixture
def no_csrf(app):
    "The fuzzed values reach the views: the CSRF check would stop them"
    app.config['WTF_CSRF_ENABLED'] = False
    yield
    app.config['WTF_CSRF_ENABLED'] = True


def test_field_names_found(fuzz):
    "The fields are collected from the views and the templates' forms"
    assert {'email', 'password', 'next', 'q', 'page', 'category',
        'quantity', 'street', 'company_name', 'lines'} <= set(
        fuzz['fields'])
    assert len(fuzz['routes']) >= 30


@settings(max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_route_hostile(app, fuzz, session, no_csrf, data):
    """Any route, method, login state and hostile values: < 500, redirects
    within the site, nothing changed in the database"""
    client = app.test_client()
    rule, method = data.draw(st.sampled_from(fuzz['routes']), 'route')
    logged_in = data.draw(st.booleans(), 'logged in')
    key, product_id, line_id = session
    valid = {'product': str(product_id), 'line': str(line_id)}
    if logged_in:
        if rule.endpoint == 'auth.logout':
            # logging out removes the session: a fresh one for it
            key = run(app, _new_session)
        client.set_cookie('b2b_session', key)
    client.set_cookie('lang', data.draw(st.sampled_from(['pl', 'en'])))
    values = {}
    for name in rule.arguments:
        strategy = hostile_text
        if name == 'code':
            strategy = st.sampled_from(['pl', 'en']) | hostile_text
        elif rule.endpoint in VALID_ID:
            strategy = st.just(valid[VALID_ID[rule.endpoint]]) | strategy
        values[name] = data.draw(strategy, name)
    path = _path(rule, values)
    names = data.draw(st.lists(st.sampled_from(fuzz['fields']),
            unique=True, max_size=8), 'fields')
    fields = {name: data.draw(st.just(valid['product']) | hostile_text
            if name == 'product' else hostile_text, name) for name in names}
    query = {name: fields[name] for name in names
        if data.draw(st.booleans(), f'{name} in query')}
    form = {k: v for k, v in fields.items() if k not in query}
    kwargs = {'query_string': query}
    if path.startswith('/api/'):
        if data.draw(st.booleans(), 'with key'):
            kwargs['headers'] = {
                'Authorization': f"Bearer {fuzz['api_key']}"}
        if method == 'POST':
            kwargs['data'] = data.draw(json_document, 'json').encode(
                'utf-8', 'surrogatepass')
            kwargs['content_type'] = 'application/json'
    elif method == 'POST':
        kwargs['data'] = form

    since = run(app, _now, commit=False)
    before = run(app, fingerprint, commit=False)
    try:
        response = client.open(path, method=method, **kwargs)
    finally:
        run(app, _forget_attempts, since)
    # --hypothesis-show-statistics: how many reached which answer
    event(f'status {response.status_code}')
    assert response.status_code < 500, (method, path, kwargs)
    if 300 <= response.status_code < 400:
        location = response.headers.get('Location', '')
        assert _same_site(location), (method, path, location)
    assert run(app, fingerprint, commit=False) == before, (
        method, path, kwargs)


@pytest.mark.parametrize('route', ['add', 'line'])
@pytest.mark.parametrize('quantity', NUMBERS)
def test_cart_hostile_quantities(app, session, route, quantity):
    """A hostile quantity for a product of the catalog or a line of the
    cart: < 500 and nothing changed (each of these numbers, not only
    those Hypothesis happens to draw with a valid id)"""
    key, product_id, line_id = session
    client = app.test_client()
    client.set_cookie('b2b_session', key)
    app.config['WTF_CSRF_ENABLED'] = False
    before = run(app, fingerprint, commit=False)
    try:
        if route == 'add':
            response = client.post('/cart/add', data={
                    'product': product_id, 'quantity': quantity})
        else:
            response = client.post(f'/cart/line/{line_id}', data={
                    'quantity': quantity})
    finally:
        app.config['WTF_CSRF_ENABLED'] = True
    assert response.status_code < 500
    if route == 'line' and quantity == '0':
        return  # 0 is how a buyer removes a line: the one valid number
    assert run(app, fingerprint, commit=False) == before
