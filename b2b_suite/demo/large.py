# This file is part of the B2B wholesale suite.
"""The large demo set for the benchmarks, on top of the small one: 100 000
products, 50 customer groups with their price lists and 5 000 companies.
It is committed in batches of 1000 and an interrupted load resumes where
it stopped. Its products are inserted with SQL (bulk.py), as the rows
that the ORM would create; its groups and companies go through the ORM"""
import random
import time
from decimal import Decimal

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

from .bulk import bulk_insert
from .content import (
    ACCOUNT_CATEGORIES,
    CATALOGUE,
    CITIES,
    DEMO_PASSWORD,
    LARGE_COMPANIES,
    LARGE_EMAIL,
    LARGE_GROUP_CODE,
    LARGE_PRICE_LISTS,
    LARGE_PRODUCT_CODE,
    LARGE_PRODUCTS,
    LARGE_SUBCATEGORIES,
    SEED,
)
from .generate import (
    large_company_name,
    large_nip,
    large_product,
    postal_code,
    street,
    tax_identifier,
)
from .tools import (
    demo_company_id,
    find_box,
    get_country,
    get_lang,
    hash_password,
    message,
    orm_batch,
    progress_bar,
    run,
)

# records committed at once
BATCH = 1000
# the large set's sales reps (b2b_salesrep): rep-l01 … rep-l20, each the
# account manager of as many of its companies (the rep benchmark)
LARGE_REPS = 20
LARGE_REP_LOGIN = 'rep-l%02d'


def load_large(database, extras, progress):
    "Load the large data set on top of the small one, resuming if stopped"
    start = time.monotonic()
    context = {'company': run(database, extras, demo_company_id)}
    message(f"Loading the large demo data into {database}…", progress)
    setup = run(database, extras, _large_setup, context=context)

    done = run(database, extras, _count_large_products, context=context)
    with progress_bar("Products", LARGE_PRODUCTS, 'product',
            progress, initial=done) as bar:
        for first in range(done, LARGE_PRODUCTS, BATCH):
            last = min(first + BATCH, LARGE_PRODUCTS)
            run(database, extras, _insert_large_products, setup, first,
                last, context=context)
            bar.update(last - first)

    run(database, extras, _create_large_groups, setup, context=context)

    done = run(database, extras, _count_large_companies, context=context)
    with progress_bar("Customer companies", LARGE_COMPANIES,
            'company', progress, initial=done) as bar:
        for first in range(done, LARGE_COMPANIES, BATCH):
            last = min(first + BATCH, LARGE_COMPANIES)
            run(database, extras, _create_large_companies, first, last,
                context=context)
            bar.update(last - first)
    run(database, extras, _create_large_reps, context=context)
    if backend.name == 'postgresql':
        # fresh statistics for the query planner of the benchmarks
        run(database, extras, _analyze)
    message("Large demo data loaded in %.1f s." % (
            time.monotonic() - start), progress)


def _create_large_reps():
    """Create the large set's reps (once) and make them the account managers
    of the large companies that have none, in turn; nothing without
    b2b_salesrep"""
    from .small import _create_sales_rep
    pool = Pool()
    try:
        pool.get('b2b.salesrep.cover')
    except KeyError:
        return
    User = pool.get('res.user')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    company = Company(Transaction().context['company'])
    rng = random.Random(SEED + 3_000_000)
    employees = []
    for number in range(1, LARGE_REPS + 1):
        login = LARGE_REP_LOGIN % number
        users = User.search([('login', '=', login)])
        employees.append(users[0].employee if users
            else _create_sales_rep(rng, company, login, 100 + number))
    parties = Party.search([
            ('b2b_customer_group', 'in', [g.id for g in _large_groups()]),
            ('b2b_account_manager', '=', None),
            ], order=[('id', 'ASC')])
    table = Party.__table__()
    cursor = Transaction().connection.cursor()
    for index, employee in enumerate(employees):
        ids = [p.id for p in parties[index::LARGE_REPS]]
        if ids:
            cursor.execute(*table.update([table.b2b_account_manager],
                    [employee.id], where=table.id.in_(ids)))


def ensure_large_reps(database):
    """Create the large set's reps on a database loaded before b2b_salesrep
    was activated (the benchmarks' kept database)"""
    extras = {}
    context = {'company': run(database, extras, demo_company_id)}
    run(database, extras, _create_large_reps, context=context)


def _analyze():
    Transaction().connection.cursor().execute('ANALYZE')


