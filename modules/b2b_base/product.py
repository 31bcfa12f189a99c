# This file is part of the B2B wholesale suite.
import re
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sql import Cast, Literal, Union
from sql.aggregate import Count, Max
from sql.conditionals import Coalesce
from sql.functions import Lower
from sql.operators import Any, Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import escape_wildcard, grouped_slice
from trytond.transaction import Transaction

from . import formats, unaccent
from .exceptions import QuantityError, SaleQuantityError

unaccent.enable_sqlite()

# A typed quantity: digits with one decimal separator (0,25 or 0.25), no
# sign, exponent, thousands separator or other characters; ASCII digits
# only (\d would take other scripts' digits too).
QUANTITY_TEXT = re.compile(r'[0-9]+(?:[.,][0-9]+)?', re.ASCII)
# longer than any quantity the rule accepts (10 digits and decimals): the
# rest is refused before it is read as a number
QUANTITY_TEXT_LENGTH = 20
# What around a typed quantity is only space (a pasted cell, a phone's
# keyboard); str.strip() alone would also take control characters.
QUANTITY_SPACES = ' \t\r\n\xa0\u202f'
# The most of any unit a sale line takes. sale.line.quantity is a Float
# (a double: 15 significant digits), so up to 10^9 it keeps 6 decimals
# exactly, more than any unit's digits; 10^9 times a unit price of 10^6 is
# 10^15, which the Decimal amounts (PostgreSQL numeric) hold to the cent.
# No wholesale line comes near it: it stops typos and hostile input before
# they reach the float, the prices and the amounts.
MAXIMUM_QUANTITY = Decimal(10 ** 9)
# the words of a catalog search that must all be found
SEARCH_WORDS = 5


def _decimal(value):
    return Decimal(str(value))


def _plain(value):
    """Return the Decimal without trailing zeros nor exponent: 50, not
    5E+1 as normalize() gives (it shows in pages and forms)"""
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return value


