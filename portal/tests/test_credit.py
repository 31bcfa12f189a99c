# This file is part of the B2B wholesale suite.
"""Trade credit in the portal: deferred payment at checkout, the credit
and payments page"""
import datetime
import re
from decimal import Decimal

from .tools import DEMO_LOGIN, DEMO_PASSWORD, csrf_token, login, run, text


def _company(email):
    "Return the id and NIP of the account's company"
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    account, = WebUser.search([('email', '=', email)])
    return account.party.id, account.party.b2b_tax_number


def _other_account():
    "An account of a company other than the demo login's"
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    demo, = WebUser.search([('email', '=', DEMO_LOGIN)])
    return WebUser.search([
            ('party', '!=', demo.party.id),
            ('party.b2b_status', '=', 'active'),
            ('b2b_role', '=', 'admin'),
            ('active', '=', True),
            ], limit=1)[0].email


def _run_again(app, func):
    """Run func like run() does, starting again on a TransactionError (the
    first move of a journal in a period locks a table)"""
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(app.config['TRYTON_DATABASE'], 0,
                context=dict(app.config['PORTAL_TRYTON_CONTEXT']),
                **extras) as transaction:
            try:
                func()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return


def _set_limit(party_id, amount):
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    Party.write([Party(party_id)], {'credit_limit_amount': amount})


def test_checkout_offers_deferred_payment_within_credit(app, client):
    "Deferred payment is unavailable, with the missing amount, over credit"
    from trytond.pool import Pool
    party_id, _ = run(app, _company, DEMO_LOGIN, commit=False)

    def drink():
        Product = Pool().get('product.product')
        return Product.search([('code', '=', 'HD-00040')])[0].id
    login(client, DEMO_LOGIN, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    client.post('/cart/add', data={'product': run(app, drink, commit=False),
            'quantity': '24', 'csrf_token': csrf_token(client, '/cart')})
    try:
        run(app, _set_limit, party_id, Decimal('10'))
        page = client.get('/checkout')
        assert page.status_code == 200
        assert re.search(r'name="payment_method" value="\d+" disabled',
            page.text)
        body = text(page)
        assert "unavailable" in body
        assert "Deferred payment is not available" in body
        assert "Missing:" in body
        assert "Trade credit available" in body
    finally:
        run(app, _set_limit, party_id, Decimal('100000'))
    page = client.get('/checkout')
    assert not re.search(r'value="\d+" disabled', page.text)


def test_credit_page_invoices_and_payments(app, client):
    "The company sees its credit, invoices paid in part and payments"
    from trytond.pool import Pool
    email = run(app, _other_account, commit=False)
    party_id, nip = run(app, _company, email, commit=False)
    today = datetime.date.today().isoformat()
    due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()

    def book():
        pool = Pool()
        Erp = pool.get('b2b.erp')
        Payment = pool.get('b2b.payment')
        Party = pool.get('party.party')
        Erp.import_invoices([('item 1', {'number': 'ERP/1', 'nip': nip,
                        'date': today, 'due_date': due,
                        'total': '500.00'})])
        Payment.record(Party(party_id), Decimal('200.00'),
            datetime.date.today(), reference="PRZELEW ERP/1")
    _run_again(app, book)
    login(client, email, DEMO_PASSWORD)
    client.set_cookie('lang', 'en')
    page = client.get('/account/credit')
    assert page.status_code == 200
    body = text(page)
    assert "Available credit" in body
    assert "PRZELEW ERP/1" in body
    assert "ERP/1:" in body
    invoices = text(client.get('/account/invoices'))
    assert "ERP/1" in invoices
    assert "Partially paid" in invoices
