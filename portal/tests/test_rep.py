# This file is part of the B2B wholesale suite.
"""The sales reps' area: log in with the back-office login, the served
companies only (Tryton's record rules, as the rep's own user), search,
the customer's file and address book, and every id of another company
refused (id-swapping)"""
import re

import pytest

from .tools import DEMO_LOGIN, DEMO_PASSWORD, csrf_token, run, text

REP_PASSWORD = 'rep12345'
PARTY = re.compile(r'data-party="(\d+)"')


def rep_login(client, login='rep1', password=REP_PASSWORD):
    return client.post('/rep/login', data={
            'login': login, 'password': password,
            'csrf_token': csrf_token(client, '/rep/login')})


def _assignments():
    """Return {login: set of party ids} of the reps' companies as the demo
    data assigned them (account manager, cover of today), read as root"""
    import datetime

    from trytond.pool import Pool
    pool = Pool()
    User = pool.get('res.user')
    Party = pool.get('party.party')
    Cover = pool.get('b2b.salesrep.cover')
    today = datetime.date.today()
    result = {}
    for login in ['rep1', 'rep2']:
        employee = User.search([('login', '=', login)])[0].employee
        ids = {p.id for p in Party.search([
                    ('b2b_account_manager', '=', employee.id)])}
        ids |= {c.party.id for c in Cover.search([
                    ('employee', '=', employee.id)])
            if c.start_date <= today <= (c.end_date or today)}
        result[login] = ids
    return result


def _facts(party_ids):
    """Return {party id: (name, NIP, city, first account's e-mail, address
    ids, group id)}"""
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    return {p.id: (p.name, p.b2b_tax_number, p.addresses[0].city,
            p.b2b_accounts[0].email if p.b2b_accounts else None,
            [a.id for a in p.addresses],
            p.b2b_customer_group.id if p.b2b_customer_group else None)
        for p in Party.browse(list(party_ids))}


@pytest.fixture(scope='module')
def served(app):
    assignments = run(app, _assignments, commit=False)
    facts = run(app, _facts,
        assignments['rep1'] | assignments['rep2'], commit=False)
    return assignments, facts


def test_rep_logs_in_and_sees_served_companies_only(app, client, served):
    assignments, _ = served
    response = client.get('/rep/')
    assert response.status_code == 302
    assert '/rep/login' in response.headers['Location']
    response = rep_login(client, password='not the password')
    assert response.status_code == 401
    assert "Nieprawidłowy login lub hasło." in text(response)
    # a buyer's portal account is no back-office login
    assert rep_login(client, DEMO_LOGIN, DEMO_PASSWORD).status_code == 401
    response = rep_login(client)
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/rep/')
    page = client.get('/rep/')
    assert page.status_code == 200
    listed = {int(i) for i in PARTY.findall(page.text)}
    assert listed == assignments['rep1']
    assert len(listed) > 5 and not listed & (
        assignments['rep2'] - assignments['rep1'])
    # the buyer's portal session gives nothing of the rep area, nor the
    # rep's session anything of the shop's account pages
    client.post('/rep/logout', data={
            'csrf_token': csrf_token(client, '/rep/')})
    assert client.get('/rep/').status_code == 302


def test_rep_search(app, client, served):
    "By name, NIP in any spelling, city, an employee's e-mail; served only"
    assignments, facts = served
    rep_login(client)
    own = sorted(assignments['rep1'])[1]
    name, nip, city, email, _, _ = facts[own]
    spelled = f"PL {nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
    for query in [name.upper(), spelled, nip[2:7], city, email.upper()]:
        page = client.get('/rep/', query_string={'q': query})
        assert page.status_code == 200, query
        found = {int(i) for i in PARTY.findall(page.text)}
        assert own in found, query
        assert found <= assignments['rep1'], query
    foreign = sorted(assignments['rep2'] - assignments['rep1'])[0]
    page = client.get('/rep/', query_string={'q': facts[foreign][1]})
    assert PARTY.findall(page.text) == []
    assert client.get('/rep/', query_string={'q': 'x\x00'}
        ).status_code == 400


