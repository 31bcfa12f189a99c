# This file is part of the B2B wholesale suite.
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import SaleQuantityError


def _decimal(value):
    return Decimal(str(value))


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


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    def b2b_check_sale_quantity(self, quantity, unit=None,
            waive_minimum=False):
        """Raise SaleQuantityError unless the quantity (in unit, by default
        the sale unit) respects the minimum logistic quantity, the sale step
        and the whole packages of the product"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Uom = pool.get('product.uom')
        lang = Lang.get()
        sale_uom = self.sale_uom
        unit = unit or sale_uom
        if quantity is None or quantity < 0:
            return
        in_sale_uom = _decimal(Uom.compute_qty(
                unit, quantity, sale_uom, round=False))
        # float noise of unit conversions must not refuse 0.5 kg as 500 g
        in_sale_uom = in_sale_uom.quantize(Decimal('1e-9'))

        def fmt(value):
            value = _decimal(round(Uom.compute_qty(
                        sale_uom, float(value), unit, round=False), 9))
            # as many decimals as the quantity has: 0.25 kg, 0.5 kg, 6 u
            digits = max(-value.normalize().as_tuple().exponent, 0)
            return lang.format_number_symbol(value, unit, digits=digits)

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
                lower = (in_sale_uom / step).to_integral_value(
                    ROUND_FLOOR) * step
                upper = (in_sale_uom / step).to_integral_value(
                    ROUND_CEILING) * step
                if lower <= 0 or (minimum and not waive_minimum
                        and lower < _decimal(minimum)):
                    nearest = fmt(upper)
                else:
                    nearest = gettext('b2b_base.msg_quantity_or',
                        lower=fmt(lower), upper=fmt(upper))
                raise SaleQuantityError(gettext(
                        'b2b_base.' + message,
                        product=self.rec_name,
                        quantity=fmt(in_sale_uom),
                        step=fmt(step),
                        nearest=nearest))

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
    def b2b_availability(cls, products, warehouse=None):
        """Return per product id its stock level in the warehouse:
        'in_stock', 'low' (below the configured threshold, in the sale
        unit) or 'out_of_stock', for all the products in one call"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        Location = pool.get('stock.location')
        Date = pool.get('ir.date')
        Uom = pool.get('product.uom')
        if warehouse is None:
            warehouse = Location.get_default_warehouse()
        if warehouse is None:
            warehouses = Location.search([('type', '=', 'warehouse')],
                limit=1)
            warehouse = warehouses[0].id if warehouses else None
        if warehouse is None or not products:
            return {p.id: 'out_of_stock' for p in products}
        low = Configuration(1).low_stock_quantity or 0
        with Transaction().set_context(
                locations=[int(warehouse)], with_childs=True,
                stock_date_end=Date.today()):
            rows = cls.read([p.id for p in products],
                ['quantity', 'forecast_quantity'])
        by_id = {p.id: p for p in products}
        levels = {}
        for row in rows:
            product = by_id[row['id']]
            # what is promised to other orders is not available
            quantity = min(row['quantity'] or 0, row['forecast_quantity'] or 0)
            quantity = Uom.compute_qty(product.default_uom, quantity,
                product.sale_uom, round=False)
            if quantity <= 0:
                levels[product.id] = 'out_of_stock'
            elif quantity < low:
                levels[product.id] = 'low'
            else:
                levels[product.id] = 'in_stock'
        return levels


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
