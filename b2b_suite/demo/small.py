# This file is part of the B2B wholesale suite.
"""The small demo set, created with the ORM in one transaction: the
wholesaler with its accounting, catalogue, stock, carriers, payment
methods, customer groups and companies with their accounts, trade credit,
sales reps, a pending registration, (with b2b_bank_import) the bank
reconciliation demo: the company's accounts, statement journal and rules
and the posted invoices that the demo statement pays, and (with
b2b_credit) the demo buyer's history of orders, invoices and payments"""
import datetime as dt
import random
import re
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .content import (
    ACCOUNT_CATEGORIES,
    ACCOUNTING,
    BANK,
    BANK_BIC,
    BANK_NAME,
    CARRIERS,
    CATALOGUE,
    CATEGORY_ENGLISH,
    CATEGORY_TIERS,
    CITIES,
    COMPANY,
    COMPANY_ACCOUNT,
    COMPANY_NAME,
    COMPANY_SAVINGS,
    CUSTOMER_ACCOUNTS,
    CUSTOMER_GROUPS,
    CUSTOMERS,
    DEFAULT_GROUP,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    ENGLISH_NAMES,
    GROUPS,
    OWN_PRICE_LISTS,
    PAYMENT_METHODS,
    REGISTRATION,
    REP_LOGINS,
    REP_PASSWORD,
    SEED,
    SMALL_CUSTOMERS,
    STATEMENT_JOURNAL,
    STATEMENT_RULES,
    TAXES,
    TEAM_LEADER_LOGIN,
)
from .generate import (
    demo_company_nip,
    email_local,
    person,
    postal_code,
    random_nip,
    small_products,
    stock_quantity,
    street,
    tax_identifier,
)
from .history import create_history, history_years
from .images import product_picture
from .statement import demo_invoices, pl_iban
from .tools import (
    BOX,
    find_box,
    get_country,
    get_currency,
    get_lang,
    hash_password,
    message,
    orm_batch,
    progress_bar,
)


def load_small(progress):
    """Load the small set; return the date of the demo statement's month
    (None without b2b_bank_import)"""
    Date = Pool().get('ir.date')
    rng = random.Random(SEED)
    used_nips = set()
    company = _create_company(rng, used_nips)
    with Transaction().set_context(company=company.id):
        accounts, taxes = _create_accounting(company)
        terms = _create_payment_terms()
        categories, account_categories, units = _create_product_setup(
            accounts, taxes)
        products = _create_products(
            rng, categories, account_categories, units, progress)
        carriers = _create_carriers(account_categories, units)
        methods = _create_payment_methods(company, terms)
        groups = _create_groups(company, categories, methods, carriers)
        _create_configuration(groups)
        _create_customers(
            rng, used_nips, company, groups, categories, progress)
        _create_credit(rng, company, accounts, groups)
        _create_sales_reps(rng, company)
        _create_registration(rng, used_nips)
        bank_date = _create_bank_demo(
            company, accounts, terms, Date.today())
        for year in history_years(Date.today()) - {Date.today().year}:
            create_fiscal_year(company, year)
        create_history(company, terms, Date.today())
        # after the history's shipments: the stock the demo promises
        _create_stock(products)
        _create_carts(rng)
    message(f"{len(products)} products, {SMALL_CUSTOMERS} customer "
        f"companies, demo login {DEMO_LOGIN} / {DEMO_PASSWORD}", progress)
    return bank_date


def _create_company(rng, used_nips):
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')

    currency = get_currency()
    country = get_country()
    party, = Party.create([{
                'name': COMPANY_NAME,
                'lang': get_lang(),
                'identifiers': [('create', [
                                tax_identifier(random_nip(rng, used_nips))])],
                'addresses': [('create', [{
                                **COMPANY['address'],
                                'country': country.id,
                                'invoice': True,
                                'delivery': True,
                                }])],
                'contact_mechanisms': [('create', [
                                dict(m)
                                for m in COMPANY['contact_mechanisms']])],
                }])
    company, = Company.create([{
                'party': party.id,
                'currency': currency.id,
                'timezone': 'Europe/Warsaw',
                }])
    admins = User.search([('login', '=', 'admin')], limit=1) or [User(1)]
    User.write(admins, {
            'companies': [('add', [company.id])],
            'company': company.id,
            })
    return company