def test_rep_refused_other_companies_ids(app, client, served):
    "Every rep route with an id refuses a company the rep does not serve"
    assignments, facts = served
    rep_login(client)
    own = sorted(assignments['rep1'])[2]
    foreign = sorted(assignments['rep2'] - assignments['rep1'])[0]
    foreign_address = facts[foreign][4][0]
    own_address = facts[own][4][0]
    token = csrf_token(client, '/rep/')
    assert client.get(f'/rep/customers/{own}').status_code == 200
    assert client.get(
        f'/rep/customers/{own}/addresses/{own_address}').status_code == 200
    for method, path, data in [
            ('get', f'/rep/customers/{foreign}', None),
            ('post', f'/rep/customers/{foreign}',
                {'name': "Przejęta", 'phone': '', 'email': ''}),
            ('get', f'/rep/customers/{foreign}/addresses/new', None),
            ('post', f'/rep/customers/{foreign}/addresses/new',
                {'street': "ul. Obca 1", 'postal_code': '00-950',
                    'city': "Warszawa", 'country': 'PL'}),
            ('get', f'/rep/customers/{foreign}/addresses/{foreign_address}',
                None),
            ('get', f'/rep/customers/{own}/addresses/{foreign_address}',
                None),
            ('post', f'/rep/customers/{own}/addresses/{foreign_address}',
                {'street': "ul. Obca 1", 'postal_code': '00-950',
                    'city': "Warszawa", 'country': 'PL'}),
            ('get', '/rep/customers/2147483647', None),
            ('get', '/rep/customers/99999999999', None),
            ]:
        if data is not None:
            data = dict(data, csrf_token=token)
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 404, (method, path)
    after = run(app, _facts, [foreign], commit=False)[foreign]
    assert after[0] == facts[foreign][0] and after[4] == facts[foreign][4]
    # the team leader serves both reps' companies
    client.post('/rep/logout', data={'csrf_token': token})
    rep_login(client, 'lead1')
    assert client.get(f'/rep/customers/{foreign}').status_code == 200
    assert client.get(f'/rep/customers/{own}').status_code == 200


def _note_and_group(party_id):
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Note = pool.get('ir.note')
    party = Party(party_id)
    notes = [n.message for n in Note.search([
                ('resource', '=', str(party))])]
    return (party.name, party.b2b_contact('phone'),
        party.b2b_contact('email'), notes,
        party.b2b_customer_group.id if party.b2b_customer_group else None)


def _rename(party_id, name):
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    Party.write([Party(party_id)], {'name': name})


def test_rep_edits_file_and_addresses(app, client, served):
    """A rep changes a served company's name, phone and e-mail, adds a note
    and an address; a wrong postal code is refused; the group stays"""
    assignments, facts = served
    rep_login(client)
    own = sorted(assignments['rep1'])[3]
    name = facts[own][0]
    token = csrf_token(client, f'/rep/customers/{own}')
    try:
        response = client.post(f'/rep/customers/{own}', data={
                'name': name + " (oddział)", 'phone': '+48 12 111 22 33',
                'email': 'biuro@oddzial.example',
                'note': "Klient prosi o dostawy we wtorki.",
                # not a field of the form: ignored
                'b2b_customer_group': '1',
                'csrf_token': token})
        assert response.status_code == 302
        page = client.get(f'/rep/customers/{own}')
        assert name + " (oddział)" in text(page)
        saved = run(app, _note_and_group, own, commit=False)
        assert saved[:3] == (name + " (oddział)", '+48 12 111 22 33',
            'biuro@oddzial.example')
        assert "Klient prosi o dostawy we wtorki." in saved[3]
        assert saved[4] == facts[own][5]
        # an empty name is refused, nothing changes
        response = client.post(f'/rep/customers/{own}', data={
                'name': '', 'phone': '', 'email': '', 'csrf_token': token})
        assert response.status_code == 400
        assert run(app, _note_and_group, own, commit=False)[1] == (
            '+48 12 111 22 33')

        address = {'street': "ul. Magazynowa 7", 'postal_code': '3100',
            'city': "Kraków", 'country': 'PL', 'delivery': '1',
            'csrf_token': token}
        response = client.post(f'/rep/customers/{own}/addresses/new',
            data=address)
        assert response.status_code == 400
        assert "3100" in text(response)
        response = client.post(f'/rep/customers/{own}/addresses/new',
            data=dict(address, postal_code='31-100'))
        assert response.status_code == 302
        assert "ul. Magazynowa 7" in text(
            client.get(f'/rep/customers/{own}'))
    finally:
        run(app, _rename, own, name)


