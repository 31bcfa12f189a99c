# This file is part of the B2B wholesale suite.
"""Deferred payment at checkout, gated by the company's available credit"""
import datetime
from decimal import Decimal

from sql import Cast, Union
from sql.operators import Concat

from trytond import backend
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import CreditCheckoutError


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    b2b_placed_at = fields.Timestamp(
        "Placed At", readonly=True,
        help="When the order was confirmed; an ERP sync of the used credit "
        "counts the orders placed after it.")

    @property
    def b2b_on_credit(self):
        method = self.b2b_payment_method
        return bool(method and method.kind == 'deferred')

    @classmethod
    def b2b_credit_pending_amounts(cls, sales):
        """Return the sum of the gross amounts of the sales not invoiced yet
        (b2b_credit_pending): a sale no posted invoice, ignored invoice or
        ignored move touches is pending in full, its total (stored once
        confirmed); one query finds the others, computed line by line"""
        pool = Pool()
        Line = pool.get('sale.line')
        InvoiceLine = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        IgnoredInvoice = pool.get('sale.sale-ignored-account.invoice')
        IgnoredMove = pool.get('sale.line-ignored-stock.move')
        line = Line.__table__()
        invoice_line = InvoiceLine.__table__()
        invoice = Invoice.__table__()
        ignored_invoice = IgnoredInvoice.__table__()
        ignored_move = IgnoredMove.__table__()
        cursor = Transaction().connection.cursor()
        touched = set()
        for sub_ids in grouped_slice(
                [s.id for s in sales], backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            where = reduce_ids(line.sale, sub_ids)
            invoiced = line.join(invoice_line, condition=(
                    invoice_line.origin == Concat(
                        'sale.line,', Cast(line.id, 'VARCHAR')))
                ).join(invoice, condition=invoice.id == invoice_line.invoice
                ).select(line.sale,
                    where=where & invoice.state.in_(['posted', 'paid']))
            invoice_ignored = ignored_invoice.select(ignored_invoice.sale,
                where=reduce_ids(ignored_invoice.sale, sub_ids))
            move_ignored = line.join(ignored_move,
                condition=ignored_move.sale_line == line.id
                ).select(line.sale, where=where)
            cursor.execute(*Union(invoiced, invoice_ignored, move_ignored))
            touched.update(sale_id for sale_id, in cursor)
        return sum((s.b2b_credit_pending() if s.id in touched
                else s.total_amount for s in sales), Decimal(0))

    def b2b_credit_pending(self):
        """Return the gross amount of the order that is not invoiced yet
        (by posted invoices): all of it until the first invoice"""
        pool = Pool()
        Uom = pool.get('product.uom')
        remaining, changed = Decimal(0), False
        for line in self.lines:
            quantity = line.credit_limit_quantity
            if quantity is None:
                continue
            changed |= quantity != line.quantity
            for invoice_line in line.invoice_lines:
                invoice = invoice_line.invoice
                if (invoice_line.type != 'line' or not invoice
                        or invoice.state not in {'posted', 'paid'}):
                    continue
                changed = True
                quantity -= Uom.compute_qty(
                    invoice_line.unit or line.unit, invoice_line.quantity,
                    line.unit, round=False)
            if quantity > 0:
                remaining += Decimal(str(quantity)) * line.unit_price
        if not changed:
            return self.total_amount
        if self.untaxed_amount:
            # taxes in the same proportion as on the whole order
            remaining = remaining * self.total_amount / self.untaxed_amount
        return self.currency.round(max(remaining, Decimal(0)))

    def must_check_credit_limit(self):
        # a customer company's credit is checked by b2b_check_credit, with
        # a lock on that company only, not Tryton's table locks
        if self.party and self.party.b2b_customer:
            return False
        return super().must_check_credit_limit()

    @classmethod
    def b2b_check_credit(cls, sales):
        """Lock the credit of the companies of the sales and refuse the
        sales on credit that do not fit it (CreditCheckoutError)"""
        parties = {s.party for s in sales
            if s.party and s.party.b2b_customer}
        if not parties:
            return
        Party = Pool().get('party.party')
        Party.b2b_lock_credit(list(parties))
        checked = []
        for sale in sales:
            if not sale.b2b_on_credit or sale.state in {
                    'confirmed', 'processing', 'done'}:
                continue
            # the other sales confirmed together count as already used
            refusal = sale.party.b2b_deferred_refusal(
                sale.total_amount + sum(
                    (s.total_amount for s in checked
                        if s.party == sale.party), Decimal(0)),
                sale.company, exclude=[sale] + checked)
            if refusal:
                raise CreditCheckoutError(refusal.message)
            checked.append(sale)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    # the employee who confirmed is set by sale's own confirm (super)
    def confirm(cls, sales):
        cls.b2b_check_credit(sales)
        cls.write([s for s in sales if not s.b2b_placed_at], {
                'b2b_placed_at': datetime.datetime.now(),
                })
        super().confirm(sales)

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_placed_at')
        return super().copy(sales, default=default)

    @classmethod
    def b2b_checkout_options(cls, web_user):
        """Add to the options the payment methods refused now
        ('unavailable_payment_methods': (method, Refusal) pairs) and the
        company's credit; deferred payment is offered only while the
        cart's gross total fits the available credit"""
        options = super().b2b_checkout_options(web_user)
        options['unavailable_payment_methods'] = []
        if Transaction().context.get('_b2b_placing'):
            # placing the order: its confirmation checks the credit
            return options
        party = web_user.party
        cart = cls.b2b_cart(web_user)
        total = cart.total_amount if cart else Decimal(0)
        credit = options['credit'] = party.b2b_credit()
        offered = []
        for method in options['payment_methods']:
            if method.kind == 'deferred':
                refusal = party.b2b_deferred_refusal(total, credit=credit)
                if refusal:
                    options['unavailable_payment_methods'].append(
                        (method, refusal))
                    continue
            offered.append(method)
        options['payment_methods'] = offered
        return options

    def b2b_confirm_at_checkout(self):
        # the credit is checked under the company's lock with the order's
        # real total: the buyer learns at checkout if it does not fit
        return self.b2b_on_credit or super().b2b_confirm_at_checkout()

    @classmethod
    def b2b_place_order(cls, web_user, cart, shipment_address=None,
            new_address=None, carrier=None, payment_method=None,
            comment=None, reference=None):
        pool = Pool()
        Party = pool.get('party.party')
        # the options need not say which methods the credit allows: the
        # confirmation checks the credit of an order on credit
        context = {'_b2b_placing': True}
        if (cart and payment_method and payment_method.kind == 'deferred'
                and web_user.b2b_may('order', cart)):
            # the company's lock first: a checkout that must start again
            # loses little work
            Party.b2b_lock_credit([web_user.party])
            # what does not fit even without the delivery cost is refused
            # before any work (and while the order waits for review); the
            # confirmation checks the order's real total
            refusal = web_user.party.b2b_deferred_refusal(
                cart.total_amount, exclude=[cart])
            if refusal:
                raise CreditCheckoutError(refusal.message)
        with Transaction().set_context(context):
            return super().b2b_place_order(web_user, cart,
                shipment_address=shipment_address, new_address=new_address,
                carrier=carrier, payment_method=payment_method,
                comment=comment, reference=reference)
