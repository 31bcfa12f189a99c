# This file is part of the B2B wholesale suite.
"""The account area through the portal: orders and order again, invoices
and their PDF, the address book, the company's accounts, the own
password; the refusals of the roles and the ids of another company"""
import io
import re

import pytest

from b2b_base.tests.tools import smtp_down, smtp_sink

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

VIEWER = 'podglad@firma1.example'
PASSWORD_USER = 'haslo@firma1.example'
PAGE = '/account/profile'


def _order_and_invoice(email, reference):
    """Place an order of the account, invoice it and post the invoice;
    return the ids of the order and the invoice"""
    from trytond.pool import Pool
    pool = Pool()
    Sale = pool.get('sale.sale')
    Invoice = pool.get('account.invoice')
    WebUser = pool.get('web.user')
    Product = pool.get('product.product')
    account, = WebUser.search([('email', '=', email)])
    drink, = Product.search([('code', '=', 'HD-00040')])
    cart = Sale.b2b_cart_add(account, [(drink, 24)])
    cart.invoice_method = 'order'
    cart.save()
    options = Sale.b2b_checkout_options(account)
    order = Sale.b2b_place_order(account, cart,
        shipment_address=options['addresses'][0],
        carrier=(options['carriers'] or [None])[0],
        payment_method=options['payment_methods'][0], reference=reference)
    if order.state == 'quotation':
        Sale.confirm([order])
    Sale.process([order])
    invoice, = Sale(order.id).invoices
    Invoice.post([invoice])
    return order.id, invoice.id


def _setup():
    from trytond.pool import Pool
    pool = Pool()
    WebUser = pool.get('web.user')
    demo, = WebUser.search([('email', '=', DEMO_LOGIN)])
    colleague, = WebUser.search([('email', '=', COLLEAGUE)])
    other = WebUser.search([
            ('party.b2b_status', '=', 'active'),
            ('party', '!=', demo.party.id),
            ('b2b_role', '=', 'admin'),
            ], limit=1)[0]
    for email, role in [(VIEWER, 'viewer'), (PASSWORD_USER, 'buyer')]:
        user = WebUser(email=email, party=demo.party, b2b_role=role)
        user.password = DEMO_PASSWORD
        user.save()
    order, invoice = _order_and_invoice(DEMO_LOGIN, 'PO-ACC-1')
    other_order, other_invoice = _order_and_invoice(other.email, 'PO-B')
    Sale = pool.get('sale.sale')
    Product = pool.get('product.product')
    drink, = Product.search([('code', '=', 'HD-00040')])
    colleague_cart = Sale.b2b_cart_add(colleague, [(drink, 12)])
    return {
        'iban': company_bank_account(),
        'order': order, 'invoice': invoice,
        'other_order': other_order, 'other_invoice': other_invoice,
        'other_address': other.party.addresses[0].id,
        'other_user': other.id, 'demo': demo.id, 'colleague': colleague.id,
        'colleague_cart': colleague_cart.id,
        }


def _run_locking(app, func):
    """Run func in a committed transaction of root, started again with the
    locks it asks for (posting an invoice locks its strict sequence)"""
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        try:
            with Transaction().start(app.config['TRYTON_DATABASE'], 0,
                    context=dict(app.config['PORTAL_TRYTON_CONTEXT']),
                    **extras) as transaction:
                result = func()
                transaction.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


@pytest.fixture(scope='module')
def ids(app):
    with smtp_sink():
        return _run_locking(app, _setup)


def _post(client, path, data=None):
    return client.post(path, data=dict(data or {},
            csrf_token=csrf_token(client, PAGE)))


def _read(email, fields):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    WebUser = Pool().get('web.user')
    with Transaction().set_context(active_test=False):
        user, = WebUser.search([('email', '=', email)])
    return [getattr(user, f) for f in fields]


def _invoice_text(invoice_id):
    from babel.numbers import format_currency

    from trytond.pool import Pool
    invoice = Pool().get('account.invoice')(invoice_id)
    return (invoice.number, invoice.party.name,
        format_currency(invoice.total_amount, 'PLN', locale='pl'))


def _spaces(value):
    return re.sub(r'[\s\u00a0\u202f]+', ' ', value)