def test_rep_login_throttled(app, client):
    "Failed logins of a login are throttled (Tryton's login attempts)"
    from trytond import config
    saved = config.get('session', 'max_attempt', default=None)
    config.set('session', 'max_attempt', '1')
    try:
        statuses = [rep_login(client, 'nobody-rep', 'wrong').status_code
            for _ in range(3)]
    finally:
        if saved is None:
            config.remove_option('session', 'max_attempt')
        else:
            config.set('session', 'max_attempt', saved)
    assert statuses[:2] == [401, 401]
    assert statuses[2] == 429


def _cart_facts(sale_id):
    "Return the cart's lines as (id, code, quantity, unit price, reason)"
    from trytond.pool import Pool
    Sale = Pool().get('sale.sale')
    sale = Sale(sale_id)
    return sale.state, sale.number, sale.b2b_placed_by and \
        sale.b2b_placed_by.login, [
            (l.id, l.product.code, l.quantity, l.unit_price,
                l.b2b_manual_price_reason)
            for l in sale.lines if l.type == 'line']


def _accounts(party_ids):
    "Return {party id: [active account ids]}"
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    return {p.id: [a.id for a in p.b2b_accounts if a.active]
        for p in Party.browse(list(party_ids))}


def _buyer_account():
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    buyer, = WebUser.search([('email', '=', DEMO_LOGIN)])
    return buyer.id, buyer.party.id


