# This file is part of the B2B wholesale suite.
"""The one pricing service: what a customer company pays.

Every price the platform shows or charges comes from Pricing.compute: sale
lines in the back office, the portal's catalog, cart and checkout, offers.
It prices many lines in one call with a fixed number of queries, whatever
the number of lines.

How a unit price is built (discounts compound, each on the price left by
the step before; see README "Pricing"):
 1. base: the company's own price list, else its group's price list, else
    the product's list price;
 2. quantity tier: the highest tier reached by the line quantity (tiers of
    the product, else of its nearest category);
 3. bulk package: the part of the line that fills whole packages gets the
    package discount (the line price is the weighted average);
 4. the customer group's discount;
 5. a manual price (sales rep, offer) replaces all of the above.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sql import Literal
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Model
from trytond.modules.product import round_price
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.tools.decimal_ import DecimalNull as Null
from trytond.transaction import Transaction

_100 = Decimal(100)


@dataclass
class PriceStep:
    "One step of a price: what it is and how much it changed the unit price"
    kind: str
    label: str
    amount: Decimal
    unit_price: Decimal


@dataclass
class LinePrice:
    "The price of one line for a customer company"
    product: object
    quantity: float
    unit: object
    unit_price: Decimal = None
    unit_price_gross: Decimal = None
    taxes: list = field(default_factory=list)
    steps: list = field(default_factory=list)

    @property
    def tax_amount(self):
        return self.unit_price_gross - self.unit_price

    def step(self, kind):
        for step in self.steps:
            if step.kind == kind:
                return step


class Pricing(Model):
    "B2B Pricing"
    __name__ = 'b2b.pricing'

    @classmethod
    def compute(cls, party, lines, date=None):
        """Return a LinePrice per line for the customer company.

        lines: (product, quantity[, unit[, manual_price]]) with product a
        record or an id, unit a record, an id or None for the sale unit,
        manual_price a Decimal or None."""
        pool = Pool()
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()

        requests = []
        for line in lines:
            product, quantity, *rest = line
            unit = rest[0] if rest else None
            manual = rest[1] if len(rest) > 1 else None
            requests.append((int(product), abs(float(quantity or 0)),
                    int(unit) if unit is not None else None, manual))

        products = {p.id: p for p in Product.browse(
                list({r[0] for r in requests}))}
        units = {u.id: u for u in Uom.browse(
                list({r[2] for r in requests if r[2] is not None}))}
        context = cls._price_context(party, products.values(), date)

        results = []
        for product_id, quantity, unit_id, manual in requests:
            product = products[product_id]
            unit = units[unit_id] if unit_id is not None else product.sale_uom
            if unit.category != product.sale_uom.category:
                unit = product.sale_uom
            results.append(cls._compute_line(
                    context, product, quantity, unit, manual))
        return results

    @classmethod
    def _price_context(cls, party, products, date):
        "Load in a few queries everything the lines need"
        pool = Pool()
        Tax = pool.get('account.tax')
        products = list(products)
        price_list = cls.price_list(party)
        group = party.b2b_customer_group if party else None
        context = {
            'party': party,
            'date': date,
            'price_list': price_list,
            'price_list_lines': list(price_list.lines) if price_list else [],
            'group_discount': (
                group.discount if group and group.discount else Decimal(0)),
            'list_prices': cls._list_prices(products),
            'cost_prices': {},
            'category_parents': cls._category_parents(),
            'template_tiers': defaultdict(list),
            'category_tiers': defaultdict(list),
            }
        if price_list and (price_list.price == 'cost_price' or any(
                    'cost_price' in (l.formula or '')
                    for l in context['price_list_lines'])):
            context['cost_prices'] = cls._cost_prices(products)
        cls._load_tiers(context, products)

        taxes = {}
        for product in products:
            category = product.account_category
            key = category.id if category else None
            if key not in taxes:
                taxes[key] = list(product.customer_taxes_used)
        tax_rule = party.customer_tax_rule if party else None
        if tax_rule:
            for key, product_taxes in taxes.items():
                ids = set()
                for tax in product_taxes:
                    ids.update(tax_rule.apply(tax, {}) or [tax.id])
                taxes[key] = Tax.browse(sorted(ids))
        context['taxes'] = taxes
        return context

    @classmethod
    def price_list(cls, party):
        "Return the price list of the company: its own, else its group's"
        if not party:
            return None
        own = getattr(party, 'sale_price_list', None)
        if own:
            return own
        group = party.b2b_customer_group
        return group.price_list if group else None

    @classmethod
    def _list_prices(cls, products):
        "Return the list price per product id, for the context company"
        pool = Pool()
        ListPrice = pool.get('product.list_price')
        table = ListPrice.__table__()
        cursor = Transaction().connection.cursor()
        company = Transaction().context.get('company')
        by_template = defaultdict(list)
        for product in products:
            by_template[product.template.id].append(product.id)
        template_prices, product_prices = {}, {}
        for sub_ids in grouped_slice(list(by_template)):
            cursor.execute(*table.select(
                    table.template, table.product, table.list_price,
                    where=reduce_ids(table.template, sub_ids)
                    & (Equal(table.company, company) if company
                        else Literal(True))))
            for template, product, price in cursor:
                if product is None:
                    template_prices[template] = price
                else:
                    product_prices[product] = price
        prices = {}
        for template, product_ids in by_template.items():
            for product_id in product_ids:
                price = product_prices.get(product_id)
                if price is None:
                    price = template_prices.get(template)
                prices[product_id] = (
                    Decimal(str(price)) if price is not None else None)
        return prices

    @classmethod
    def _cost_prices(cls, products):
        pool = Pool()
        CostPrice = pool.get('product.cost_price')
        table = CostPrice.__table__()
        cursor = Transaction().connection.cursor()
        company = Transaction().context.get('company')
        prices = {}
        for sub_ids in grouped_slice([p.id for p in products]):
            cursor.execute(*table.select(table.product, table.cost_price,
                    where=reduce_ids(table.product, sub_ids)
                    & (Equal(table.company, company) if company
                        else Literal(True))))
            for product, price in cursor:
                prices[product] = Decimal(str(price or 0))
        return prices

    @classmethod
    def _category_parents(cls):
        "Return the parent of every product category"
        pool = Pool()
        Category = pool.get('product.category')
        table = Category.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.parent))
        return dict(cursor)

    @classmethod
    def _load_tiers(cls, context, products):
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        table = Tier.__table__()
        cursor = Transaction().connection.cursor()
        template_ids = list({p.template.id for p in products})
        for sub_ids in grouped_slice(template_ids):
            cursor.execute(*table.select(
                    table.template, table.quantity, table.discount,
                    where=reduce_ids(table.template, sub_ids)))
            for template, quantity, discount in cursor:
                context['template_tiers'][template].append(
                    (Decimal(str(quantity)), Decimal(str(discount))))
        # category tiers are few: load them all once
        cursor.execute(*table.select(
                table.category, table.quantity, table.discount,
                where=table.category != None))  # noqa: E711
        for category, quantity, discount in cursor:
            context['category_tiers'][category].append(
                (Decimal(str(quantity)), Decimal(str(discount))))

    @classmethod
    def _categories(cls, context, product):
        "Yield the product's categories then their parents, nearest first"
        parents = context['category_parents']
        seen = set()
        level = [c.id for c in product.categories_all]
        while level:
            next_level = []
            for category in level:
                if category not in seen:
                    seen.add(category)
                    yield category
                    if parents.get(category):
                        next_level.append(parents[category])
            level = next_level

    @classmethod
    def _tier(cls, context, product, quantity):
        "Return (threshold, discount) of the tier the quantity reaches"
        tiers = context['template_tiers'].get(product.template.id)
        if not tiers:
            for category in cls._categories(context, product):
                tiers = context['category_tiers'].get(category)
                if tiers:
                    break
        best = None
        for threshold, discount in tiers or []:
            if quantity >= threshold and (
                    best is None or threshold > best[0]):
                best = (threshold, discount)
        return best

    @classmethod
    def _base_price(cls, context, product, quantity, unit):
        "Return (kind, unit price in the product's default unit)"
        pool = Pool()
        Uom = pool.get('product.uom')
        Tax = pool.get('account.tax')
        list_price = context['list_prices'].get(product.id)
        price_list = context['price_list']
        if not price_list:
            return 'list_price', list_price
        list_uom = price_list.get_uom(product)
        pattern = {
            'categories': list(cls._categories(context, product)),
            'product': product.id,
            'quantity': Uom.compute_qty(
                unit, quantity, list_uom, round=False),
            }
        null = Null()
        names = {
            'list_price': list_price if list_price is not None else null,
            'cost_price': context['cost_prices'].get(product.id, null),
            }
        names['unit_price'] = {
            'list_price': names['list_price'],
            'cost_price': names['cost_price'],
            }.get(price_list.price, null)
        for line in context['price_list_lines']:
            if line.match(pattern):
                price = line.get_unit_price(names=dict(names))
                if price is not None and price_list.tax_included:
                    price = Tax.reverse_compute(
                        price, cls._taxes(context, product),
                        context['date'])
                return 'price_list', price
        return 'list_price', list_price

    @classmethod
    def _taxes(cls, context, product):
        category = product.account_category
        return context['taxes'].get(category.id if category else None, [])

    @classmethod
    def _compute_line(cls, context, product, quantity, unit, manual):
        pool = Pool()
        Uom = pool.get('product.uom')
        result = LinePrice(product=product, quantity=quantity, unit=unit)
        steps = result.steps
        taxes = cls._taxes(context, product)
        result.taxes = [t.id for t in taxes]

        def add(kind, label, price):
            previous = steps[-1].unit_price if steps else Decimal(0)
            steps.append(PriceStep(kind, label,
                    round_price(price - previous), round_price(price)))

        if manual is not None:
            price = Decimal(manual)
            add('manual', gettext('b2b_base.msg_price_step_manual'), price)
        else:
            kind, base = cls._base_price(context, product, quantity, unit)
            if base is None:
                base = Decimal(0)
            # prices are stored per default unit; the line may use another
            price = Uom.compute_price(product.default_uom, base, unit)
            if kind == 'price_list':
                add(kind, gettext('b2b_base.msg_price_step_price_list',
                        price_list=context['price_list'].rec_name), price)
            else:
                add(kind, gettext('b2b_base.msg_price_step_list_price'),
                    price)

            sale_quantity = Decimal(str(Uom.compute_qty(
                        unit, quantity, product.sale_uom, round=False)))
            tier = cls._tier(context, product, sale_quantity)
            if tier:
                threshold, discount = tier
                price *= 1 - discount / _100
                add('quantity', gettext('b2b_base.msg_price_step_quantity',
                        discount=_percent(discount),
                        quantity=_number(threshold),
                        unit=product.sale_uom.symbol), price)

            package = product.b2b_package_quantity
            package_discount = product.b2b_package_discount
            if package and package_discount and sale_quantity:
                package = Decimal(str(package))
                packaged = (sale_quantity // package) * package
                if packaged:
                    share = packaged / sale_quantity
                    price *= 1 - package_discount / _100 * share
                    add('package', gettext(
                            'b2b_base.msg_price_step_package',
                            discount=_percent(package_discount),
                            packages=_number(packaged / package),
                            package=_number(package),
                            unit=product.sale_uom.symbol), price)

            group_discount = context['group_discount']
            if group_discount:
                price *= 1 - group_discount / _100
                add('group', gettext('b2b_base.msg_price_step_group',
                        discount=_percent(group_discount)), price)

        result.unit_price = round_price(price)
        result.unit_price_gross = cls._gross(
            result.unit_price, taxes, context['date'])
        return result

    @classmethod
    def _gross(cls, unit_price, taxes, date):
        pool = Pool()
        Tax = pool.get('account.tax')
        gross = unit_price
        for tax in Tax.compute(taxes, unit_price, 1, date):
            gross += tax['amount']
        return round_price(gross)


def _percent(value):
    return _number(value)


def _number(value):
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return str(value)
