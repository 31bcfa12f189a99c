# This file is part of the B2B wholesale suite.
import datetime
from decimal import Decimal

from trytond.model import ModelView, Workflow, fields
from trytond.modules.product import price_digits
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'sale.configuration.sequence'

    @classmethod
    def default_sale_sequence(cls):
        # the orders are numbered ZAM/<year>/NNNNNN unless a company chose
        # another sequence (the numbers given stay as they are)
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('b2b_base', 'sequence_sale')
        except KeyError:
            return super().default_sale_sequence()


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @property
    def b2b_customer(self):
        "The customer company whose prices the sale gets, if any"
        party = self.party
        if party and party.b2b_customer:
            return party

    @classmethod
    def b2b_reprice(cls, sales):
        """Set every line's unit price from the pricing service, one call
        per sale"""
        Line = Pool().get('sale.line')
        Line.save([line for sale in sales
                for line in cls.b2b_price_lines(sale, sale.lines)])

    @classmethod
    def b2b_price_lines(cls, sale, lines):
        """Set the unit price of these lines of the sale from the pricing
        service, in one call, without writing them; return the lines whose
        price changed

        A line's price depends on its own product, quantity, unit and
        manual price only (the quantity tier and the package discount are
        reached by the line's quantity, not by the sale's), so a change of
        one cart line prices that line alone; placing the order prices
        every line again (quote)."""
        Pricing = Pool().get('b2b.pricing')
        party = sale.b2b_customer
        lines = [l for l in lines if l.type == 'line' and l.product
            and getattr(l, 'shipment_cost', None) is None]
        if not party or not lines:
            return []
        with Transaction().set_context(company=sale.company.id):
            prices = Pricing.compute(party, [
                    (l.product, l.quantity, l.unit,
                        getattr(l, 'b2b_manual_price', None))
                    for l in lines], date=sale.sale_date)
        changed = []
        for line, price in zip(lines, prices):
            if line.unit_price != price.unit_price:
                line.unit_price = price.unit_price
                changed.append(line)
        return changed

    @classmethod
    @ModelView.button
    @Workflow.transition('quotation')
    def quote(cls, sales):
        # prices are what the pricing service says, whatever was typed
        cls.b2b_reprice(sales)
        super().quote(sales)


class Line(metaclass=PoolMeta):
    __name__ = 'sale.line'

    b2b_manual_price = fields.Numeric(
        "Manual Price", digits=price_digits,
        states={
            'invisible': Eval('type') != 'line',
            'readonly': Eval('sale_state') != 'draft',
            },
        help="A price set by a sales rep or an offer; it replaces the "
        "customer's price.")
    b2b_manual_price_by = fields.Many2One(
        'res.user', "Manual Price Set By", readonly=True,
        states={
            'invisible': ~Eval('b2b_manual_price'),
            })
    b2b_manual_price_at = fields.Timestamp(
        "Manual Price Set At", readonly=True,
        states={
            'invisible': ~Eval('b2b_manual_price'),
            })

    @fields.depends('b2b_manual_price', methods=['compute_unit_price'])
    def on_change_b2b_manual_price(self):
        self.unit_price = self.compute_unit_price()

    @fields.depends(
        'product', 'quantity', 'unit', 'b2b_manual_price', 'shipment_cost',
        'unit_price', 'sale', '_parent_sale.party', '_parent_sale.sale_date',
        '_parent_sale.company')
    def compute_unit_price(self):
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        if (self.shipment_cost is not None
                or Transaction().context.get('_b2b_priced_after')):
            # the price is set right after: the carrier's cost on the
            # delivery line (sale_shipment_cost), the pricing service's
            # batched call on the lines added to a cart (b2b_price_lines)
            return self.unit_price
        party = self.sale.party if self.sale else None
        if not (self.product and party and party.b2b_customer):
            return super().compute_unit_price()
        context = {}
        if self.sale.company:
            context['company'] = self.sale.company.id
        with Transaction().set_context(context):
            price, = Pricing.compute(party, [(
                        self.product, self.quantity or 0,
                        self.unit, self.b2b_manual_price)],
                date=self.sale.sale_date)
        return price.unit_price

    def b2b_minimum_quantity_waived(self):
        """Tell if the minimum logistic quantity does not apply to this line
        (a delivery method may waive it)"""
        return False

    def b2b_set_quantity(self, quantity):
        """Set the quantity (a Decimal, float or int) once the product's
        quantity rule accepts the exact number: the Float field gets it
        only then, so nothing refused is ever written (the cart, quick
        order, re-order and the offers or reps of other modules)"""
        quantity = Decimal(str(quantity))
        if self.product:
            self.product.b2b_check_sale_quantity(quantity, self.unit,
                waive_minimum=self.b2b_minimum_quantity_waived())
        self.quantity = float(quantity)

    @classmethod
    def _validate(cls, lines, field_names=None):
        # a cart's quantity change (Sale.b2b_cart_set_quantity) checked
        # the quantity and priced the line itself; a module adding a rule
        # on the quantity extends b2b_set_quantity, which every way into
        # a line calls. Only the quantity and unit price may be written so.
        if (Transaction().context.get('_b2b_cart_quantity_checked')
                and field_names is not None
                and set(field_names) <= {'quantity', 'unit_price'}):
            return
        super()._validate(lines, field_names=field_names)

    def check_quantity(self):
        # replaces sale_product_quantity's (no super(): its check has no
        # waived minimum and would refuse what this one allows): the
        # minimum may be waived, the step error names the nearest valid
        # quantities, and products sold in whole packages accept only
        # package multiples
        if (not self.product
                or self.sale.state != 'draft'
                or self.quantity is None or self.quantity < 0):
            return
        self.product.b2b_check_sale_quantity(
            self.quantity, self.unit,
            waive_minimum=self.b2b_minimum_quantity_waived())

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'b2b_manual_price' in values:
            if values['b2b_manual_price'] is None:
                values.update(b2b_manual_price_by=None,
                    b2b_manual_price_at=None)
            else:
                # who set a special price, and when, is kept with it
                values.update(
                    b2b_manual_price_by=Transaction().user or None,
                    b2b_manual_price_at=datetime.datetime.now())
        return values

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_manual_price_by')
        default.setdefault('b2b_manual_price_at')
        return super().copy(lines, default=default)
