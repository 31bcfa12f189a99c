# This file is part of the B2B wholesale suite.
"""The cart of an employee account and placing it as an order.

A cart is a draft sale owned by a web user (b2b_web_user): it survives
logging out, and sales reps can list and take it over. The portal calls
these methods and holds no rule of its own."""
import datetime
import re
from collections import namedtuple
from decimal import Decimal

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import formats
from .exceptions import B2BAccessError, CartError, CheckoutError
from .mail import send_text

# "CODE QUANTITY" with spaces, tabs, a semicolon or a comma between; the
# quantity is read by product.product.b2b_parse_quantity
QUICK_ORDER_LINE = re.compile(
    r'^\s*(?P<code>[^\s;,]+)[\s;,]+(?P<quantity>\S+)\s*$')


# what checkout shows before the button: the order as placing would make
# it (lines priced and the delivery line added as quote does), the
# delivery cost of each offered method and the VAT per rate
CheckoutSummary = namedtuple('CheckoutSummary', [
        'lines',  # the cart's lines priced now, the delivery line last
        'deliveries',  # (carrier, name, net delivery cost or None)
        'carrier', 'payment_method',
        'untaxed_amount',
        'taxes',  # (tax, base, amount) per rate, highest rate first
        'tax_amount', 'total_amount'])


