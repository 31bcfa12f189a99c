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

from simpleeval import SimpleEval
from sql import Literal
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Model
from trytond.modules.product import round_price
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.tools.decimal_ import DecimalNull as Null
from trytond.tools.decimal_ import decistmt
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


@dataclass
class _Item:
    "What pricing needs of a product, read once for all lines"
    id: int
    template: int
    sale_uom: object
    default_uom: object
    account_category: int
    package_quantity: float
    package_discount: Decimal


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

        products, units = cls._items({r[0] for r in requests},
            {r[2] for r in requests if r[2] is not None})
        context = cls._price_context(party, products.values(), date)
        context['units'] = units

        results = []
        for product_id, quantity, unit_id, manual in requests:
            item = products[product_id]
            sale_uom = item.sale_uom
            unit = context['units'][unit_id] if unit_id else sale_uom
            if unit.category != sale_uom.category:
                unit = sale_uom
            results.append(cls._compute_line(
                    context, item, quantity, unit, manual))
        return results

    @classmethod
    def _items(cls, product_ids, unit_ids):
        """Read the products and their templates as plain values: two
        queries instead of the many of the records' lazy fields"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        templates = {p['id']: p['template']
            for p in Product.read(list(product_ids), ['template'])}
        fields = ['sale_uom', 'default_uom', 'account_category',
            'b2b_package_quantity', 'b2b_package_discount']
        template_values = {t['id']: t for t in Template.read(
                list(set(templates.values())), fields)}
        units = {u.id: u for u in Uom.browse(list(
                    {t[f] for t in template_values.values()
                        for f in ['sale_uom', 'default_uom']}
                    | set(unit_ids)))}
        items = {}
        for product_id, template_id in templates.items():
            values = template_values[template_id]
            items[product_id] = _Item(
                id=product_id, template=template_id,
                sale_uom=units[values['sale_uom']],
                default_uom=units[values['default_uom']],
                account_category=values['account_category'],
                package_quantity=values['b2b_package_quantity'],
                package_discount=values['b2b_package_discount'])
        return items, units

    @classmethod
    def _price_context(cls, party, products, date):
        "Load in a few queries everything the lines need"
        pool = Pool()
        Tax = pool.get('account.tax')
        Category = pool.get('product.category')
        products = list(products)
        price_list = cls.price_list(party)
        group = party.b2b_customer_group if party else None
        context = {
            'party': party,
            'date': date,
            'price_list': price_list,
            'price_list_lines': cls._price_list_lines(price_list),
            'group_discount': (
                group.discount if group and group.discount else Decimal(0)),
            'list_prices': cls._list_prices(products),
            'cost_prices': {},
            'category_parents': cls._category_parents(),
            'template_categories': cls._template_categories(products),
            'template_tiers': defaultdict(list),
            'category_tiers': defaultdict(list),
            }
        if price_list and (price_list.price == 'cost_price' or any(
                    'cost_price' in (l.formula or '')
                    for l, *_ in context['price_list_lines'])):
            context['cost_prices'] = cls._cost_prices(products)
        cls._load_tiers(context, products)

        taxes = {}
        for category in Category.browse(list(
                    {p.account_category for p in products
                        if p.account_category})):
            taxes[category.id] = list(category.customer_taxes_used)
        taxes[None] = []
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
    def _price_list_lines(cls, price_list):
        "Return (line, quantity, category id, product id) in sequence order"
        pool = Pool()
        Line = pool.get('product.price_list.line')
        if not price_list:
            return []
        lines = Line.search([('price_list', '=', price_list.id)])
        values = {v['id']: v for v in Line.read(
                [l.id for l in lines], ['quantity', 'category', 'product'])}
        return [(l, values[l.id]['quantity'], values[l.id]['category'],
                values[l.id]['product']) for l in lines]

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
            by_template[product.template].append(product.id)
        template_prices, product_prices = {}, {}
        for sub_ids in grouped_slice(list(by_template), _in_max()):
            cursor.execute(*table.select(
                    table.template, table.product, table.list_price,
                    where=table.template.in_(list(sub_ids))
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
        for sub_ids in grouped_slice([p.id for p in products], _in_max()):
            cursor.execute(*table.select(table.product, table.cost_price,
                    where=table.product.in_(list(sub_ids))
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
    def _template_categories(cls, products):
        "Return the category ids of each product's template"
        pool = Pool()
        TemplateCategory = pool.get('product.template-product.category.all')
        cursor = Transaction().connection.cursor()
        categories = defaultdict(list)
        # the union of the models that put templates in categories
        for model in TemplateCategory.union_models():
            table = pool.get(model).__table__()
            for sub_ids in grouped_slice(
                    list({p.template for p in products}), _in_max()):
                cursor.execute(*table.select(table.template, table.category,
                        where=table.template.in_(list(sub_ids))))
                for template, category in cursor:
                    categories[template].append(category)
        return categories

    @classmethod
    def _load_tiers(cls, context, products):
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        table = Tier.__table__()
        cursor = Transaction().connection.cursor()
        template_ids = list({p.template for p in products})
        for sub_ids in grouped_slice(template_ids, _in_max()):
            cursor.execute(*table.select(
                    table.template, table.quantity, table.discount,
                    where=table.template.in_(list(sub_ids))))
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
        level = context['template_categories'].get(product.template, [])
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
    def _tiers(cls, context, product):
        "Return the tiers of the product: its own, else its nearest category's"
        tiers = context['template_tiers'].get(product.template)
        if not tiers:
            for category in cls._categories(context, product):
                tiers = context['category_tiers'].get(category)
                if tiers:
                    break
        return sorted(tiers or [])

    @classmethod
    def quantity_tiers(cls, products):
        """Return per product id its quantity tiers as (from quantity in the
        sale unit, discount %), in a few queries for all the products"""
        items, _ = cls._items({int(p) for p in products}, set())
        context = {
            'category_parents': cls._category_parents(),
            'template_categories': cls._template_categories(items.values()),
            'template_tiers': defaultdict(list),
            'category_tiers': defaultdict(list),
            }
        cls._load_tiers(context, items.values())
        return {i.id: cls._tiers(context, i) for i in items.values()}

    @classmethod
    def _tier(cls, context, product, quantity):
        "Return (threshold, discount) of the tier the quantity reaches"
        best = None
        for threshold, discount in cls._tiers(context, product):
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
        # as product.price_list.get_uom (sale_price_list's product_sale)
        list_uom = (product.sale_uom
            if price_list.unit == 'product_sale' and product.sale_uom
            else product.default_uom)
        list_quantity = abs(Uom.compute_qty(
                unit, quantity, list_uom, round=False))
        categories = set(cls._categories(context, product))
        null = Null()
        names = {
            'list_price': list_price if list_price is not None else null,
            'cost_price': context['cost_prices'].get(product.id, null),
            }
        names['unit_price'] = {
            'list_price': names['list_price'],
            'cost_price': names['cost_price'],
            }.get(price_list.price, null)
        # the first line that matches wins, as in price_list.compute, with
        # its criteria read once for all products (PriceListLine.match)
        for line, line_quantity, category, line_product in context[
                'price_list_lines']:
            if ((line_quantity is None or line_quantity <= list_quantity)
                    and (category is None or category in categories)
                    and (line_product is None or line_product == product.id)):
                price = cls._formula_price(context, line, names)
                if price is not None and price_list.tax_included:
                    price = Tax.reverse_compute(
                        price, cls._taxes(context, product),
                        context['date'])
                return 'price_list', price
        return 'list_price', list_price

    @classmethod
    def _formula_price(cls, context, line, names):
        """Evaluate the line's formula as PriceListLine.get_unit_price does,
        parsing it once per call instead of once per product"""
        formulas = context.setdefault('formulas', {})
        if line.id not in formulas:
            try:
                formulas[line.id] = SimpleEval.parse(decistmt(line.formula))
            except Exception:
                formulas[line.id] = None
        tree = formulas[line.id]
        if tree is None:
            # let Tryton raise its own clear error
            return line.get_unit_price(names=dict(names))
        try:
            price = SimpleEval(names=dict(names),
                functions={'Decimal': Decimal}).eval(
                line.formula, previously_parsed=tree)
        except Exception:
            return line.get_unit_price(names=dict(names))
        if isinstance(price, Null):
            return None
        if not isinstance(price, Decimal):
            return line.get_unit_price(names=dict(names))
        return round_price(price)

    @classmethod
    def _taxes(cls, context, product):
        return context['taxes'].get(product.account_category, [])

    @classmethod
    def _compute_line(cls, context, product, quantity, unit, manual):
        pool = Pool()
        Uom = pool.get('product.uom')
        Product = pool.get('product.product')
        result = LinePrice(
            product=Product(product.id), quantity=quantity, unit=unit)
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

            sale_quantity = Decimal(str(Uom.compute_qty(unit, quantity,
                        product.sale_uom, round=False)))
            tier = cls._tier(context, product, sale_quantity)
            if tier:
                threshold, discount = tier
                price *= 1 - discount / _100
                add('quantity', gettext('b2b_base.msg_price_step_quantity',
                        discount=_percent(discount),
                        quantity=_number(threshold),
                        unit=product.sale_uom.symbol), price)

            package = product.package_quantity
            package_discount = product.package_discount
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
            context, product, result.unit_price)
        return result

    @classmethod
    def _gross(cls, context, product, unit_price):
        """Return the gross unit price.

        Taxes (percentage, fixed, compound) are affine in the price, so
        Tax.compute at 0 and at 1 gives gross = slope × net + offset for
        all the lines of the same taxes"""
        pool = Pool()
        Tax = pool.get('account.tax')
        affine = context.setdefault('gross', {})
        key = product.account_category
        if key not in affine:
            taxes = cls._taxes(context, product)
            date = context['date']
            offset = sum((t['amount'] for t in Tax.compute(
                        taxes, Decimal(0), 1, date)), Decimal(0))
            slope = 1 + sum((t['amount'] for t in Tax.compute(
                        taxes, Decimal(1), 1, date)), Decimal(0)) - offset
            affine[key] = (slope, offset)
        slope, offset = affine[key]
        return round_price(unit_price * slope + offset)


def _in_max():
    return backend.MAX_QUERY_PARAMS


def _percent(value):
    return _number(value)


def _number(value):
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return str(value)