def test_rep_takes_over_cart_sets_price_and_places_order(
        app, client, served):
    """rep1 opens the demo buyer's cart, adds a product, lowers its price
    within the limit (beyond it refused), the buyer sees the cart; the
    order placed for the buyer says who placed it; another company's
    accounts, carts and lines are refused"""
    from portal import create_app  # noqa: F401 (the app fixture made it)
    assignments, _ = served
    buyer_id, buyer_party = run(app, _buyer_account, commit=False)
    assert buyer_party in assignments['rep1']
    rep_login(client)
    token = csrf_token(client, '/rep/')
    response = client.post(f'/rep/accounts/{buyer_id}/cart',
        data={'csrf_token': token})
    assert response.status_code == 302
    cart_path = response.headers['Location']
    sale_id = int(re.search(r'/rep/carts/(\d+)$', cart_path)[1])
    page = client.get(cart_path)
    assert DEMO_LOGIN in text(page) and 'id="rep-banner"' in page.text
    assert client.post(f'{cart_path}/add', data={
            'lines': 'HD-00040 5', 'csrf_token': token}
        ).status_code == 302
    _, _, _, lines = run(app, _cart_facts, sale_id, commit=False)
    (line_id, code, quantity, own, _), = lines
    assert (code, quantity) == ('HD-00040', 5)
    # 10 % below: refused, the limit named; 3 % below with a reason: set
    low = (own * 90 / 100).quantize(own.__class__('0.01'))
    response = client.post(f'{cart_path}/lines/{line_id}/price', data={
            'price': str(low).replace('.', ','), 'reason': "konkurencja",
            'csrf_token': token}, follow_redirects=True)
    assert "najwyżej o 5 %" in text(response)
    price = (own * 97 / 100).quantize(own.__class__('0.01'))
    response = client.post(f'{cart_path}/lines/{line_id}/price', data={
            'price': str(price).replace('.', ','),
            'reason': "oferta konkurencji", 'csrf_token': token},
        follow_redirects=True)
    assert "Cena została ustawiona." in text(response)
    _, _, _, lines = run(app, _cart_facts, sale_id, commit=False)
    assert lines[0][3] == price and lines[0][4] == "oferta konkurencji"

    # the buyer sees the rep's cart
    buyer = app.test_client()
    from .tools import login
    login(buyer, DEMO_LOGIN, DEMO_PASSWORD)
    page = buyer.get('/cart')
    assert 'id="rep-working"' in page.text and 'HD-00040' in page.text

    # id-swapping: another company's account, cart and line
    foreign = sorted(assignments['rep2'] - assignments['rep1'])[0]
    foreign_account = run(app, _accounts, [foreign],
        commit=False)[foreign][0]
    assert client.post(f'/rep/accounts/{foreign_account}/cart',
        data={'csrf_token': token}).status_code == 404
    foreign_cart = run(app, _foreign_cart, foreign_account)
    for method, path in [
            ('get', f'/rep/carts/{foreign_cart[0]}'),
            ('post', f'/rep/carts/{foreign_cart[0]}/add'),
            ('post', f'/rep/carts/{foreign_cart[0]}/lines/'
                f'{foreign_cart[1]}'),
            ('post', f'/rep/carts/{sale_id}/lines/{foreign_cart[1]}/price'),
            ('post', f'/rep/carts/{foreign_cart[0]}/place'),
            ('post', f'/rep/carts/{foreign_cart[0]}/hand-back'),
            ]:
        data = {'csrf_token': token, 'price': '1', 'reason': 'x',
            'quantity': '1', 'lines': 'HD-00040 1'}
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 404, path

    # placed for the buyer with the choices offered
    page = client.get(cart_path)
    choices = {name: re.search(
            rf'<select name="{name}">\s*<option value="(\d+)"',
            page.text)[1]
        for name in ['shipment_address', 'carrier', 'payment_method']}
    response = client.post(f'{cart_path}/place',
        data=dict(choices, csrf_token=token))
    assert response.status_code == 302
    state, number, placed_by, _ = run(app, _cart_facts, sale_id,
        commit=False)
    assert placed_by == 'rep1' and number
    page = buyer.get(f'/account/orders/{sale_id}')
    assert "Zamówienie złożył w Twoim imieniu" in text(page)
    # no longer a cart: the rep's cart routes refuse it
    assert client.get(cart_path).status_code == 404


def _foreign_cart(account_id):
    "Put a product in the account's cart; return (cart id, line id)"
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    Product = pool.get('product.product')
    product, = Product.search([('code', '=', 'HD-00040')])
    cart = Sale.b2b_cart_add(WebUser(account_id), [(product, 5)])
    return cart.id, cart.lines[0].id


def _quotation_order():
    """Place an order of the demo buyer that waits for review (a
    quotation); return its id and its line's id"""
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    Product = pool.get('product.product')
    Configuration = pool.get('b2b.configuration')
    buyer, = WebUser.search([('email', '=', DEMO_LOGIN)])
    product, = Product.search([('code', '=', 'HD-00040')])
    configuration = Configuration(1)
    configuration.order_review = True
    configuration.save()
    try:
        options = Sale.b2b_checkout_options(buyer)
        order = Sale.b2b_place_order(buyer,
            Sale.b2b_cart_add(buyer, [(product, 5)]),
            shipment_address=options['addresses'][0],
            carrier=options['carriers'][0],
            payment_method=options['payment_methods'][0])
    finally:
        configuration.order_review = False
        configuration.save()
    line, = [l for l in order.lines if l.shipment_cost is None]
    return order.id, line.id


ORDER = re.compile(r'data-order="(\d+)"')


def _order_number(sale_id):
    from trytond.pool import Pool
    return Pool().get('sale.sale')(sale_id).number


def _order_state(sale_id):
    from trytond.pool import Pool
    Sale = Pool().get('sale.sale')
    sale = Sale(sale_id)
    return sale.state, [l.quantity for l in sale.lines
        if l.type == 'line' and l.shipment_cost is None]