def _exact(quantity):
    "Return the quantity as a Decimal (None stays None)"
    return Decimal(str(quantity)) if quantity is not None else None


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    b2b_web_user = fields.Many2One(
        'web.user', "Placed By", readonly=True,
        help="The employee account whose cart the sale is or was.")
    b2b_ordered_at = fields.Timestamp(
        "Ordered At", readonly=True,
        help="When the buyer placed the order from the cart: from then on "
        "it is an order, not the cart, even before it is quoted.")
    b2b_payment_method = fields.Many2One(
        'b2b.payment.method', "Payment Method", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.b2b_web_user, Index.Equality()),
                (t.state, Index.Equality()),
                where=t.b2b_web_user != None))  # noqa: E711

    @classmethod
    def copy(cls, sales, default=None):
        # a copy is the staff's draft: neither an account's cart nor placed
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_web_user')
        default.setdefault('b2b_ordered_at')
        return super().copy(sales, default=default)

    @fields.depends('party', '_parent_party.b2b_customer_group')
    def on_change_with_available_carriers(self, name=None):
        carriers = super().on_change_with_available_carriers(name=name)
        group = self.party.b2b_customer_group if self.party else None
        if group and group.carriers:
            # a company chooses among its group's delivery methods only
            allowed = {c.id for c in group.carriers}
            carriers = [c for c in carriers if int(c) in allowed]
        return carriers

    def b2b_is_cart_of(self, web_user):
        "Tell if the sale is the account's own cart: its draft not ordered"
        return (self.state == 'draft' and not self.b2b_ordered_at
            and self.b2b_web_user == web_user)

    @classmethod
    def _b2b_check_cart(cls, web_user, cart):
        "Refuse a cart that is not this account's own draft"
        if not cart or not cart.b2b_is_cart_of(web_user):
            raise B2BAccessError(gettext('b2b_base.msg_cart_not_yours'))

    @classmethod
    def b2b_cart(cls, web_user, create=False):
        "Return the account's cart (a draft sale), created when asked"
        web_user.b2b_check('view')
        carts = cls.search([
                ('b2b_web_user', '=', web_user.id),
                ('state', '=', 'draft'),
                ('b2b_ordered_at', '=', None),
                ], order=[('id', 'DESC')], limit=1)
        if carts:
            return carts[0]
        if create:
            web_user.b2b_check('order')
            cart = cls(party=web_user.party, b2b_web_user=web_user)
            cart.on_change_party()
            cart.save()
            return cart

    @classmethod
    def b2b_cart_header(cls, web_user):
        """Return the number of lines and the net total of the account's
        cart as stored (nothing priced: every page shows it), (0, 0)
        without a cart"""
        cart = cls.b2b_cart(web_user)
        if not cart:
            return 0, Decimal(0)
        count = len([l for l in cart.lines if l.type == 'line'])
        return count, cart.untaxed_amount

    @classmethod
    def b2b_cart_add(cls, web_user, items):
        """Add (product, quantity[, unit]) items to the account's cart,
        all or none, and return the cart; every quantity (a Decimal, float
        or int) passes the product's quantity rule before anything is
        written"""
        pool = Pool()
        Line = pool.get('sale.line')
        web_user.b2b_check('order')
        # each item on its own first: a refused one creates no cart
        checked = []
        for item in items:
            product, quantity, *rest = item
            unit = rest[0] if rest and rest[0] else product.sale_uom
            cls._b2b_check_product(product)
            quantity = cls.b2b_positive_quantity(product, quantity)
            # the step is checked on what the buyer adds
            product.b2b_check_sale_quantity(
                quantity, unit, waive_minimum=True)
            checked.append((product, quantity, unit))
        cart = cls.b2b_cart(web_user, create=True)
        lines = {(l.product.id, l.unit.id): l for l in cart.lines
            if l.type == 'line' and l.product}
        to_save = []
        for product, quantity, unit in checked:
            line = lines.get((product.id, unit.id))
            if line is None:
                line = Line(sale=cart, product=product, unit=unit,
                    quantity=0)
                with Transaction().set_context(_b2b_priced_after=True):
                    line.on_change_product()
                line.unit = unit
                lines[(product.id, unit.id)] = line
            # then the line it makes, by the sale line's own rule (which
            # knows the waivers), added up exactly: 0.1 + 0.2 kg is 0.3 kg
            line.b2b_set_quantity(_exact(line.quantity or 0) + quantity)
            if line not in to_save:
                to_save.append(line)
        # the lines added to, priced before they are written once
        cls.b2b_price_lines(cart, to_save)
        Line.save(to_save)
        return cart

    @classmethod
    def b2b_positive_quantity(cls, product, quantity):
        "Return the quantity as a Decimal, refused unless more than zero"
        quantity = _exact(quantity)
        if (quantity is None or not quantity.is_finite()
                or quantity <= 0):
            raise CartError(gettext('b2b_base.msg_cart_quantity_positive',
                    product=product.rec_name))
        return quantity

    @classmethod
    def _b2b_check_product(cls, product):
        if not (product.salable and product.active):
            raise CartError(gettext('b2b_base.msg_cart_product_not_salable',
                    product=product.rec_name))

    @classmethod
    def b2b_cart_set_quantity(cls, web_user, line, quantity):
        """Set the quantity (a Decimal, float or int) of a line of the
        account's cart; 0 removes it"""
        pool = Pool()
        Line = pool.get('sale.line')
        web_user.b2b_check('order')
        # the cart is read before the line may be deleted: a deleted line
        # has no sale to read any more
        cart = line.sale
        cls._b2b_check_cart(web_user, cart)
        if _exact(quantity) == 0:
            Line.delete([line])
            return
        cls._b2b_check_product(line.product)
        line.b2b_set_quantity(
            cls.b2b_positive_quantity(line.product, quantity))
        values = {'quantity': line.quantity}
        # this line alone: the other lines' prices do not depend on it
        if cls.b2b_price_lines(cart, [line]):
            values['unit_price'] = line.unit_price
        # what the change can break is checked above: the quantity by
        # the product's rule, the price by the pricing service, the
        # product is still sold; the write skips Tryton's validation of
        # the line's other fields, which it repeats at every write of a
        # sale line (their domains depend on the sale's function fields)
        # and which the quantity leaves as they were
        with Transaction().set_context(_b2b_cart_quantity_checked=True):
            Line.write([Line(line.id)], values)

    @classmethod
    def b2b_cart_remove(cls, web_user, line):
        cls.b2b_cart_set_quantity(web_user, line, 0)

    @classmethod
    def b2b_quick_order(cls, web_user, text):
        """Add the "code quantity" lines of text to the cart; return per
        non-empty line (text, product or None, error message or None)"""
        pool = Pool()
        Product = pool.get('product.product')
        web_user.b2b_check('order')
        parsed = []
        for raw in (text or '').splitlines():
            if not raw.strip():
                continue
            match = QUICK_ORDER_LINE.match(raw)
            if not match:
                parsed.append((raw, None, None,
                        gettext('b2b_base.msg_quick_order_format')))
                continue
            try:
                quantity = Product.b2b_parse_quantity(
                    match.group('quantity'))
            except UserError as exception:
                parsed.append((raw, None, None, exception.message))
                continue
            parsed.append((raw, match.group('code'), quantity, None))
        products = Product.b2b_products_by_code(
            {code for _, code, _, _ in parsed if code})
        results = []
        for raw, code, quantity, error in parsed:
            product = products.get(code) if code else None
            if not error and not product:
                error = gettext('b2b_base.msg_quick_order_unknown', code=code)
            if not error:
                try:
                    # each line on its own: a bad line does not stop others
                    # (b2b_cart_add checks everything before it writes, so
                    # a refused line leaves nothing half-written)
                    cls.b2b_cart_add(web_user, [(product, quantity)])
                except UserError as exception:
                    error = exception.message
            results.append((raw, product if not error else None, error))
        return results

    @classmethod
    def b2b_reorder(cls, web_user, sale):
        "Add the lines of an earlier order of the company to the cart"
        web_user.b2b_check('order', sale)
        items = [(l.product, l.quantity, l.unit) for l in sale.lines
            if l.type == 'line' and l.product and l.shipment_cost is None
            and l.quantity and l.quantity > 0]
        return cls.b2b_cart_add(web_user, items)

    @classmethod
    def b2b_orders(cls, web_user):
        """Return the orders of the account's company, newest first: every
        sale but the drafts not ordered (the carts of its accounts)"""
        web_user.b2b_check('view', web_user.party)
        return cls.search([
                ('party', '=', web_user.party.id),
                ['OR',
                    ('state', '!=', 'draft'),
                    ('b2b_ordered_at', '!=', None),
                    ],
                ],
            # the orders not confirmed yet (no sale date) are the newest
            order=[('sale_date', 'DESC NULLS FIRST'), ('id', 'DESC')])

    def b2b_is_order(self):
        "Tell if the sale is an order the buyers see (not a cart)"
        return self.state != 'draft' or bool(self.b2b_ordered_at)

    def b2b_received(self):
        """Tell if the order is placed but not quoted yet: the queue's
        worker quotes and confirms it in a moment"""
        return self.state == 'draft' and bool(self.b2b_ordered_at)

    def b2b_date(self):
        """Return the order's date as the buyer reads it: its sale date once
        confirmed, before that the day it was placed"""
        if self.sale_date:
            return self.sale_date
        if self.b2b_ordered_at:
            return self.b2b_ordered_at.date()

    def b2b_status(self):
        "Return the order's state as the buyer reads it"
        if self.b2b_received():
            return gettext('b2b_base.msg_order_state_received')
        return self.state_string

    def b2b_totals(self):
        """Return what shows the order's lines and amounts: the order
        itself once quoted, before that the CheckoutSummary placing it
        computed (the quote makes the same: b2b_checkout_summary)"""
        if not self.b2b_received():
            return self
        carriers = [self.carrier] if self.carrier else []
        return self._b2b_summary(carriers, self.carrier,
            self.b2b_payment_method)

    @classmethod
    def b2b_checkout_options(cls, web_user):
        """Return the delivery addresses, delivery methods and payment
        methods the account may choose from"""
        web_user.b2b_check('order')
        party = web_user.party
        group = party.b2b_customer_group
        addresses = [a for a in party.addresses if a.active]
        delivery = [a for a in addresses if a.delivery] or addresses
        carriers = [c for c in (group.carriers if group else []) if c.active]
        methods = [m for m in (group.payment_methods if group else [])
            if m.active]
        return {
            'addresses': delivery,
            'carriers': carriers,
            'payment_methods': methods,
            }

    @classmethod
    def b2b_checkout_summary(cls, web_user, cart, carriers,
            carrier=None, payment_method=None):
        """Return the CheckoutSummary of the cart sent by the carrier (else
        the first of carriers) and paid by the payment method: the order
        placing it makes, to the grosz, computed in memory (nothing is
        written) with one pricing call and the sale's own shipment cost
        line, and the delivery cost of each of carriers"""
        web_user.b2b_check('order', cart)
        cls._b2b_check_cart(web_user, cart)
        return cart._b2b_summary(carriers, carrier, payment_method)

    def _b2b_summary(self, carriers, carrier, payment_method):
        "Return the CheckoutSummary of the sale (b2b_checkout_summary)"
        cls = self.__class__
        # a record of its own: the lines changed here are never saved
        sale = cls(self.id)
        goods = [l for l in sale.lines if l.type == 'line' and l.product
            and l.shipment_cost is None]
        # the prices quote sets (b2b_reprice)
        cls.b2b_price_lines(sale, goods)
        for line in goods:
            line.amount = line.on_change_with_amount()
        if carrier not in carriers:
            carrier = carriers[0] if carriers else None
        deliveries, lines = [], goods
        for offered in carriers:
            # the delivery line quote adds (sale_shipment_cost)
            sale.carrier = offered
            sale.lines = goods
            sale.set_shipment_cost()
            cost = None
            for line in sale.lines:
                if line.shipment_cost is not None:
                    cost = line.amount
            deliveries.append(
                (offered, offered.carrier_product.name, cost))
            if offered == carrier:
                lines = list(sale.lines)
        sale.carrier = carrier
        sale.lines = lines
        currency = sale.currency
        untaxed = currency.round(sum((l.amount for l in lines), Decimal(0)))
        by_tax = {}
        for tax_line in sale._get_taxes().values():
            base, amount = by_tax.get(tax_line.tax, (0, 0))
            by_tax[tax_line.tax] = (
                base + tax_line.base, amount + tax_line.amount)
        taxes = sorted(((t, b, a) for t, (b, a) in by_tax.items()),
            key=lambda t: (-(t[0].rate or 0), t[0].id))
        tax_amount = currency.round(sum((a for _, _, a in taxes), Decimal(0)))
        return CheckoutSummary(lines=lines, deliveries=deliveries,
            carrier=carrier, payment_method=payment_method,
            untaxed_amount=untaxed, taxes=taxes, tax_amount=tax_amount,
            total_amount=untaxed + tax_amount)

    @classmethod
    def b2b_place_order(cls, web_user, cart, shipment_address=None,
            new_address=None, carrier=None, payment_method=None,
            comment=None, reference=None):
        """Place the account's cart as an order: prices are computed again,
        the sale is confirmed (or left as a quotation for staff review) and
        the buyer gets a confirmation e-mail"""
        pool = Pool()
        Address = pool.get('party.address')
        Configuration = pool.get('b2b.configuration')
        web_user.b2b_check('order', cart)
        cls._b2b_check_cart(web_user, cart)
        if not [l for l in cart.lines if l.type == 'line' and l.product]:
            raise CheckoutError(gettext('b2b_base.msg_checkout_empty'))
        options = cls.b2b_checkout_options(web_user)
        if payment_method not in options['payment_methods']:
            raise CheckoutError(gettext(
                    'b2b_base.msg_checkout_payment_method'))
        # a method chosen must be one offered (the form sends any id)
        if ((carrier or options['carriers'])
                and carrier not in options['carriers']):
            raise CheckoutError(gettext('b2b_base.msg_checkout_carrier'))
        if new_address:
            for field in ['street', 'postal_code', 'city']:
                if not (new_address.get(field) or '').strip():
                    raise CheckoutError(gettext(
                            'b2b_base.msg_checkout_address_incomplete'))
            Address.b2b_check_postal_code(
                new_address['postal_code'], new_address.get('country'))
            shipment_address = Address(party=web_user.party, delivery=True,
                **{k: v for k, v in new_address.items()
                    if k in {'party_name', 'street', 'postal_code', 'city',
                        'country'}})
            shipment_address.save()
        elif shipment_address not in options['addresses']:
            raise CheckoutError(gettext('b2b_base.msg_checkout_address'))
        cart.shipment_address = shipment_address
        cart.carrier = carrier
        cart.b2b_payment_method = payment_method
        if payment_method.payment_term:
            cart.payment_term = payment_method.payment_term
        cart.comment = (comment or '').strip() or None
        cart.reference = (reference or '').strip() or None
        # from now on an order: no longer the account's cart
        cart.b2b_ordered_at = datetime.datetime.now()
        if (config.getboolean('queue', 'worker', default=False)
                and not cart.b2b_confirm_at_checkout()):
            # the order has its number now and is quoted and confirmed by
            # the queue's worker right after the commit (as Tryton
            # processes confirmed sales): the buyer does not wait for the
            # pricing, the delivery line, the checks and the writes of both
            # (the order's page shows meanwhile what the quote will make:
            # b2b_totals)
            cls.set_number([cart])
            cls.__queue__.b2b_confirm_orders([cart])
            return cart
        # written by quote, with the shipment cost line, in one save
        cls.quote([cart])
        if not Configuration(1).order_review:
            cls.confirm([cart])
        # a task of the queue: sent once the order is committed (by a
        # worker, or right after the commit when none runs), never for an
        # order rolled back, and the buyer does not wait for the mail server
        cls.__queue__.b2b_send_order_emails([cart])
        return cart

    def b2b_confirm_at_checkout(self):
        """Tell if placing the order confirms it in the buyer's request
        rather than in the queue's worker: when its confirmation may refuse
        it and the buyer must learn so at checkout (b2b_credit: an order on
        credit)"""
        return False

    @classmethod
    def b2b_confirm_orders(cls, sales):
        """Quote the placed orders not quoted yet and confirm them unless
        the shop reviews orders, then e-mail their buyers (run by the task
        queue); an order its quote or confirmation refuses waits for the
        staff's review, as with order review, and its e-mail says so"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        ids = [s.id for s in sales]
        review = Configuration(1).order_review

        def attempt(confirm):
            sales = cls.browse(ids)
            try:
                cls.quote([s for s in sales if s.b2b_received()])
                if confirm:
                    cls.confirm([s for s in sales if s.state == 'quotation'])
            except UserError:
                Transaction().rollback()
                return False
            return True
        # refused confirmed: still quoted (the staff sees its lines and
        # delivery); refused quoted: as placed
        if review or not attempt(confirm=True):
            attempt(confirm=False)
        cls.b2b_send_order_emails(cls.browse(ids))

    def b2b_placed_by_name(self):
        "Return the name of the sales rep who placed the order, or None"
        return None

    def b2b_rep_name(self):
        "Return the name of the sales rep working on the cart, or None"
        return None

    def _b2b_order_email_notes(self):
        "Return the paragraphs that follow the order e-mail's body"
        return []

    @classmethod
    def b2b_send_order_emails(cls, sales):
        "Confirm the orders to their buyers (run by the task queue)"
        for sale in sales:
            sale.b2b_send_order_email()

    def b2b_prepayment(self):
        """Return the (bank account, transfer title) the buyer pays the
        order to in advance, None unless it is paid by bank transfer: the
        company's account and the order's number"""
        method = self.b2b_payment_method
        if method and method.kind == 'transfer' and self.number:
            return (self.company.b2b_bank_account(self.currency),
                self.number)

    def b2b_send_order_email(self):
        """Confirm the order to the buyer, in the company's language, its
        amounts and quantities written as the portal writes them"""
        party = self.party
        language = party.lang.code if party.lang else None
        with Transaction().set_context(language=language):
            # the records read again in the language: units, products
            sale = self.__class__(self.id)
            code = sale.currency.code

            def money(amount, unit_price=False):
                return formats.money(amount, code, unit_price=unit_price)
            state = gettext('b2b_base.msg_order_state_confirmed'
                if sale.state in {'confirmed', 'processing'}
                else 'b2b_base.msg_order_state_review')
            lines = '\n'.join(
                f"{l.product.rec_name}: "
                f"{formats.quantity(l.quantity, l.unit)} "
                f"× {money(l.unit_price, unit_price=True)} "
                f"= {money(l.amount)}"
                for l in sale.lines if l.type == 'line')
            subject = gettext('b2b_base.msg_order_email_subject',
                number=sale.number or sale.id)
            body = gettext('b2b_base.msg_order_email_body',
                number=sale.number or sale.id, state=state, lines=lines,
                untaxed=money(sale.untaxed_amount),
                tax=money(sale.tax_amount),
                total=money(sale.total_amount),
                reference=sale.reference or '-')
            body = '\n\n'.join([body, *sale._b2b_order_email_notes()])
        send_text(self.b2b_web_user.email, subject, body, resource=self)