def _create_accounting(company):
    """Create a minimal Polish chart of accounts, the VAT taxes, the
    fiscal year of today with its periods and sequences"""
    pool = Pool()
    Type = pool.get('account.account.type')
    Account = pool.get('account.account')
    Tax = pool.get('account.tax')
    Configuration = pool.get('account.configuration')
    Date = pool.get('ir.date')

    types = {}

    def create_types(values, parent=None):
        "Create the type of values and its children, depth first"
        values = dict(values)
        key = values.pop('key', None)
        children = values.pop('children', [])
        type_, = Type.create([{
                    **values,
                    'company': company.id,
                    'parent': parent.id if parent else None,
                    }])
        if key:
            types[key] = type_
        for child in children:
            create_types(child, type_)
    create_types(ACCOUNTING['account_types'])

    chart, = Account.create([{
                'name': "Plan kont — " + COMPANY_NAME,
                'company': company.id,
                }])
    accounts = {}
    for values in ACCOUNTING['accounts']:
        values = dict(values)
        key = values.pop('key')
        accounts[key], = Account.create([{
                    **values,
                    'company': company.id,
                    'parent': chart.id,
                    'type': types[values['type']].id,
                    }])

    taxes = {}
    for key, name, rate in TAXES:
        taxes[key], = Tax.create([{
                    'name': name,
                    'description': name,
                    'company': company.id,
                    'type': 'percentage',
                    'rate': rate,
                    'invoice_account': accounts['tax'].id,
                    'credit_note_account': accounts['tax'].id,
                    }])

    configuration = Configuration(1)
    configuration.default_account_receivable = accounts['receivable']
    configuration.default_account_payable = accounts['payable']
    configuration.save()

    create_fiscal_year(company, Date.today().year)
    return accounts, taxes


def create_fiscal_year(company, year):
    """Create the fiscal year of year with its monthly periods, its moves'
    sequence and an invoice sequence per month: FV/2026/12/0001 is the
    first invoice of December (Polish invoices are commonly numbered per
    month, and the history of past months leaves the numbers of the
    demo's month to the invoices that its bank statement pays)"""
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    InvoiceSequence = pool.get('account.fiscalyear.invoice_sequence')
    SequenceStrict = pool.get('ir.sequence.strict')
    ModelData = pool.get('ir.model.data')
    move_sequence, = SequenceStrict.create([{
                'name': f"Dzienniki {year}",
                'sequence_type': ModelData.get_id(
                    'account', 'sequence_type_account_move'),
                'company': company.id,
                }])
    fiscalyear, = FiscalYear.create([{
                'name': str(year),
                'company': company.id,
                'start_date': dt.date(year, 1, 1),
                'end_date': dt.date(year, 12, 31),
                'move_sequence': move_sequence.id,
                }])
    FiscalYear.create_period([fiscalyear])
    periods = [p for p in FiscalYear(fiscalyear.id).periods
        if p.type == 'standard']
    sequences = SequenceStrict.create([{
                'name': f"Faktury {period.start_date:%m/%Y}",
                'prefix': f'FV/{year}/{period.start_date:%m}/',
                'padding': 4,
                'sequence_type': ModelData.get_id(
                    'account_invoice', 'sequence_type_account_invoice'),
                'company': company.id,
                } for period in periods])
    InvoiceSequence.create([{
                'company': company.id,
                'fiscalyear': fiscalyear.id,
                'period': period.id,
                'out_invoice_sequence': sequence.id,
                'out_credit_note_sequence': sequence.id,
                'in_invoice_sequence': sequence.id,
                'in_credit_note_sequence': sequence.id,
                } for period, sequence in zip(periods, sequences)])
    return fiscalyear


def _create_payment_terms():
    pool = Pool()
    PaymentTerm = pool.get('account.invoice.payment_term')
    terms = {}
    for values in ACCOUNTING['payment_terms']:
        values = dict(values)
        key = values.pop('key')
        # the whole amount, due after the days (none: at once)
        line = {'type': 'remainder'}
        if 'days' in values:
            line['relativedeltas'] = [('create', [{
                            'days': values.pop('days'),
                            }])]
        terms[key], = PaymentTerm.create([{
                    **values,
                    'lines': [('create', [line])],
                    }])
    return terms