def _confirm(sale_id):
    from trytond.pool import Pool
    Sale = Pool().get('sale.sale')
    Sale.confirm([Sale(sale_id)])


def test_rep_edits_order_in_allowed_states(app, client, served):
    """A rep changes a quoted order's quantity (it stays quoted, priced
    again); once confirmed the order refuses with the reason; another rep's
    customer's order is not found"""
    sale_id, line_id = run(app, _quotation_order)
    number = run(app, _order_number, sale_id, commit=False)
    rep_login(client)
    # in the list of all the rep's customers' orders, found by its number
    listed = {int(i) for i in ORDER.findall(client.get('/rep/orders').text)}
    assert sale_id in listed
    found = client.get('/rep/orders', query_string={'q': number})
    assert [int(i) for i in ORDER.findall(found.text)] == [sale_id]
    assert client.get('/rep/orders', query_string={'q': 'a\x00'}
        ).status_code == 400
    token = csrf_token(client, f'/rep/orders/{sale_id}')
    page = client.get(f'/rep/orders/{sale_id}')
    assert page.status_code == 200 and 'id="not-editable"' not in page.text
    response = client.post(f'/rep/orders/{sale_id}', data={
            f'quantity-{line_id}': '8', 'csrf_token': token})
    assert response.status_code == 302
    assert run(app, _order_state, sale_id, commit=False) == (
        'quotation', [8])
    run(app, _confirm, sale_id)
    assert 'id="not-editable"' in client.get(f'/rep/orders/{sale_id}').text
    response = client.post(f'/rep/orders/{sale_id}', data={
            f'quantity-{line_id}': '2', 'csrf_token': token})
    assert response.status_code == 400
    assert "przedstawiciel handlowy może zmieniać" in text(response)
    assert run(app, _order_state, sale_id, commit=False)[1] == [8]
    client.post('/rep/logout', data={'csrf_token': token})
    rep_login(client, 'rep2')
    assignments, _ = served
    assert run(app, _buyer_account, commit=False)[1] not in (
        assignments['rep2'])
    assert client.get(f'/rep/orders/{sale_id}').status_code == 404
    assert sale_id not in {int(i) for i in ORDER.findall(
            client.get('/rep/orders').text)}
    assert client.post(f'/rep/orders/{sale_id}', data={
            f'quantity-{line_id}': '1', 'csrf_token': token}
        ).status_code == 404


LEAD = re.compile(r'data-lead="(\d+)"')


def _leads(lead_ids=None):
    """Return {lead id: (state, party name, employee's user login,
    description, amount, probability, lost reason)} of all leads or
    these"""
    from trytond.pool import Pool
    pool = Pool()
    Opportunity = pool.get('sale.opportunity')
    User = pool.get('res.user')
    logins = {u.employee.id: u.login for u in User.search([
                ('employee', '!=', None)])}
    domain = [('id', 'in', lead_ids)] if lead_ids is not None else []
    return {o.id: (o.state, o.party.name if o.party else None,
            logins.get(o.employee.id) if o.employee else None,
            o.description, o.amount, o.conversion_probability,
            o.lost_reason)
        for o in Opportunity.search(domain)}