def _large_setup():
    """Create the subcategories of the large products and return the ids
    that the large set uses"""
    pool = Pool()
    Category = pool.get('product.category')
    Uom = pool.get('product.uom')
    ModelData = pool.get('ir.model.data')

    subcategories = {}
    for name, *_ in CATALOGUE:
        # by its Polish name (the small set names it in both languages)
        with Transaction().set_context(language='pl'):
            parent, = Category.search([
                    ('name', '=', name),
                    ('parent', '=', None),
                    ('accounting', '=', False),
                    ], limit=1)
        names = [f"{name} — grupa {letter}" for letter in LARGE_SUBCATEGORIES]
        existing = {c.name: c.id for c in Category.search([
                    ('parent', '=', parent.id),
                    ('name', 'in', names),
                    ])}
        missing = [n for n in names if n not in existing]
        if missing:
            existing.update((c.name, c.id) for c in Category.create([
                        {'name': n, 'parent': parent.id} for n in missing]))
        subcategories[name] = {
            'parent': parent.id,
            'children': [existing[n] for n in names],
            }
    account_categories = {}
    for key, name in ACCOUNT_CATEGORIES.items():
        category, = Category.search([
                ('name', '=', name),
                ('accounting', '=', True),
                ], limit=1)
        account_categories[key] = category.id
    unit_category = Uom(ModelData.get_id('product', 'uom_unit')).category
    box = find_box(unit_category)
    return {
        'categories': subcategories,
        'account_categories': account_categories,
        'units': {
            'unit': ModelData.get_id('product', 'uom_unit'),
            'kg': ModelData.get_id('product', 'uom_kilogram'),
            'l': ModelData.get_id('product', 'uom_liter'),
            'box': box.id,
            },
        }


def _count_large_products():
    "Return how many large products exist (they are created in order)"
    pool = Pool()
    Template = pool.get('product.template')
    templates = Template.search([
            ('code', 'like', LARGE_PRODUCT_CODE.split('%')[0] + '%'),
            ], order=[('code', 'DESC')], limit=1)
    if not templates:
        return 0
    return int(templates[0].code.split('-')[1])


def _insert_large_products(setup, first, last):
    """Insert the large products first to last with SQL, as the ORM would
    create them: templates, variants, list and cost prices per company,
    cost price methods and categories"""
    pool = Pool()
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    ListPrice = pool.get('product.list_price')
    CostPrice = pool.get('product.cost_price')
    CostPriceMethod = pool.get('product.cost_price_method')
    TemplateCategory = pool.get('product.template-product.category')

    company = Transaction().context['company']
    products = []
    for index in range(first, last):
        product = large_product(index)
        category = setup['categories'][product['category']]
        products.append({
                **product,
                'unit': setup['units'][product['unit']],
                'category': category['children'][product['subcategory']],
                'account_category': setup['account_categories'][
                    product['tax']],
                })
    by_code = {p['code']: p for p in products}
    templates = bulk_insert(Template, [{
                'name': p['name'],
                'code': p['code'],
                'type': 'goods',
                'default_uom': p['unit'],
                'salable': True,
                'sale_uom': p['unit'],
                'account_category': p['account_category'],
                **p['rules'],
                } for p in products], returning=['code'])
    for template_id, code in templates:
        by_code[code]['template'] = template_id
    variants = bulk_insert(Product, [{
                'template': p['template'],
                'code': p['code'],
                } for p in products], returning=['template'])
    by_template = {p['template']: p for p in products}
    for product_id, template_id in variants:
        by_template[template_id]['product'] = product_id
    bulk_insert(ListPrice, [{
                'company': company,
                'template': p['template'],
                'list_price': p['list_price'],
                } for p in products])
    bulk_insert(CostPrice, [{
                'company': company,
                'product': p['product'],
                'cost_price': p['cost_price'],
                } for p in products])
    method = Template.default_cost_price_method(company=company)
    bulk_insert(CostPriceMethod, [{
                'company': company,
                'template': p['template'],
                'cost_price_method': method,
                } for p in products])
    bulk_insert(TemplateCategory, [{
                'template': p['template'],
                'category': p['category'],
                } for p in products])