def _create_product_setup(accounts, taxes):
    "Return the product categories, the account categories and the units"
    pool = Pool()
    Category = pool.get('product.category')
    Uom = pool.get('product.uom')
    ModelData = pool.get('ir.model.data')

    account_categories = {}
    for key, name in ACCOUNT_CATEGORIES.items():
        account_categories[key], = Category.create([{
                    'name': name,
                    'accounting': True,
                    'account_revenue': accounts['revenue'].id,
                    'account_expense': accounts['expense'].id,
                    'customer_taxes': [('add', [taxes[key].id])],
                    }])
    categories = Category.create([{
                'name': name,
                'b2b_quantity_discounts': [('create', [{
                                'quantity': float(quantity),
                                'discount': Decimal(discount),
                                } for quantity, discount in CATEGORY_TIERS.get(
                                name, [])])],
                } for name, *_ in CATALOGUE])
    categories = {c.name: c for c in categories}
    for name, category in categories.items():
        _name_in_english(category, name, CATEGORY_ENGLISH[name])

    unit = Uom(ModelData.get_id('product', 'uom_unit'))
    box = find_box(unit.category)
    if not box:
        box, = Uom.create([{
                    'name': BOX['pl'][0],
                    'symbol': BOX['pl'][1],
                    'category': unit.category.id,
                    'factor': 12.,
                    'rate': round(1 / 12., 12),
                    'rounding': 1.,
                    'digits': 0,
                    }])
        # buyers read the unit in their language: 12 krt, 12 box
        for code in ['en', 'pl']:
            name, symbol = BOX[code]
            with Transaction().set_context(language=code):
                Uom.write([Uom(box.id)], {'name': name, 'symbol': symbol})
    units = {
        'unit': unit,
        'kg': Uom(ModelData.get_id('product', 'uom_kilogram')),
        'l': Uom(ModelData.get_id('product', 'uom_liter')),
        'box': box,
        }
    return categories, account_categories, units


def _create_products(rng, categories, account_categories, units,
        progress):
    pool = Pool()
    Template = pool.get('product.template')
    category_indexes = {name: i for i, (name, *_) in enumerate(CATALOGUE)}
    values = []
    for product in small_products(rng):
        unit = units[product['unit']]
        item = product['name'].split(' — ')[0]
        values.append({
                'name': product['name'],
                'code': product['code'],
                'type': 'goods',
                'default_uom': unit.id,
                'salable': True,
                'sale_uom': unit.id,
                'list_price': product['list_price'],
                'account_category': account_categories[product['tax']].id,
                'categories': [('add', [categories[product['category']].id])],
                'products': [('create', [{
                                'cost_price': product['cost_price'],
                                }])],
                'images': [('create', [{
                                'image': product_picture(
                                    category_indexes[product['category']],
                                    item, product['code']),
                                }])],
                **product['rules'],
                })
        if product['quantity_discounts']:
            values[-1]['b2b_quantity_discounts'] = [('create', [{
                            'quantity': float(quantity),
                            'discount': Decimal(discount),
                            } for quantity, discount
                        in product['quantity_discounts']])]
    templates = []
    size = orm_batch(100)
    with progress_bar(
            "Products", len(values), 'product', progress) as bar:
        for start in range(0, len(values), size):
            created = Template.create(values[start:start + size])
            templates += created
            bar.update(len(created))
    return templates


def _create_stock(templates):
    """Count the demo stock into the warehouse's storage with one
    confirmed inventory, so that the catalog shows products in stock, low
    and out of stock"""
    pool = Pool()
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    warehouse = Location.search([('type', '=', 'warehouse')], limit=1)
    if not warehouse:
        return
    warehouse, = warehouse
    lines = []
    for template in templates:
        product, = template.products
        number = int(product.code.rsplit('-', 1)[1])
        # also the products out of stock: the history may have shipped one
        lines.append({
                'product': product.id,
                'quantity': stock_quantity(number),
                })
    inventory, = Inventory.create([{
                'location': warehouse.storage_location.id,
                'lines': [('create', lines)],
                }])
    Inventory.confirm([inventory])