def test_orders_invoices_and_pdf(app, client, ids):
    """The company's orders (not the colleague's cart), order again, the
    invoices with their payment status and the PDF read back"""
    from pypdf import PdfReader
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    page = text(client.get('/account/orders'))
    assert "PO-ACC-1" in page and "PO-B" not in page
    detail = client.get(f'/account/orders/{ids["order"]}')
    assert detail.status_code == 200 and "PO-ACC-1" in text(detail)
    assert _post(client, f'/account/orders/{ids["order"]}/again'
        ).headers['Location'].endswith('/cart')
    assert "HD-00040" in text(client.get('/cart'))

    number, customer, total = run(
        app, _invoice_text, ids['invoice'], commit=False)
    page = text(client.get('/account/invoices'))
    assert number in page and "Nieopłacona" in page
    pdf = client.get(f'/account/invoices/{ids["invoice"]}.pdf')
    assert pdf.status_code == 200
    assert pdf.headers['Content-Type'] == 'application/pdf'
    content = _spaces(''.join(page.extract_text()
            for page in PdfReader(io.BytesIO(pdf.data)).pages))
    # the seller's account to pay to
    for expected in [number, customer, _spaces(total), "Faktura",
            ids['iban']]:
        assert expected in content, (expected, content)


def test_addresses_and_accounts(app, client, ids):
    """The administrator adds and edits an address, invites a colleague,
    changes a role and deactivates an account"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    address = {'party_name': "Magazyn", 'street': "ul. Nowa 7",
        'postal_code': '60-001', 'city': "Poznań", 'country': 'PL',
        'delivery': '1'}
    assert _post(client, '/account/addresses/new',
        address).status_code == 302
    page = client.get('/account/addresses')
    assert "ul. Nowa 7" in text(page)
    address_id = max(int(i) for i in re.findall(
            r'/account/addresses/(\d+)', page.text))
    refused = _post(client, f'/account/addresses/{address_id}',
        dict(address, street=" "))
    assert refused.status_code == 400 and '"Street"' in text(refused)
    refused = _post(client, f'/account/addresses/{address_id}',
        dict(address, postal_code='60001'))
    assert refused.status_code == 400
    assert '"60001" is not a valid postal code in Poland' in text(refused)
    _post(client, f'/account/addresses/{address_id}',
        dict(address, city="Gniezno", invoice='1'))
    assert "Gniezno" in text(client.get('/account/addresses'))

    with smtp_sink() as messages:
        response = _post(client, '/account/users/invite',
            {'email': 'Nowa@Firma1.example', 'role': 'viewer'})
        assert response.status_code == 302
    assert [m['To'] for m in messages] == ['nowa@firma1.example']
    assert "/password/new" in messages[0].get_content()
    assert "The invitation to nowa@firma1.example is on its way." in text(
        client.get('/account/users'))
    refused = _post(client, '/account/users/invite',
        {'email': 'nowa@firma1.example', 'role': 'viewer'})
    assert refused.status_code == 400 and "already exists" in text(refused)
    assert "nowa@firma1.example" in text(client.get('/account/users'))

    _post(client, f'/account/users/{ids["colleague"]}/role',
        {'role': 'viewer'})
    assert run(app, _read, COLLEAGUE, ['b2b_role'], commit=False) == [
        'viewer']
    _post(client, f'/account/users/{ids["colleague"]}/role',
        {'role': 'buyer'})
    invited_id = re.search(r'data-user="(\d+)">\s*<span class="name">'
        r'nowa@firma1.example', client.get('/account/users').text)[1]
    _post(client, f'/account/users/{invited_id}/deactivate')
    assert run(app, _read, 'nowa@firma1.example', ['active'],
        commit=False) == [False]


def _outbox(recipient):
    from trytond.pool import Pool
    Email = Pool().get('b2b.email')
    return [(e.state, e.attempts, e.resource.email)
        for e in Email.search([('recipient', '=', recipient)])]


def test_invitation_with_mail_server_down(app, client, ids):
    """With the mail server down the invitation is made all the same, the
    page says it is on its way (not sent) and the outbox holds it failed,
    to be sent again"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'pl')
    with smtp_down():
        response = _post(client, '/account/users/invite',
            {'email': 'awaria@firma1.example', 'role': 'viewer'})
    assert response.status_code == 302
    page = text(client.get('/account/users'))
    assert "Zaproszenie na adres awaria@firma1.example jest w drodze." in page
    assert "wysłane" not in page
    assert run(app, _outbox, 'awaria@firma1.example', commit=False) == [
        ('failed', 1, 'awaria@firma1.example')]