def _create_large_groups(setup):
    """Create the customer groups G01… with their price lists: category
    lines, quantity breaks, product lines and a default line"""
    pool = Pool()
    Group = pool.get('b2b.customer.group')
    PriceList = pool.get('product.price_list')
    PaymentMethod = pool.get('b2b.payment.method')
    Carrier = pool.get('carrier')
    Product = pool.get('product.product')

    company = Transaction().context['company']
    codes = [LARGE_GROUP_CODE % (n + 1) for n in range(LARGE_PRICE_LISTS)]
    existing = {g.code for g in Group.search([('code', 'in', codes)])}
    methods = PaymentMethod.search([])
    carriers = Carrier.search([])
    categories = list(setup['categories'].values())
    product_codes = {}
    for number, code in enumerate(codes, 1):
        rng = random.Random(SEED + 1_000_000 + number)
        product_codes[code] = [
            LARGE_PRODUCT_CODE % rng.randint(1, LARGE_PRODUCTS)
            for _ in range(4)]
    products = {p.code: p.id for p in Product.search([
                ('code', 'in', sum(product_codes.values(), [])),
                ])}
    for number, code in enumerate(codes, 1):
        if code in existing:
            continue
        rng = random.Random(SEED + 1_000_000 + number)
        lines = []
        for product_code in product_codes[code]:
            lines.append({
                    'product': products[product_code],
                    'formula': "unit_price * Decimal('0.75')",
                    })
        for category in rng.sample(categories, 6):
            if rng.random() < 0.5:
                category_id = rng.choice(category['children'])
            else:
                category_id = category['parent']
            rate = rng.randrange(70, 95)
            lines.append({
                    'category': category_id,
                    'quantity': rng.choice([10, 24, 50, 100]),
                    'formula': f"unit_price * Decimal('0.{rate - 5}')",
                    })
            lines.append({
                    'category': category_id,
                    'formula': f"unit_price * Decimal('0.{rate}')",
                    })
        rate = rng.randrange(85, 99)
        lines.append({
                'quantity': 100,
                'formula': f"unit_price * Decimal('0.{rate - 4}')",
                })
        lines.append({
                'formula': f"unit_price * Decimal('0.{rate}')",
                })
        for sequence, line in enumerate(lines, 1):
            line['sequence'] = 10 * sequence
        price_list, = PriceList.create([{
                    'name': f"Cennik grupy {code}",
                    'company': company,
                    'price': 'list_price',
                    'lines': [('create', lines)],
                    }])
        Group.create([{
                    'name': f"Grupa cenowa {number:02d}",
                    'code': code,
                    'company': company,
                    'price_list': price_list.id,
                    'discount': Decimal(rng.randrange(0, 8)),
                    'payment_methods': [('add', [
                                m.id for m in rng.sample(methods,
                                    rng.randint(2, len(methods)))])],
                    'carriers': [('add', [
                                c.id for c in rng.sample(carriers,
                                    rng.randint(1, len(carriers)))])],
                    }])


def _large_groups():
    pool = Pool()
    Group = pool.get('b2b.customer.group')
    return Group.search([
            ('code', 'in', [LARGE_GROUP_CODE % (n + 1)
                    for n in range(LARGE_PRICE_LISTS)]),
            ], order=[('code', 'ASC')])


def _count_large_companies():
    "Return how many large companies exist (they are created in order)"
    pool = Pool()
    Party = pool.get('party.party')
    return Party.search_count([
            ('b2b_customer_group', 'in', [g.id for g in _large_groups()]),
            ])


def _create_large_companies(first, last):
    pool = Pool()
    Party = pool.get('party.party')

    groups = _large_groups()
    country = get_country()
    lang = get_lang()
    password_hash = hash_password(DEMO_PASSWORD)
    values = []
    for index in range(first, last):
        rng = random.Random(SEED + 2_000_000 + index)
        number = index + 1
        city, prefix = rng.choice(CITIES)
        name = large_company_name(rng, number)
        values.append({
                'name': name,
                'lang': lang,
                'b2b_customer': True,
                'b2b_status': 'active',
                'b2b_customer_group': groups[index % len(groups)].id,
                'identifiers': [('create', [
                                tax_identifier(large_nip(number))])],
                'addresses': [('create', [{
                                'street': street(rng),
                                'postal_code': postal_code(rng, prefix),
                                'city': city,
                                'country': country.id,
                                'invoice': True,
                                'delivery': True,
                                }])],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'biuro@firma-l{number:05d}.example',
                                }])],
                'b2b_accounts': [('create', [{
                                'email': LARGE_EMAIL % number,
                                'password_hash': password_hash,
                                'email_valid': True,
                                'b2b_role': 'admin',
                                }])],
                })
    size = orm_batch(len(values))
    for start in range(0, len(values), size):
        Party.create(values[start:start + size])