def _create_carriers(account_categories, units):
    pool = Pool()
    Party = pool.get('party.party')
    Template = pool.get('product.template')
    Carrier = pool.get('carrier')

    carriers = {}
    for key, name, carrier_company, price in CARRIERS:
        parties = Party.search([('name', '=', carrier_company)], limit=1)
        if parties:
            party, = parties
        else:
            party, = Party.create([{'name': carrier_company}])
        # the service's name is the delivery method's name buyers read
        template, = Template.create([{
                    'name': name,
                    'type': 'service',
                    'default_uom': units['unit'].id,
                    'salable': True,
                    'sale_uom': units['unit'].id,
                    'list_price': price,
                    'account_category': account_categories['vat23'].id,
                    'products': [('create', [{
                                    'cost_price': Decimal(0),
                                    }])],
                    }])
        _name_in_english(template, name)
        carriers[key], = Carrier.create([{
                    'party': party.id,
                    'carrier_product': template.products[0].id,
                    }])
    return carriers


def _name_in_english(record, name, english=None):
    """Give the record's name in English (english, by default the one of
    ENGLISH_NAMES) and in Polish (name), whichever of them is the
    database's default language"""
    english = english or ENGLISH_NAMES[name]
    for code, text in [('en', english), ('pl', name)]:
        with Transaction().set_context(language=code):
            type(record).write([type(record)(record.id)], {'name': text})


def _create_payment_methods(company, terms):
    pool = Pool()
    PaymentMethod = pool.get('b2b.payment.method')
    methods = PaymentMethod.create([{
                'name': name,
                'kind': kind,
                'company': company.id,
                'payment_term': terms[term].id if term else None,
                } for kind, name, term in PAYMENT_METHODS])
    for method in methods:
        _name_in_english(method, method.name)
    return {m.kind: m for m in methods}


def _create_price_list(company, name, lines, categories):
    "A price list on the list price with lines (category, quantity, formula)"
    PriceList = Pool().get('product.price_list')
    price_list, = PriceList.create([{
                'name': name,
                'company': company.id,
                'price': 'list_price',
                'lines': [('create', [{
                                'sequence': 10 * (index + 1),
                                'category': (categories[category].id
                                    if category else None),
                                'quantity': quantity,
                                'formula': formula,
                                } for index, (category, quantity, formula)
                            in enumerate(lines)])],
                }])
    return price_list


def _create_groups(company, categories, methods, carriers):
    Group = Pool().get('b2b.customer.group')

    groups = {}
    for (code, name, discount, list_name, lines, group_methods,
            group_carriers) in GROUPS:
        price_list = _create_price_list(
            company, list_name, lines, categories)
        groups[code], = Group.create([{
                    'name': name,
                    'code': code,
                    'company': company.id,
                    'price_list': price_list.id,
                    'discount': discount,
                    'payment_methods': [('add', [
                                    methods[m].id for m in group_methods])],
                    'carriers': [('add', [
                                    carriers[c].id for c in group_carriers])],
                    }])
    return groups


def _create_configuration(groups):
    pool = Pool()
    Configuration = pool.get('b2b.configuration')
    configuration = Configuration(1)
    configuration.default_customer_group = groups[DEFAULT_GROUP]
    configuration.self_registration = True
    configuration.shop_visibility = 'prices_after_login'
    configuration.save()


