# This file is part of the B2B wholesale suite.
"""Price a catalog page of 48 products for one customer company.

Ours: one call of the batched pricing service (price list, tiers, packages,
group discount, net and gross).
Baseline, measured in the same run: Tryton's standard per-product sale
price computation for the same products, as a sale line does it: the
product's sale price with the price list in the context, then its taxes.
Each measured run is a new transaction, so neither side keeps a record
cache from the run before."""
import statistics
import time

PAGE = 48


def _catalog_page(pool, page=3):
    "Return a company with a price list and a catalog page of products"
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    party, = Party.search([
            ('b2b_customer', '=', True),
            ('b2b_status', '=', 'active'),
            ('b2b_customer_group.price_list', '!=', None),
            ], order=[('id', 'DESC')], limit=1)
    products = Product.search([
            ('salable', '=', True),
            ], order=[('code', 'ASC')], offset=page * PAGE, limit=PAGE)
    assert len(products) == PAGE, "not enough products"
    return party.id, [p.id for p in products]


def ours(pool, party_id, product_ids):
    Pricing = pool.get('b2b.pricing')
    Party = pool.get('party.party')
    prices = Pricing.compute(Party(party_id), [(p, 1) for p in product_ids])
    return [(p.unit_price, p.unit_price_gross) for p in prices]


def baseline(pool, party_id, product_ids):
    from trytond.transaction import Transaction
    Product = pool.get('product.product')
    Party = pool.get('party.party')
    Tax = pool.get('account.tax')
    Date = pool.get('ir.date')
    party = Party(party_id)
    price_list = party.b2b_customer_group.price_list
    today = Date.today()
    result = []
    for product_id in product_ids:
        product = Product(product_id)
        taxes = product.customer_taxes_used
        with Transaction().set_context(
                customer=party.id, price_list=price_list.id,
                uom=product.sale_uom.id, taxes=[t.id for t in taxes]):
            unit_price = Product.get_sale_price([product], 1)[product.id]
        gross = unit_price + sum(
            t['amount'] for t in Tax.compute(taxes, unit_price, 1, today))
        result.append((unit_price, gross))
    return result


def measure(database, iterations=30, warmup=3):
    """Return (ours_ms, baseline_ms, check) medians over iterations,
    alternating the two so that machine noise hits both alike"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(database).init()
    with Transaction().start(database, 0, readonly=True):
        pool = Pool()
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        context = User.get_preferences(context_only=True) | {
            'company': admin.company.id}
        party_id, product_ids = _catalog_page(pool)
    times = {'ours': [], 'baseline': []}
    functions = {'ours': ours, 'baseline': baseline}
    results = {}
    for i in range(warmup + iterations):
        for name in ['ours', 'baseline'] if i % 2 else ['baseline', 'ours']:
            with Transaction().start(
                    database, admin.id, readonly=True, context=context):
                pool = Pool()
                start = time.perf_counter()
                results[name] = functions[name](pool, party_id, product_ids)
                elapsed = (time.perf_counter() - start) * 1000
            if i >= warmup:
                times[name].append(elapsed)
    # the baseline knows only the price list: where no tier, package or
    # group discount applies both must agree
    same = sum(a[0] == b[0] for a, b in zip(
            results['ours'], results['baseline']))
    check = (f"{same} of {len(product_ids)} net prices equal the baseline's "
        "(which lacks tiers, packages and the group discount)")
    return (statistics.median(times['ours']),
        statistics.median(times['baseline']), check)