def _code_sequence_set(name):
    """Tell if product.configuration sets the sequence of that column
    (template_sequence, product_sequence), read from the table: ordering
    products by code asks for both (product's default_code_readonly), and
    the catalog orders every page by code, where reading the whole
    configuration record twice cost more CPU than the product search"""
    Configuration = Pool().get('product.configuration')
    table = Configuration.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(getattr(table, name), limit=1))
    row = cursor.fetchone()
    return bool(row and row[0])


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    b2b_package_quantity = fields.Float(
        "Package Quantity",
        digits=(None, Eval('sale_quantity_digits', None)),
        domain=['OR',
            ('b2b_package_quantity', '=', None),
            ('b2b_package_quantity', '>', 0),
            ],
        states={
            'invisible': ~Eval('salable', False),
            },
        help="How much a bulk package holds, in the sale unit "
        "(e.g. a box of 12).")
    b2b_package_discount = fields.Numeric(
        "Package Discount %", digits=(5, 2),
        domain=['OR',
            ('b2b_package_discount', '=', None),
            [
                ('b2b_package_discount', '>=', 0),
                ('b2b_package_discount', '<', 100),
                ],
            ],
        states={
            'invisible': ~Eval('b2b_package_quantity'),
            },
        help="Discount on the part of a line that fills whole packages.")
    b2b_package_only = fields.Boolean(
        "Whole Packages Only",
        states={
            'invisible': ~Eval('b2b_package_quantity'),
            },
        help="Sell only multiples of the package quantity.")
    b2b_quantity_discounts = fields.One2Many(
        'b2b.quantity.discount', 'template', "Quantity Discounts",
        states={
            'invisible': ~Eval('salable', False),
            })

    @classmethod
    def default_code_readonly(cls):
        # replaces product's (no super()): the same answer read from the
        # configuration's column, without loading the whole singleton on
        # every search ordered by code
        return _code_sequence_set('template_sequence')


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # the shop lists products by code: with this index a page reads its
        # rows in order instead of sorting the whole catalog (Tryton's own
        # code indexes are on COALESCE(code, ''), which ORDER BY code does
        # not use)
        cls._sql_indexes.add(
            Index(t, (t.code, Index.Range()), (t.id, Index.Range())))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # the catalog searches names without diacritics
        unaccent.create_extension()

    @classmethod
    def default_code_readonly(cls):
        # replaces product's (no super()), as the template's above
        return _code_sequence_set('product_sequence')

    @classmethod
    def b2b_parse_quantity(cls, text):
        """Return the quantity typed by a user (12, 0,25, 0.25, spaces
        around) as a Decimal; raise QuantityError for anything else: empty
        text, signs, exponents, NaN or Infinity, thousands separators,
        control characters, overlong numbers. Its bounds are the sale
        quantity rule's (b2b_check_sale_quantity)."""
        text = text.strip(QUANTITY_SPACES) if isinstance(text, str) else ''
        if (len(text) > QUANTITY_TEXT_LENGTH
                or not QUANTITY_TEXT.fullmatch(text)):
            raise QuantityError(gettext('b2b_base.msg_quantity_invalid'))
        return Decimal(text.replace(',', '.'))

    # what b2b_quantity_rule_of reads of a template
    B2B_QUANTITY_FIELDS = ['sale_quantity_rounding', 'sale_quantity_minimal',
        'b2b_package_quantity', 'b2b_package_only']

    @classmethod
    def b2b_quantity_rule_of(cls, template, unit_rounding):
        """Return (minimum, step) of the quantity a user may order, in the
        sale unit, from the template's values (a record, or a dict read of
        B2B_QUANTITY_FIELDS) and the rounding of its sale unit: the step is
        the sale step, else the whole package when only packages are sold,
        else the unit's rounding; the minimum is the minimum logistic
        quantity, at least one step. The quantities it allows pass
        b2b_check_sale_quantity."""
        get = (template.get if isinstance(template, dict)
            else lambda name: getattr(template, name))
        step = _decimal(get('sale_quantity_rounding') or unit_rounding or 1)
        if get('b2b_package_only') and get('b2b_package_quantity'):
            step = _decimal(get('b2b_package_quantity'))
        minimum = max(_decimal(get('sale_quantity_minimal') or 0), step)
        return _plain(minimum), _plain(step)

    def b2b_quantity_rule(self):
        "Return (minimum, step) of the quantity of the product (sale unit)"
        return self.b2b_quantity_rule_of(self.template, self.sale_uom.rounding)

    @classmethod
    def b2b_default_quantity_of(cls, template, unit_rounding):
        """Return the quantity the shop proposes (template and unit_rounding
        as for b2b_quantity_rule_of): the minimum when the product has a
        selling rule (minimum, sale step, whole packages), else one sale
        unit, rounded up to the unit's rounding: that rounding (0.01 l) is
        the precision of a quantity, not a quantity anyone orders"""
        get = (template.get if isinstance(template, dict)
            else lambda name: getattr(template, name))
        minimum, step = cls.b2b_quantity_rule_of(template, unit_rounding)
        if not (get('sale_quantity_minimal') or get('sale_quantity_rounding')
                or (get('b2b_package_only')
                    and get('b2b_package_quantity'))):
            one = (1 / step).to_integral_value(ROUND_CEILING) * step
            minimum = max(minimum, one).normalize()
        # written without exponent (50, not 5E+1): the value of a form
        return minimum.quantize(1) if minimum == minimum.to_integral_value(
            ) else minimum

    def b2b_check_sale_quantity(self, quantity, unit=None,
            waive_minimum=False):
        """Raise SaleQuantityError unless the quantity (a Decimal, float or
        int, in unit, by default the sale unit) is a number the unit can
        hold (its digits, MAXIMUM_QUANTITY) and respects the minimum
        logistic quantity, the sale step and the whole packages of the
        product

        The one quantity rule of every way into a sale line (cart, quick
        order, re-order, sale.line.check_quantity): call it on the exact
        number before it is stored in the Float field."""
        pool = Pool()
        Uom = pool.get('product.uom')
        sale_uom = self.sale_uom
        unit = unit or sale_uom
        if quantity is None:
            return
        exact = _decimal(quantity)
        if not exact.is_finite():
            raise SaleQuantityError(gettext('b2b_base.msg_quantity_invalid'))
        if exact > MAXIMUM_QUANTITY:
            raise SaleQuantityError(gettext(
                    'b2b_base.msg_quantity_maximum',
                    product=self.rec_name,
                    maximum=formats.quantity(MAXIMUM_QUANTITY, unit)))
        if exact < 0:
            return

        def fmt_in_unit(value):
            # as many decimals as the quantity has, as the portal writes
            # it: 0,25 kg, 0,5 kg, 6 szt. (0.25 kg, 6 u in English)
            return formats.quantity(value, unit)

        def nearest(value, step, fmt, minimum=None):
            "The valid quantities around value: 'lower or upper' or upper"
            lower = (value / step).to_integral_value(ROUND_FLOOR) * step
            upper = (value / step).to_integral_value(ROUND_CEILING) * step
            if lower <= 0 or (minimum and lower < minimum):
                return fmt(upper)
            return gettext('b2b_base.msg_quantity_or',
                lower=fmt(lower), upper=fmt(upper))

        # as many decimals as the unit has: Tryton validates the Float field
        # by the unit's digits only after writing it (a float holds no more
        # than 15 digits, which also keeps quantize within its precision)
        digits = min(unit.digits if unit.digits is not None else 2, 15)
        step = Decimal(1).scaleb(-digits)
        if exact != exact.quantize(step, rounding=ROUND_FLOOR):
            # "Order 12 szt.": the unit's full stop ends the sentence
            raise SaleQuantityError(formats.one_full_stop(gettext(
                        'b2b_base.msg_quantity_whole' if not digits
                        else 'b2b_base.msg_quantity_decimals',
                        product=self.rec_name,
                        unit=unit.symbol,
                        quantity=fmt_in_unit(exact),
                        step=fmt_in_unit(step),
                        nearest=nearest(exact, step, fmt_in_unit))))

        in_sale_uom = _decimal(Uom.compute_qty(
                unit, float(exact), sale_uom, round=False))
        # float noise of unit conversions must not refuse 0.5 kg as 500 g
        in_sale_uom = in_sale_uom.quantize(Decimal('1e-9'))

        def fmt(value):
            value = _decimal(round(Uom.compute_qty(
                        sale_uom, float(value), unit, round=False), 9))
            return fmt_in_unit(value)

        minimum = self.sale_quantity_minimal
        if minimum and not waive_minimum and in_sale_uom < _decimal(minimum):
            raise SaleQuantityError(gettext(
                    'b2b_base.msg_quantity_below_minimum',
                    product=self.rec_name,
                    quantity=fmt(in_sale_uom),
                    minimum=fmt(minimum)))
        for step, message in [
                (self.sale_quantity_rounding, 'msg_quantity_step'),
                (self.b2b_package_quantity if self.b2b_package_only
                    else None, 'msg_quantity_package'),
                ]:
            if not step:
                continue
            step = _decimal(step)
            if in_sale_uom % step:
                raise SaleQuantityError(formats.one_full_stop(gettext(
                            'b2b_base.' + message,
                            product=self.rec_name,
                            quantity=fmt(in_sale_uom),
                            step=fmt(step),
                            nearest=nearest(in_sale_uom, step, fmt,
                                _decimal(minimum)
                                if minimum and not waive_minimum
                                else None))))

    @classmethod
    def b2b_catalog_domain(cls):
        """Return the domain of the products offered in the shop: salable
        and in a catalog category (not e.g. the carriers' services, which
        are only in accounting categories)"""
        return [
            ('salable', '=', True),
            ('template.categories.accounting', '=', False),
            ]

    @classmethod
    def b2b_search_domain(cls, text):
        """Return the domain of the products a customer's search text
        finds: each of its words in the code (any part of it, in any case:
        00026 and hd-00026 find HD-00026) or in the name (without
        diacritics where the database can: maka finds Mąka)"""
        domain = []
        for word in text.split()[:SEARCH_WORDS]:
            value = f'%{escape_wildcard(word)}%'
            domain.append(['OR',
                    ('code', 'ilike', value),
                    ('template.name', 'ilike', value),
                    ])
        return domain

    @classmethod
    def b2b_products_by_code(cls, codes):
        """Return {code: product} of the salable products whose code is one
        of codes in any case (hd-00040 is HD-00040); a product whose code
        is the same to the letter comes before one that differs in case"""
        codes = {c for c in codes if c}
        found = {p.code: p for p in cls.search([
                    ('code', 'in', list(codes)),
                    ('salable', '=', True),
                    ])} if codes else {}
        result = {c: found[c] for c in codes if c in found}
        missing = {c.lower(): c for c in codes if c not in result}
        if missing:
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            ids = []
            for sub_codes in grouped_slice(
                    list(missing), backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.select(table.id,
                        where=Lower(table.code).in_(list(sub_codes))))
                ids += [i for i, in cursor]
            products = cls.search([
                    ('id', 'in', ids),
                    ('salable', '=', True),
                    ], order=[('code', 'ASC'), ('id', 'ASC')])
            for product in products:
                code = missing.get(product.code.lower())
                if code is not None:
                    result.setdefault(code, product)
        return result

    @classmethod
    def b2b_images(cls, products):
        """Return per product id its image shown in the shop (product.image:
        the first of the product's own, else of its template's) as (image
        id, version), None for a product without image; the version
        changes when the image does"""
        pool = Pool()
        Image = pool.get('product.image')
        ids = [int(p) for p in products]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        templates = {}
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(table.id, table.template,
                    where=table.id.in_(list(sub_ids))))
            templates.update(cursor)
        result = dict.fromkeys(ids)
        if not templates:
            return result
        # the order of product.image (its sequence, then id); read, not
        # browsed: a record would read more than these columns
        images = Image.search_read([
                ('template', 'in', list(set(templates.values()))),
                ], fields_names=['product', 'template', 'write_date',
                'create_date'])
        own, common = {}, {}
        for image in images:
            stamp = image['write_date'] or image['create_date']
            value = (image['id'], '%x-%x' % (
                    image['id'], int(stamp.timestamp() * 1000)))
            if image['product']:
                own.setdefault(image['product'], value)
            else:
                common.setdefault(image['template'], value)
        for product_id, template_id in templates.items():
            result[product_id] = own.get(product_id, common.get(template_id))
        return result

    @classmethod
    def b2b_catalog_products(cls, domain, offset=0, limit=None):
        """Return the products of the domain in the catalog's order (code,
        then id: the order of the index of __setup__), browsed from the
        ids alone: Tryton's search also fills the records' cache with every
        column of every row, which the catalog does not read"""
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls.search(domain, offset=offset, limit=limit,
                order=[('code', 'ASC'), ('id', 'ASC')], query=True))
        return cls.browse([product_id for product_id, in cursor])

    @classmethod
    def b2b_availability(cls, products, warehouse=None):
        """Return per product id its stock level in the warehouse:
        'in_stock', 'low' (below the configured threshold, in the sale
        unit) or 'out_of_stock', for all the products in one call"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        Location = pool.get('stock.location')
        Date = pool.get('ir.date')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        if warehouse is None:
            warehouse = Location.get_default_warehouse()
        if warehouse is None:
            warehouses = Location.search([('type', '=', 'warehouse')],
                limit=1)
            warehouse = warehouses[0].id if warehouses else None
        if warehouse is None or not products:
            return {int(p): 'out_of_stock' for p in products}
        low = Configuration(1).low_stock_quantity or 0
        ids = [int(p) for p in products]
        with Transaction().set_context(
                locations=[int(warehouse)], with_childs=True,
                stock_date_end=Date.today()):
            rows = cls.read(ids,
                ['quantity', 'forecast_quantity', 'template'])
        # the units of all the products in one read, not record by record
        units = {t['id']: t for t in Template.read(
                list({r['template'] for r in rows}),
                ['default_uom', 'sale_uom'])}
        levels = {}
        for row in rows:
            unit = units[row['template']]
            # what is promised to other orders is not available
            quantity = min(row['quantity'] or 0, row['forecast_quantity'] or 0)
            if unit['default_uom'] != unit['sale_uom']:
                quantity = Uom.compute_qty(Uom(unit['default_uom']),
                    quantity, Uom(unit['sale_uom']), round=False)
            if quantity <= 0:
                levels[row['id']] = 'out_of_stock'
            elif quantity < low:
                levels[row['id']] = 'low'
            else:
                levels[row['id']] = 'in_stock'
        return levels

    # (model, what of it a catalog page depends on): None for all the
    # records of a small table, else 'product' or 'template' (the rows of
    # the page's products or their templates) or 'party' (the company's)
    _b2b_stamp_query = None
    _b2b_catalog_sources = [
        ('product.product', 'id'),
        ('product.template', 'template'),
        ('product.template-product.category', 'template'),
        ('product.list_price', 'template'),
        ('product.image', 'template'),
        ('product.cost_price', 'product'),
        ('b2b.quantity.discount', None),
        ('product.category', None),
        ('product.uom', None),
        ('product.price_list', None),
        ('product.price_list.line', None),
        ('party.party', 'party'),
        ('party.party.sale_price_list', 'party'),
        ('party.party.account', 'party'),
        ('b2b.customer.group', None),
        ('account.tax', None),
        ('account.tax.rule', None),
        ('account.tax.rule.line', None),
        ('product.category-customer-account.tax', None),
        ('b2b.configuration', None),
        ('stock.location', None),
        ('stock.period', None),
        ('stock.move', 'product'),
        ]

    @classmethod
    def b2b_catalog_stamp(cls, products, party=None):
        """Return a value that changes whenever what the shop shows of these
        products to the company may change: their names and selling rules,
        their prices (everything b2b.pricing reads: list prices, price
        lists, quantity tiers, the company's group, price list and taxes),
        their stock (moves, locations) and the shop's settings, in one query

        Every table gives its latest write or creation time and its number
        of rows, so an insert, an update or a delete changes the stamp (the
        translations of the names are records of ir.translation). The
        portal keeps a rendered catalog page as long as its stamp holds."""
        product_ids = sorted({int(p) for p in products}) or [-1]
        # the templates straight from the table: a record's template would
        # load its many fields taken from the template
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.template,
                where=table.id.in_(product_ids)))
        values = {
            'id': product_ids,
            'template': sorted({t for t, in cursor}) or [-1],
            'party': [int(party) if party else -1],
            }
        values['product'] = values['id']
        if backend.name == 'postgresql':
            # the same text for every page: built once, prepared by the
            # server, the ids passed as arrays
            if cls._b2b_stamp_query is None:
                # python-sql's ANY of a list is one parameter, the list:
                # [key] stands for the values of key
                cls._b2b_stamp_query = cls._b2b_catalog_stamp_query(
                    lambda column, key: Equal(column, Any([key])))
            query, params, names = cls._b2b_stamp_query
            params = [values[p[0]] if isinstance(p, list) else p
                for p in params]
            cursor.execute(query, params, prepare=True)
        else:
            # SQLite's cursor takes no prepare argument
            query, params, names = cls._b2b_catalog_stamp_query(
                lambda column, key: column.in_(values[key]))
            cursor.execute(query, params)
        return tuple((names[index], str(stamp), count)
            for index, stamp, count in sorted(cursor))

    @classmethod
    def _b2b_catalog_stamp_query(cls, match):
        """Return the SQL, the parameters and the models of the stamp:
        match(column, key) restricts a column to the values of key (id,
        template, product or party)"""
        pool = Pool()
        Translation = pool.get('ir.translation')
        queries, names = [], []

        def add(table, where, model):
            names.append(model)
            queries.append(table.select(
                    Cast(Literal(len(queries)), 'INTEGER'),
                    Max(Coalesce(table.write_date, table.create_date)),
                    Count(), where=where))
        for model, key in cls._b2b_catalog_sources:
            try:
                Model = pool.get(model)
            except KeyError:
                continue
            table = Model.__table__()
            if key is None:
                where = Literal(True)
            elif key == 'id' or (model, key) in {
                    ('product.template', 'template'),
                    ('party.party', 'party')}:
                where = match(table.id, key)
            else:
                where = match(getattr(table, key), key)
            add(table, where, model)
        translation = Translation.__table__()
        add(translation,
            ((translation.name == 'product.template,name')
                & match(translation.res_id, 'template'))
            | translation.name.in_([
                    'product.uom,symbol', 'product.uom,name',
                    'product.category,name']),
            'ir.translation')
        return (*tuple(Union(*queries, all_=True)), names)


class TemplateCategory(metaclass=PoolMeta):
    __name__ = 'product.template-product.category'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # the catalog and the pricing service look categories up by product
        cls._sql_indexes.update({
                Index(t, (t.template, Index.Range())),
                Index(t, (t.category, Index.Range())),
                })


class Category(metaclass=PoolMeta):
    __name__ = 'product.category'

    b2b_quantity_discounts = fields.One2Many(
        'b2b.quantity.discount', 'category', "Quantity Discounts",
        help="Used for the category's products that have none of their "
        "own.")


class QuantityDiscount(ModelSQL, ModelView):
    __name__ = 'b2b.quantity.discount'

    template = fields.Many2One(
        'product.template', "Product", ondelete='CASCADE',
        states={
            'required': ~Eval('category'),
            'invisible': Bool(Eval('category')),
            })
    category = fields.Many2One(
        'product.category', "Category", ondelete='CASCADE',
        states={
            'required': ~Eval('template'),
            'invisible': Bool(Eval('template')),
            })
    quantity = fields.Float(
        "From Quantity", required=True,
        domain=[('quantity', '>', 0)],
        help="The discount applies from this line quantity on, "
        "in the product's sale unit.")
    discount = fields.Numeric(
        "Discount %", digits=(5, 2), required=True,
        domain=[
            ('discount', '>', 0),
            ('discount', '<', 100),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('quantity', 'ASC'))