def _create_customers(rng, used_nips, company, groups, categories,
        progress):
    pool = Pool()
    Party = pool.get('party.party')

    country = get_country()
    lang = get_lang()
    password_hash = hash_password(DEMO_PASSWORD)
    roles = ['buyer', 'buyer', 'viewer']
    values = []
    for number, name in enumerate(CUSTOMERS[:SMALL_CUSTOMERS], 1):
        city, prefix = CITIES[(number - 1) % len(CITIES)]
        domain = f'firma{number}.example'
        accounts = []
        used_emails = set()
        for index in range(1 if number == 1 else rng.randint(1, 4)):
            first, last = person(rng)
            email = f'{email_local(first, last)}@{domain}'
            if email in used_emails:
                email = f'{email_local(first, last)}{index}@{domain}'
            used_emails.add(email)
            accounts.append({
                    'email': email,
                    'password_hash': password_hash,
                    'email_valid': True,
                    'b2b_role': 'admin' if not index else rng.choice(roles),
                    })
        if number == 1:
            # The account to try the portal with
            accounts[0]['email'] = DEMO_LOGIN
            accounts.append({
                    'email': f'zakupy@{domain}',
                    'password_hash': password_hash,
                    'email_valid': True,
                    'b2b_role': 'buyer',
                    })
        address = street(rng)
        code = postal_code(rng, prefix)
        addresses = [{
                'street': address,
                'postal_code': code,
                'city': city,
                'country': country.id,
                'invoice': True,
                'delivery': True,
                }]
        if rng.random() < 0.3:
            # a second delivery place, e.g. a warehouse
            addresses.append({
                    'party_name': name + " — magazyn",
                    'street': street(rng),
                    'postal_code': postal_code(rng, prefix),
                    'city': city,
                    'country': country.id,
                    'delivery': True,
                    })
        values.append({
                'name': name,
                'lang': lang,
                'b2b_customer': True,
                'b2b_status': 'active',
                'b2b_customer_group': groups[
                    CUSTOMER_GROUPS[(number - 1) % len(CUSTOMER_GROUPS)]].id,
                'identifiers': [('create', [
                                tax_identifier(random_nip(rng, used_nips))])],
                'addresses': [('create', addresses)],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'biuro@{domain}',
                                }, {
                                'type': 'phone',
                                'value': '+48 %d %03d %02d %02d' % (
                                    rng.randrange(12, 99),
                                    rng.randrange(1000),
                                    rng.randrange(100),
                                    rng.randrange(100)),
                                }])],
                'b2b_accounts': [('create', accounts)],
                })
        if number in OWN_PRICE_LISTS:
            list_name, lines = OWN_PRICE_LISTS[number]
            price_list = _create_price_list(
                company, list_name, lines, categories)
            values[-1]['sale_price_list'] = price_list.id
    size = orm_batch(len(values))
    with progress_bar("Customer companies", len(values),
            'company', progress) as bar:
        for start in range(0, len(values), size):
            created = Party.create(values[start:start + size])
            bar.update(len(created))


def _create_credit(rng, company, accounts, groups):
    """Trade credit (module b2b_credit): the bank account payments go to,
    a credit limit for every company, overdue invoices older than 30 days
    block deferred payment"""
    pool = Pool()
    try:
        Payment = pool.get('b2b.payment')
    except KeyError:
        return  # b2b_credit is not activated
    del Payment
    Journal = pool.get('account.journal')
    InvoiceMethod = pool.get('account.invoice.payment.method')
    Configuration = pool.get('b2b.configuration')
    Party = pool.get('party.party')
    Group = pool.get('b2b.customer.group')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    method, = InvoiceMethod.create([{
                'name': "Przelew na rachunek bankowy",
                'company': company.id,
                'journal': journal.id,
                'debit_account': accounts['bank'].id,
                'credit_account': accounts['bank'].id,
                }])
    configuration = Configuration(1)
    configuration.payment_method = method
    configuration.erp_invoice_account = accounts['revenue']
    configuration.save()
    Group.write(list(groups.values()), {'overdue_days': 30})
    parties = Party.search([('b2b_customer', '=', True)],
        order=[('id', 'ASC')])
    for party in parties:
        party.credit_limit_amount = Decimal(rng.choice(
                [10000, 20000, 30000, 50000]))
    Party.save(parties)


def _create_sales_reps(rng, company):
    """The team leader and the reps under them; with b2b_salesrep, the
    reps share the customer companies (the demo buyer's goes to the first)
    and the first covers one company of the second this week"""
    pool = Pool()
    Party = pool.get('party.party')
    Date = pool.get('ir.date')

    Employee = pool.get('company.employee')
    reps = [_create_sales_rep(rng, company, login, number)
        for number, login in enumerate(REP_LOGINS, 1)]
    leader = _create_sales_rep(
        rng, company, TEAM_LEADER_LOGIN, len(reps) + 1)
    Employee.write(reps, {'supervisor': leader.id})
    try:
        Cover = pool.get('b2b.salesrep.cover')
    except KeyError:
        return  # b2b_salesrep is not activated
    customers = Party.search([('b2b_customer', '=', True)],
        order=[('id', 'ASC')])
    for index, customer in enumerate(customers):
        customer.b2b_account_manager = reps[index % len(reps)]
    Party.save(customers)
    today = Date.today()
    Cover.create([{
                'party': customers[1].id,
                'employee': reps[0].id,
                'start_date': today - dt.timedelta(days=2),
                'end_date': today + dt.timedelta(days=5),
                'reason': "Urlop opiekuna",
                }])
    _create_leads(reps, customers)


