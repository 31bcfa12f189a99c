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

The base price is the price list's, as Tryton's sale_price_list makes it
(PriceList.compute(product, quantity, unit) in the line's unit). No line
matching, or a formula giving no price, leaves the list price; a price list
with taxes included is turned net with the product's customer taxes.

Price lists as Tryton ships them (product_price_list, sale_price_list) are
evaluated for all lines at once from values read in a few queries: the
first line whose quantity, category (or parent) and product match, its
formula parsed once per call (_standard_price, tested against Tryton's own
sale price on generated price lists).

As soon as an activated module extends PriceList.compute, get_uom or
get_context_formula or PriceListLine.match or get_unit_price
(_price_list_standard tells), each line goes through PriceList.compute
itself, so the pattern it builds ('categories', 'product', 'quantity' and
any key the module adds), the formula's names and the matching are the
extended ones. compute runs in the context a sale gives its lines' prices
(customer, sale_date, price_list), on records built from values read for
all lines at once, not on records that read themselves one by one:
 - the price list, and its lines with all their stored fields, so a field
   a module adds to the lines and tests in match is there; compute is
   given the lines whose category and product allow the product (what
   Tryton's match tests), so an extended match can refuse more lines, not
   accept one of those;
 - each product with its units, categories_all (each category with its
   parents), list_price_used and cost_prices of the context company
   (_product_values, which a module can extend to read more in advance).
Any other field an extension reads is read by Tryton on first use for all
the products (or lines) of the call at once, as the records share their
ids: a fixed number of queries more, never one per line.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from simpleeval import InvalidExpression, SimpleEval
from sql import Literal, NullsLast
from sql import Null as SqlNull
from sql.operators import Equal

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import Model, fields
from trytond.modules.product import round_price
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.tools.decimal_ import DecimalNull as Null
from trytond.tools.decimal_ import decistmt
from trytond.transaction import Transaction

from . import formats

_100 = Decimal(100)
# What every price needs but rarely changes: price lists and their lines,
# the category tree and its tiers, the taxes of the accounting categories.
# Kept between transactions (and processes, through ir.cache) and cleared
# by any change of those models (PricingInput below).
_cache = Cache('b2b.pricing', context=False)

# what a price list line's formula may raise, parsed or evaluated: the line
# is then computed by Tryton itself, which raises its own clear error
FORMULA_ERRORS = (InvalidExpression, SyntaxError, ArithmeticError,
    TypeError, ValueError, KeyError, AttributeError)
# the modules whose price list methods _standard_price reproduces
STANDARD_PRICE_LIST_MODULES = {
    'trytond.modules.product_price_list.price_list',
    'trytond.modules.sale_price_list.product',
    }


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
            if unit.id != sale_uom.id and unit.category != sale_uom.category:
                unit = sale_uom
            results.append(cls._compute_line(
                    context, item, quantity, unit, manual))
        return results


    @classmethod
    def _items(cls, product_ids, unit_ids):
        """Read what pricing needs of the products and their templates as
        plain values, in one query instead of the records' many"""
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        product = Product.__table__()
        template = Template.__table__()
        cursor = Transaction().connection.cursor()
        rows = []
        for sub_ids in grouped_slice(list(product_ids), _in_max()):
            cursor.execute(*product.join(template,
                    condition=product.template == template.id).select(
                    product.id, template.id, template.sale_uom,
                    template.default_uom, template.account_category,
                    template.b2b_package_quantity,
                    template.b2b_package_discount,
                    where=product.id.in_(list(sub_ids))))
            rows.extend(cursor)
        units = {u.id: u for u in Uom.browse(list(
                    {r[i] or r[3] for r in rows for i in [2, 3]}
                    | set(unit_ids)))}
        items = {}
        for (product_id, template_id, sale_uom, default_uom, category,
                package_quantity, package_discount) in rows:
            items[product_id] = _Item(
                id=product_id, template=template_id,
                # as the sale module: no sale unit means the default one
                sale_uom=units[sale_uom or default_uom],
                default_uom=units[default_uom],
                account_category=category,
                package_quantity=package_quantity,
                package_discount=(Decimal(str(package_discount))
                    if package_discount is not None else None))
        if missing := set(product_ids) - set(items):
            # as the ORM would: a product that does not exist
            Product.read(list(missing), ['template'])
        return items, units

    @classmethod
    def _price_context(cls, party, products, date):
        "Load in a few queries everything the lines need"
        products = list(products)
        profile = cls._party_profile(party)
        price_list = cls._price_list_data(profile['price_list'])
        context = {
            'party': party,
            'date': date,
            'price_list': price_list,
            'group_discount': profile['group_discount'],
            'list_prices': cls._list_prices(products),
            'cost_prices': {},
            'category_parents': cls._category_parents(),
            'template_categories': cls._template_categories(products),
            'template_tiers': defaultdict(list),
            'category_tiers': cls._category_tiers(),
            }
        if price_list and not cls._price_list_standard():
            context['sale_context'] = cls._sale_context(
                party, date, price_list)
            context['cost_prices'] = cls._cost_prices(products)
            context['price_list_record'], context['price_list_lines'] = (
                cls._price_list_record(price_list))
            context['product_records'] = cls._product_records(
                context, products)
        elif price_list:
            context['standard_lines'] = [
                tuple(values[f] for f in [
                        'id', 'quantity', 'category', 'product', 'formula'])
                for values in price_list['lines']]
            if (price_list['values']['price'] == 'cost_price'
                    or any('cost_price' in (l[4] or '')
                        for l in context['standard_lines'])):
                context['cost_prices'] = cls._cost_prices(products)
        cls._load_tiers(context, products)
        context['taxes'] = cls._category_taxes(
            {p.account_category for p in products}, profile['tax_rule'],
            date)
        return context

    @classmethod
    def _price_list_standard(cls):
        """Tell whether price lists compute as Tryton's product_price_list
        and sale_price_list make them: no activated module extends
        PriceList.compute, get_uom or get_context_formula or
        PriceListLine.match or get_unit_price"""
        pool = Pool()
        PriceList = pool.get('product.price_list')
        Line = pool.get('product.price_list.line')
        return all(
            getattr(Model, name).__module__ in STANDARD_PRICE_LIST_MODULES
            for Model, name in [
                (PriceList, 'compute'), (PriceList, 'get_uom'),
                (PriceList, 'get_context_formula'),
                (Line, 'match'), (Line, 'get_unit_price')])

    @classmethod
    def _sale_context(cls, party, date, price_list):
        """Return the context in which the price list computes: the one a
        sale gives the prices of its lines (sale, sale_price_list)"""
        return {
            'customer': party.id if party else None,
            'sale_date': date,
            'price_list': price_list['id'],
            }

    @classmethod
    def _party_profile(cls, party):
        """Return the company's price list id, group discount and customer
        tax rule id: one query on the stored values, not the ORM's
        multi-value reads"""
        pool = Pool()
        Party = pool.get('party.party')
        Group = pool.get('b2b.customer.group')
        PartyPriceList = pool.get('party.party.sale_price_list')
        PartyAccount = pool.get('party.party.account')
        profile = {
            'price_list': None, 'group_discount': Decimal(0),
            'tax_rule': None}
        if not party:
            return profile
        if party.id is None or party.id < 0:
            # not saved: its values are only on the record
            price_list = cls.price_list(party)
            group = party.b2b_customer_group
            rule = party.customer_tax_rule
            return {
                'price_list': price_list.id if price_list else None,
                'group_discount': (group.discount or Decimal(0))
                if group else Decimal(0),
                'tax_rule': rule.id if rule else None,
                }
        company = Transaction().context.get('company')
        party_table = Party.__table__()
        group = Group.__table__()
        own = PartyPriceList.__table__()
        account = PartyAccount.__table__()

        def company_value(table, column):
            # as CompanyMultiValueMixin: the value of the context company,
            # else a value without company
            where = (table.party == party_table.id) & (
                table.company == SqlNull)
            if company:
                where |= (table.party == party_table.id) & (
                    table.company == company)
            return table.select(column, where=where,
                order_by=[NullsLast(table.company)], limit=1)
        cursor = Transaction().connection.cursor()
        cursor.execute(*party_table.join(group, 'LEFT',
                condition=party_table.b2b_customer_group == group.id
                ).select(
                company_value(own, own.sale_price_list),
                group.price_list, group.discount,
                company_value(account, account.customer_tax_rule),
                where=party_table.id == party.id))
        row = cursor.fetchone()
        if row:
            own_list, group_list, discount, rule = row
            profile['price_list'] = own_list or group_list
            if discount:
                profile['group_discount'] = Decimal(str(discount))
            profile['tax_rule'] = rule
        return profile

    @classmethod
    def _price_list_data(cls, price_list_id):
        """Return the price list's name, its stored values and those of its
        lines, in the order Tryton matches them"""
        pool = Pool()
        PriceList = pool.get('product.price_list')
        Line = pool.get('product.price_list.line')
        if not price_list_id:
            return None
        # the name is translatable
        key = ('price_list', price_list_id, Transaction().language)
        data = _cache.get(key)
        if data is not None:
            return data
        values, = PriceList.read([price_list_id],
            ['rec_name', *_stored_fields(PriceList)])
        lines = Line.search([('price_list', '=', price_list_id)])
        line_values = {v['id']: v for v in Line.read(
                [l.id for l in lines], _stored_fields(Line))}
        data = {
            'id': price_list_id,
            'rec_name': values.pop('rec_name'),
            'values': values,
            'lines': [line_values[l.id] for l in lines],
            }
        return _cache.set(key, data)

    @classmethod
    def _price_list_record(cls, price_list):
        """Return the price list as a record holding its values, and its
        lines as records holding theirs with their category and product:
        matching reads no more from the database"""
        pool = Pool()
        PriceList = pool.get('product.price_list')
        Line = pool.get('product.price_list.line')
        record, = _records(PriceList, [price_list['values']])
        lines = _records(Line, price_list['lines'])
        return record, [(line, values['category'], values['product'])
            for line, values in zip(lines, price_list['lines'])]

    @classmethod
    def _product_records(cls, context, products):
        """Return per product id the product as a record holding what
        PriceList.compute reads of it (see _product_values)"""
        pool = Pool()
        Product = pool.get('product.product')
        Category = pool.get('product.category')
        Company = pool.get('company.company')
        parents = context['category_parents']
        categories = {}

        def category(category_id):
            # with its parents, as compute walks them up
            if category_id not in categories:
                parent_id = parents.get(category_id)
                categories[category_id] = Category(category_id,
                    parent=category(parent_id) if parent_id else None)
            return categories[category_id]
        context['category_records'] = category
        company = Transaction().context.get('company')
        context['company_record'] = Company(company) if company else None
        records = _records(Product,
            [cls._product_values(context, p) for p in products])
        return {r.id: r for r in records}

    @classmethod
    def _product_values(cls, context, product):
        """Return the values of the product that PriceList.compute and the
        price list line formulas read, from what was read for all lines"""
        pool = Pool()
        CostPrice = pool.get('product.cost_price')
        cost_price = context['cost_prices'].get(product.id)
        category = context['category_records']
        return {
            'id': product.id,
            'default_uom': product.default_uom,
            'sale_uom': product.sale_uom,
            'categories_all': [category(c) for c in
                context['template_categories'].get(product.template, [])],
            'list_price_used': context['list_prices'].get(product.id),
            # what get_multivalue('cost_price') matches on
            'cost_prices': [CostPrice(
                    company=context['company_record'], cost_price=cost_price)]
            if cost_price is not None else [],
            }

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
    def _category_taxes(cls, category_ids, tax_rule_id, date):
        """Return per accounting category id (and None) its customer taxes
        after the tax rule, as (tax ids, slope, offset): taxes
        (percentage, fixed, compound) are affine in the price, so
        Tax.compute at 0 and at 1 gives gross = slope × net + offset"""
        pool = Pool()
        Category = pool.get('product.category')
        Tax = pool.get('account.tax')
        TaxRule = pool.get('account.tax.rule')
        company = Transaction().context.get('company')
        result, missing = {}, set()
        for category_id in category_ids | {None}:
            key = ('taxes', category_id, tax_rule_id, company, date)
            value = _cache.get(key)
            if value is None:
                missing.add(category_id)
            else:
                result[category_id] = value
        if not missing:
            return result
        rule = TaxRule(tax_rule_id) if tax_rule_id else None
        categories = {c.id: c for c in Category.browse(
                [c for c in missing if c is not None])}
        for category_id in missing:
            taxes = (list(categories[category_id].customer_taxes_used)
                if category_id is not None else [])
            if rule:
                ids = set()
                for tax in taxes:
                    ids.update(rule.apply(tax, {}) or [tax.id])
                taxes = Tax.browse(sorted(ids))
            offset = sum((t['amount'] for t in Tax.compute(
                        taxes, Decimal(0), 1, date)), Decimal(0))
            slope = 1 + sum((t['amount'] for t in Tax.compute(
                        taxes, Decimal(1), 1, date)), Decimal(0)) - offset
            value = (tuple(t.id for t in taxes), slope, offset)
            result[category_id] = _cache.set(
                ('taxes', category_id, tax_rule_id, company, date), value)
        return result

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
        parents = _cache.get('category_parents')
        if parents is None:
            table = Category.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.id, table.parent))
            parents = _cache.set('category_parents', dict(cursor))
        return parents

    @classmethod
    def _category_tiers(cls):
        "Return the quantity tiers of every category: they are few"
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        tiers = _cache.get('category_tiers')
        if tiers is None:
            table = Tier.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(
                    table.category, table.quantity, table.discount,
                    where=table.category != None))  # noqa: E711
            tiers = defaultdict(list)
            for category, quantity, discount in cursor:
                tiers[category].append(
                    (Decimal(str(quantity)), Decimal(str(discount))))
            tiers = _cache.set('category_tiers', dict(tiers))
        return tiers

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
            'category_tiers': cls._category_tiers(),
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
        """Return (kind, unit price in the product's default unit): the
        price list's price, else the list price"""
        pool = Pool()
        Tax = pool.get('account.tax')
        list_price = context['list_prices'].get(product.id)
        if not context['price_list']:
            return 'list_price', list_price
        if 'standard_lines' in context:
            price = cls._standard_price(context, product, quantity, unit)
        else:
            price = cls._price_list_price(context, product, quantity, unit)
        if price is None:
            return 'list_price', list_price
        if context['price_list']['values']['tax_included']:
            price = Tax.reverse_compute(price, Tax.browse(
                    cls._taxes(context, product)), context['date'])
        return 'price_list', price

    @classmethod
    def _price_list_price(cls, context, product, quantity, unit):
        """Return the price list's price as PriceList.compute gives it, on
        the records loaded for all lines"""
        price_list = context['price_list_record']
        record = context['product_records'][product.id]
        # compute gets the lines whose category and product allow the
        # product (as Tryton's match tests them), so that match runs on the
        # few lines that may apply, not on every line of the list
        categories = set(cls._categories(context, product))
        price_list.lines = [line
            for line, category, line_product in context['price_list_lines']
            if (category is None or category in categories)
            and (line_product is None or line_product == product.id)]
        with Transaction().set_context(context['sale_context']):
            return price_list.compute(record, quantity, unit)

    @classmethod
    def _standard_price(cls, context, product, quantity, unit):
        """Return the price list's price as Tryton's own PriceList.compute
        gives it, from the values read for all lines (see
        _price_list_standard)"""
        list_price = context['list_prices'].get(product.id)
        price_list = context['price_list']['values']
        # as PriceList.get_uom (sale_price_list's product_sale)
        list_uom = (product.sale_uom
            if price_list['unit'] == 'product_sale' and product.sale_uom
            else product.default_uom)
        list_quantity = abs(_convert_quantity(unit, quantity, list_uom))
        categories = set(cls._categories(context, product))
        null = Null()
        # as PriceList.get_context_formula
        names = {
            'list_price': list_price if list_price is not None else null,
            'cost_price': context['cost_prices'].get(product.id, null),
            }
        names['unit_price'] = {
            'list_price': names['list_price'],
            'cost_price': names['cost_price'],
            }.get(price_list['price'], null)
        # the first line that matches wins, as PriceListLine.match tests
        for line in context['standard_lines']:
            _, line_quantity, category, line_product, _ = line
            if ((line_quantity is None or line_quantity <= list_quantity)
                    and (category is None or category in categories)
                    and (line_product is None or line_product == product.id)):
                return cls._formula_price(context, line, names)

    @classmethod
    def _formula_price(cls, context, line, names):
        """Evaluate the line's formula as PriceListLine.get_unit_price does,
        parsing it once per call instead of once per product"""
        Line = Pool().get('product.price_list.line')
        line_id, formula = line[0], line[4]
        formulas = context.setdefault('formulas', {})
        if line_id not in formulas:
            try:
                formulas[line_id] = SimpleEval.parse(decistmt(formula))
            except FORMULA_ERRORS:
                formulas[line_id] = None
        tree = formulas[line_id]
        if tree is None:
            # let Tryton raise its own clear error
            return Line(line_id).get_unit_price(names=dict(names))
        try:
            price = SimpleEval(names=dict(names),
                functions={'Decimal': Decimal}).eval(
                formula, previously_parsed=tree)
        except FORMULA_ERRORS:
            return Line(line_id).get_unit_price(names=dict(names))
        if isinstance(price, Null):
            return None
        if not isinstance(price, Decimal):
            return Line(line_id).get_unit_price(names=dict(names))
        return round_price(price)

    @classmethod
    def _taxes(cls, context, product):
        "Return the ids of the product's customer taxes"
        return context['taxes'][product.account_category][0]

    @classmethod
    def _compute_line(cls, context, product, quantity, unit, manual):
        pool = Pool()
        Uom = pool.get('product.uom')
        Product = pool.get('product.product')
        result = LinePrice(
            product=Product(product.id), quantity=quantity, unit=unit)
        steps = result.steps
        result.taxes = list(cls._taxes(context, product))

        labels = context.setdefault('labels', {})

        def add(kind, message, price, **variables):
            # the same labels recur on a page: translate each once, its
            # numbers written as the portal writes them (0,25; 2,5 %)
            key = (message, tuple(sorted(variables.items())))
            if key not in labels:
                labels[key] = gettext(message, **{
                        name: formats.number(value)
                        if isinstance(value, (Decimal, int, float))
                        else value
                        for name, value in variables.items()})
            previous = steps[-1].unit_price if steps else Decimal(0)
            steps.append(PriceStep(kind, labels[key],
                    round_price(price - previous), round_price(price)))

        if manual is not None:
            price = Decimal(manual)
            add('manual', 'b2b_base.msg_price_step_manual', price)
        else:
            kind, base = cls._base_price(context, product, quantity, unit)
            if base is None:
                base = Decimal(0)
            # prices are stored per default unit; the line may use another
            price = base
            if unit.id != product.default_uom.id:
                price = Uom.compute_price(product.default_uom, base, unit)
            if kind == 'price_list':
                add(kind, 'b2b_base.msg_price_step_price_list', price,
                    price_list=context['price_list']['rec_name'])
            else:
                add(kind, 'b2b_base.msg_price_step_list_price', price)

            sale_quantity = Decimal(str(
                    _convert_quantity(unit, quantity, product.sale_uom)))
            tier = cls._tier(context, product, sale_quantity)
            if tier:
                threshold, discount = tier
                price *= 1 - discount / _100
                add('quantity', 'b2b_base.msg_price_step_quantity', price,
                    discount=discount, quantity=threshold,
                    unit=product.sale_uom.symbol)

            package = product.package_quantity
            package_discount = product.package_discount
            if package and package_discount and sale_quantity:
                package = Decimal(str(package))
                packaged = (sale_quantity // package) * package
                if packaged:
                    share = packaged / sale_quantity
                    price *= 1 - package_discount / _100 * share
                    add('package', 'b2b_base.msg_price_step_package', price,
                        discount=package_discount,
                        packages=packaged / package,
                        package=package,
                        unit=product.sale_uom.symbol)

            group_discount = context['group_discount']
            if group_discount:
                price *= 1 - group_discount / _100
                add('group', 'b2b_base.msg_price_step_group', price,
                    discount=group_discount)

        result.unit_price = round_price(price)
        result.unit_price_gross = cls._gross(
            context, product, result.unit_price)
        return result

    @classmethod
    def _gross(cls, context, product, unit_price):
        "Return the gross unit price"
        _, slope, offset = context['taxes'][product.account_category]
        return round_price(unit_price * slope + offset)


class PricingInput:
    "A model the pricing cache reads: any change of it clears the cache"
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        # reset for every process when the transaction commits
        _cache.clear()


class PriceList(PricingInput, metaclass=PoolMeta):
    __name__ = 'product.price_list'


class PriceListLine(PricingInput, metaclass=PoolMeta):
    __name__ = 'product.price_list.line'


class Category(PricingInput, metaclass=PoolMeta):
    __name__ = 'product.category'


class CategoryCustomerTax(PricingInput, metaclass=PoolMeta):
    __name__ = 'product.category-customer-account.tax'


class QuantityDiscount(PricingInput, metaclass=PoolMeta):
    __name__ = 'b2b.quantity.discount'


class Tax(PricingInput, metaclass=PoolMeta):
    __name__ = 'account.tax'


class TaxRule(PricingInput, metaclass=PoolMeta):
    __name__ = 'account.tax.rule'


class TaxRuleLine(PricingInput, metaclass=PoolMeta):
    __name__ = 'account.tax.rule.line'


def _stored_fields(Model):
    "Return the names of the fields Model stores, but who made it and when"
    return [name for name, definition in Model._fields.items()
        if not isinstance(definition, fields.Function)
        and definition._type not in {'one2many', 'many2many'}
        and name not in {'id', 'create_uid', 'create_date', 'write_uid',
            'write_date'}]


def _records(Model, values):
    """Return the records of the values (dicts with their id) holding these
    values; a field not among them is read by Tryton on first use for all
    of the records at once, as browse makes them share their ids"""
    records = Model.browse([v['id'] for v in values])
    for record, record_values in zip(records, values):
        for name, value in record_values.items():
            if name != 'id':
                setattr(record, name, value)
    return records


def _convert_quantity(unit, quantity, to_unit):
    "Return the quantity in to_unit, unrounded"
    if unit.id == to_unit.id:
        return quantity
    return Pool().get('product.uom').compute_qty(
        unit, quantity, to_unit, round=False)


def _in_max():
    return backend.MAX_QUERY_PARAMS