def test_own_password(app, client, ids):
    "The current password is required and the new one follows the rules"
    login(client, PASSWORD_USER, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    form = {'current_password': 'wrong', 'new_password': 'Nowe-haslo-1',
        'new_password_again': 'Nowe-haslo-1'}
    assert _post(client, PAGE, form).status_code == 400
    for refused, message in [
            ('abc', "at least 8 characters"),
            ('12345678', "The password is forbidden."),
            ('password123', "The password is forbidden.")]:
        response = _post(client, PAGE, dict(form,
                current_password=DEMO_PASSWORD, new_password=refused,
                new_password_again=refused))
        assert response.status_code == 400
        assert message in text(response)
    # nothing changed: the password is still the old one
    assert login(app.test_client(), PASSWORD_USER, DEMO_PASSWORD
        ).status_code == 302
    assert _post(client, PAGE, dict(form, current_password=DEMO_PASSWORD)
        ).status_code == 302
    # still logged in here; the new password opens a new session
    assert client.get(PAGE).status_code == 200
    other = app.test_client()
    assert login(other, PASSWORD_USER, 'Nowe-haslo-1').status_code == 302


def test_roles_refused(client, ids):
    """A viewer sees orders and invoices but cannot order again; neither a
    viewer nor a buyer edits addresses or accounts"""
    client.set_cookie('lang', 'en')
    for email in [VIEWER, COLLEAGUE]:
        login(client, email, DEMO_PASSWORD)
        assert client.get('/account/orders').status_code == 200
        assert client.get('/account/invoices').status_code == 200
        assert 'Edit' not in text(client.get('/account/addresses'))
        for path in ['/account/addresses/new', '/account/users']:
            assert client.get(path).status_code == 403
        assert _post(client, '/account/users/invite', {
                'email': 'x@firma1.example', 'role': 'admin'}
            ).status_code == 403
        assert _post(client, f'/account/users/{ids["demo"]}/role',
            {'role': 'viewer'}).status_code == 403
    login(client, VIEWER, DEMO_PASSWORD)
    order = client.get(f'/account/orders/{ids["order"]}')
    assert order.status_code == 200 and '/again"' not in order.text
    assert _post(client, f'/account/orders/{ids["order"]}/again'
        ).status_code == 403


def test_ids_of_others_are_not_found(app, client, ids):
    """Every route taking an id answers 404 for another company's record,
    a colleague's cart and the administrator's own account"""
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    for path in [f'/account/orders/{ids["other_order"]}',
            f'/account/orders/{ids["colleague_cart"]}',
            f'/account/invoices/{ids["other_invoice"]}.pdf',
            f'/account/addresses/{ids["other_address"]}']:
        assert client.get(path).status_code == 404, path
    for path, data in [
            (f'/account/orders/{ids["other_order"]}/again', {}),
            (f'/account/addresses/{ids["other_address"]}', {
                    'street': "x", 'postal_code': '1', 'city': "x"}),
            (f'/account/users/{ids["other_user"]}/role', {'role': 'viewer'}),
            (f'/account/users/{ids["other_user"]}/deactivate', {}),
            (f'/account/users/{ids["demo"]}/role', {'role': 'viewer'}),
            (f'/account/users/{ids["demo"]}/deactivate', {}),
            ]:
        assert _post(client, path, data).status_code == 404, path
    assert client.get(PAGE).status_code == 200


def _names(language):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    with Transaction().set_context(language=language):
        return (pool.get('web.user').b2b_role_names(),
            pool.get('account.invoice').b2b_payment_status_names())


def test_role_and_status_names_are_the_modules(app):
    """The portal names roles and payment statuses with the module's
    selections, translated in the language of the page"""
    assert run(app, _names, 'pl', commit=False) == (
        {'admin': "Administrator firmy", 'buyer': "Kupujący",
            'viewer': "Przeglądający"},
        {'paid': "Opłacona", 'partial': "Częściowo opłacona",
            'unpaid': "Nieopłacona", 'overdue': "Po terminie"})
    assert run(app, _names, 'en', commit=False) == (
        {'admin': "Company administrator", 'buyer': "Buyer",
            'viewer': "Viewer"},
        {'paid': "Paid", 'partial': "Partially paid", 'unpaid': "Unpaid",
            'overdue': "Overdue"})


def test_pages_name_roles_in_the_page_language(client):
    "The profile and the accounts' page show the module's role names"
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'pl')
    assert "Administrator firmy" in text(client.get('/account/profile'))
    page = text(client.get('/account/users'))
    assert "Kupujący" in page and "Przeglądający" in page
    client.set_cookie('lang', 'en')
    assert "Company administrator" in text(client.get('/account/profile'))