# the reps' leads: (rep, customer index or a prospect's name and contact,
# description, amount, probability, state)
LEADS = [
    (0, 0, "Zatowarowanie na sezon wiosenny", '18000', 0.6, 'opportunity'),
    (0, ("Hurtownia Zieleniak sp. z o.o.", 'zakupy@zieleniak.example'),
        "Nowy sklep w Radomiu: pełny asortyment", '45000', 0.3, 'lead'),
    (1, 1, "Wymiana regałów magazynowych", '7500', 0.5, 'lead'),
    (1, 3, "Kontrakt roczny na artykuły biurowe", '30000', 0.4, 'lost'),
    ]


def _create_leads(reps, customers):
    """The reps' leads and opportunities (sale_opportunity): on customer
    companies and on a prospect, open and lost"""
    pool = Pool()
    Party = pool.get('party.party')
    Opportunity = pool.get('sale.opportunity')
    leads = []
    for rep, party, description, amount, probability, _ in LEADS:
        contact = None
        if isinstance(party, tuple):
            name, email = party
            party, = Party.create([{
                        'name': name,
                        'lang': get_lang(),
                        'contact_mechanisms': [('create', [{
                                        'type': 'email', 'value': email,
                                        }])],
                        }])
            contact = party.contact_mechanisms[0]
        else:
            party = customers[party]
        lead = Opportunity(party=party, employee=reps[rep],
            description=description, contact=contact,
            conversion_probability=probability)
        lead.on_change_party()
        lead.amount = Decimal(amount)
        leads.append(lead)
    Opportunity.save(leads)
    for (*_, state), lead in zip(LEADS, leads):
        if state == 'opportunity':
            Opportunity.opportunity([lead])
        elif state == 'lost':
            lead.lost_reason = "Klient wybrał tańszego dostawcę"
            lead.save()
            Opportunity.lost([lead])


# the products sold by the piece with no other selling rule: any whole
# quantity goes in a cart (the demo's carts, the tests' walks)
PLAIN_PIECES = [
    ('salable', '=', True),
    ('sale_uom.symbol', '=', 'u'),
    ('sale_quantity_rounding', '=', None),
    ('sale_quantity_minimal', '=', None),
    ('template.b2b_package_only', '=', False),
    ('template.categories.accounting', '=', False),
    ('code', '!=', None),
    ]


def _create_carts(rng):
    """Carts that employees of three companies (not the demo buyer's) are
    filling: the reps' list of carts to take over"""
    pool = Pool()
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    products = Product.search(PLAIN_PIECES, order=[('code', 'ASC')])
    customers = Party.search([('b2b_customer', '=', True)],
        order=[('id', 'ASC')])
    for customer in customers[2:5]:
        accounts = [a for a in customer.b2b_accounts
            if a.b2b_role in {'admin', 'buyer'}]
        if accounts and products:
            Sale.b2b_cart_add(accounts[0], [(p, rng.choice([6, 12, 24]))
                    for p in rng.sample(products, min(3, len(products)))])


