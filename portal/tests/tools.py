# This file is part of the B2B wholesale suite.
"""Helpers of the portal tests"""
import html
import re

# stock put in the warehouse for the availability tests: code -> quantity
STOCK = {'HD-00040': 500, 'HD-00041': 3}
DEMO_LOGIN = 'kupiec@demo.example'
DEMO_PASSWORD = 'demo1234'
# another account of the demo buyer's company
COLLEAGUE = 'zakupy@firma1.example'


def run(app, func, *args, commit=True):
    """Run func(*args) in a transaction of root with the portal's context
    (company…) and commit it"""
    from trytond.transaction import Transaction
    context = dict(app.config['PORTAL_TRYTON_CONTEXT'])
    with Transaction().start(app.config['TRYTON_DATABASE'], 0,
            context=context) as transaction:
        result = func(*args)
        if commit:
            transaction.commit()
        return result


def put_stock():
    "Count the STOCK quantities into the warehouse's storage"
    from trytond.pool import Pool
    pool = Pool()
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    Product = pool.get('product.product')
    warehouse, = Location.search([('type', '=', 'warehouse')])
    products = Product.search([('code', 'in', list(STOCK))])
    inventory, = Inventory.create([{
                'location': warehouse.storage_location.id,
                'lines': [('create', [{
                                'product': p.id,
                                'quantity': STOCK[p.code],
                                } for p in products])],
                }])
    Inventory.confirm([inventory])


def csrf_token(client, path='/login'):
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]


def login(client, email, password):
    return client.post('/login', data={
            'email': email, 'password': password,
            'csrf_token': csrf_token(client)})


def text(response):
    "Return the visible text of an HTML response, spaces collapsed"
    body = re.sub(r'<(script|style)[^>]*>.*?</\1>', ' ', response.text,
        flags=re.S)
    body = re.sub(r'<[^>]+>', ' ', body)
    return re.sub(r'\s+', ' ', html.unescape(body)).strip()


def api_key(name):
    "Create an API key of the ERP for the first company; return the key"
    from trytond.pool import Pool
    pool = Pool()
    ApiKey = pool.get('b2b.api.key')
    Company = pool.get('company.company')
    company, = Company.search([], limit=1)
    return ApiKey.b2b_create_key(name, company)[1]


def company_bank_account():
    """Give the demo company its current account at ING (as the demo with
    bank statements does) unless it has one; return its IBAN"""
    from b2b_suite.demo.statement import demo_company_iban
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Account = pool.get('bank.account')
    Company = pool.get('company.company')
    company = Company(Transaction().context['company'])
    account = company.b2b_bank_account()
    if not account:
        account = Account(owners=[company.party], currency=company.currency,
            numbers=[{'type': 'iban', 'number': demo_company_iban()}])
        account.save()
    return account.iban