def test_rep_keeps_leads(app, client, served):
    """A rep adds a lead from a customer's file and one of a prospect,
    makes it an opportunity and marks it lost; bad input is refused with a
    message; the other rep does not reach them, their team leader does"""
    from decimal import Decimal
    assignments, _ = served
    own = sorted(assignments['rep1'])[0]
    foreign = sorted(assignments['rep2'] - assignments['rep1'])[0]
    before = run(app, _leads, commit=False)
    rep_login(client)
    listed = {int(i) for i in LEAD.findall(client.get('/rep/leads').text)}
    # the demo's open leads of rep1 (none of rep2's)
    assert listed and {before[i][2] for i in listed} == {'rep1'}
    token = csrf_token(client, f'/rep/leads/new?party={own}')
    response = client.post('/rep/leads/new', data={
            'party': own, 'description': "Regały do nowej hali",
            'amount': '12 000,50', 'probability': '40', 'comment': "Tel.",
            'csrf_token': token})
    assert response.status_code == 302
    lead_id = int(response.headers['Location'].rsplit('/', 1)[1])
    page = client.get(f'/rep/leads/{lead_id}')
    assert "Regały do nowej hali" in page.text and "Lead" in text(page)
    for data, message in [
            ({'party': own, 'description': "x", 'amount': 'dużo'},
                "Podaj szacowaną kwotę"),
            ({'party': own, 'description': "x", 'probability': '150'},
                "od 0 do 100"),
            ({'party': own, 'description': ''}, "czego szuka klient"),
            ({'prospect': '', 'description': "x"},
                "podaj nazwę potencjalnego klienta"),
            ({'prospect': 'Zła\x00firma', 'description': "x"}, None),
            ]:
        response = client.post('/rep/leads/new',
            data=dict(data, csrf_token=token))
        assert response.status_code == 400, data
        if message:
            assert message in text(response), data
    response = client.post('/rep/leads/new', data={
            'prospect': "Sklep Pod Lipą", 'contact': '+48 600 700 800',
            'description': "Pierwsze zamówienie", 'csrf_token': token})
    assert response.status_code == 302
    prospect_id = int(response.headers['Location'].rsplit('/', 1)[1])
    # not for another rep's company
    assert client.post('/rep/leads/new', data={
            'party': foreign, 'description': "x", 'csrf_token': token}
        ).status_code == 404
    after = run(app, _leads, commit=False)
    assert set(after) - set(before) == {lead_id, prospect_id}
    assert after[lead_id][2:6] == ('rep1', "Regały do nowej hali",
        Decimal('12000.50'), 0.4)
    assert after[prospect_id][1:3] == ("Sklep Pod Lipą", 'rep1')

    response = client.post(f'/rep/leads/{lead_id}/state', data={
            'state': 'opportunity', 'csrf_token': token})
    assert response.status_code == 302
    assert "Szansa sprzedaży" in text(client.get(f'/rep/leads/{lead_id}'))
    response = client.post(f'/rep/leads/{lead_id}/state', data={
            'state': 'won', 'csrf_token': token})
    assert response.status_code == 400
    response = client.post(f'/rep/leads/{lead_id}/state', data={
            'state': 'lost', 'reason': "Za drogo", 'csrf_token': token})
    assert response.status_code == 302
    response = client.post(f'/rep/leads/{lead_id}', data={
            'description': "Jednak", 'csrf_token': token})
    assert response.status_code == 400
    assert "nie można jej już zmienić" in text(response)
    assert run(app, _leads, [lead_id], commit=False)[lead_id][0::3] == (
        'lost', "Regały do nowej hali", "Za drogo")
    assert lead_id in {int(i) for i in LEAD.findall(
            client.get('/rep/leads?closed=1').text)}

    # rep2 reaches none of them; the team leader all
    client.post('/rep/logout', data={'csrf_token': token})
    rep_login(client, 'rep2')
    for method, path, data in [
            ('get', f'/rep/leads/{prospect_id}', None),
            ('post', f'/rep/leads/{prospect_id}', {'description': "Moje"}),
            ('post', f'/rep/leads/{prospect_id}/state',
                {'state': 'cancelled'}),
            ]:
        if data is not None:
            data = dict(data, csrf_token=csrf_token(client, '/rep/leads'))
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 404, (method, path)
    assert prospect_id not in {int(i) for i in LEAD.findall(
            client.get('/rep/leads').text)}
    assert run(app, _leads, [prospect_id], commit=False)[prospect_id][
        0::3] == ('lead', "Pierwsze zamówienie", None)
    client.post('/rep/logout', data={
            'csrf_token': csrf_token(client, '/rep/leads')})
    rep_login(client, 'lead1')
    assert prospect_id in {int(i) for i in LEAD.findall(
            client.get('/rep/leads').text)}