def _create_sales_rep(rng, company, login, number):
    "Create the employee and the back-office user login; return the employee"
    pool = Pool()
    User = pool.get('res.user')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    ModelData = pool.get('ir.model.data')

    group_id = ModelData.get_id('b2b_base', 'group_b2b_salesrep')
    first, last = person(rng)
    name = f"{first} {last}"
    email = f'{email_local(first, last)}@{COMPANY["email_domain"]}'
    party, = Party.create([{
                'name': name,
                'lang': get_lang(),
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': email,
                                }, {
                                'type': 'mobile',
                                'value': '+48 600 100 %03d' % number,
                                }])],
                }])
    employee, = Employee.create([{
                'party': party.id,
                'company': company.id,
                }])
    User.create([{
                'name': name,
                'login': login,
                'password': REP_PASSWORD,
                'email': email,
                'groups': [('add', [group_id])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                }])
    return employee


def _create_registration(rng, used_nips):
    pool = Pool()
    Registration = pool.get('b2b.registration')
    Registration.register({
            **REGISTRATION,
            'tax_number': random_nip(rng, used_nips),
            'password': DEMO_PASSWORD,
            'accept_terms': True,
            'accept_privacy': True,
            })


def _create_bank_demo(company, accounts, terms, today):
    """The bank reconciliation demo (module b2b_bank_import): the company's
    accounts at ING, the statement journal, the rules and the posted
    invoices that the demo statement pays. Return the demo's date, or None
    when b2b_bank_import is not activated"""
    pool = Pool()
    try:
        Rule = pool.get('account.statement.rule')
        StatementJournal = pool.get('account.statement.journal')
    except KeyError:
        return None
    Party = pool.get('party.party')
    Bank = pool.get('bank')
    BankAccount = pool.get('bank.account')
    Journal = pool.get('account.journal')

    nip = demo_company_nip()
    if re.sub(r'\D', '', company.party.tax_identifier.code) != nip:
        raise ValueError(f"the demo company's NIP is not {nip}: "
            "demo_company_nip() must follow _create_company")
    bank_party, = Party.create([{
                'name': BANK_NAME,
                'lang': get_lang(),
                'addresses': [('create', [{
                                **BANK['bank']['address'],
                                'country': get_country().id,
                                }])],
                }])
    bank, = Bank.create([{'party': bank_party.id, 'bic': BANK_BIC}])
    parties = {p.name: p for p in Party.search([
                ('name', 'in', [CUSTOMERS[n - 1]
                        for n in CUSTOMER_ACCOUNTS]),
                ])}
    current, *_ = BankAccount.create([{
                'bank': bank.id,
                'owners': [('add', [company.party.id])],
                'currency': company.currency.id,
                'numbers': [('create', [{
                                'type': 'iban',
                                'number': pl_iban(*account),
                                }])],
                } for account in [COMPANY_ACCOUNT, COMPANY_SAVINGS]] + [{
                'owners': [('add', [parties[CUSTOMERS[number - 1]].id])],
                'numbers': [('create', [{
                                'type': 'iban',
                                'number': pl_iban(*account),
                                }])],
                } for number, account in CUSTOMER_ACCOUNTS.items()])
    journal, = Journal.create([{
                **BANK['journal'],
                'type': 'statement',
                }])
    StatementJournal.create([{
                'name': STATEMENT_JOURNAL,
                'journal': journal.id,
                'currency': company.currency.id,
                'company': company.id,
                'account': accounts['bank'].id,
                'bank_account': current.id,
                'validation': 'balance',
                }])
    Rule.create([{
                'name': name,
                'sequence': 10 * sequence,
                'company': company.id,
                'description': description,
                'amount_low': low,
                'amount_high': high,
                'lines': [('create', [{
                                'amount': 'pending',
                                'account': accounts[key].id,
                                }])],
                } for sequence, (name, description, low, high, key)
            in enumerate(STATEMENT_RULES, 1)])
    _create_demo_invoices(company, terms, today)
    return today


def _create_demo_invoices(company, terms, today):
    "Post the demo invoices of demo_invoices(today), checking their numbers"
    pool = Pool()
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    Journal = pool.get('account.journal')

    planned = demo_invoices(today)
    parties = {p.name: p for p in Party.search([
                ('name', 'in', list({i['customer'] for i in planned})),
                ])}
    products = {p.code: p for p in Product.search([
                ('code', 'in', list({c for i in planned
                            for c, *_ in i['lines']})),
                ])}
    journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    invoices = []
    for values in planned:
        invoice = Invoice(type='out', company=company,
            party=parties[values['customer']], journal=journal,
            currency=company.currency, invoice_date=values['date'])
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.payment_term = terms['14days']
        lines = []
        for code, quantity, price in values['lines']:
            line = Line(invoice=invoice, type='line', company=company,
                currency=company.currency, product=products[code],
                quantity=quantity)
            line.on_change_product()
            line.unit_price = price
            lines.append(line)
        invoice.lines = lines
        invoices.append(invoice)
    Invoice.save(invoices)
    Invoice.post(invoices)
    for invoice, values in zip(invoices, planned):
        if (invoice.number, invoice.total_amount) != (
                values['number'], values['total']):
            raise ValueError(f"demo invoice {invoice.number} "
                f"{invoice.total_amount} is not {values['number']} "
                f"{values['total']}: the statement would not pay it")
