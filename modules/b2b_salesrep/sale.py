# This file is part of the B2B wholesale suite.
"""What a rep does with the customers' carts and orders: take over an
employee account's own cart (the customer sees every change: it is the same
record), set a line's price below the customer's own within the rep's limit
(with the reason, who and when), place the order for the account (stamped
with the rep) or hand the cart back. The cart methods of b2b_base do the
rest: the rep calls them with the account whose cart it is, as the rep's own
user, so the record rules decide which accounts the rep reaches."""
import datetime
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

from .exceptions import OrderEditError, PriceOverrideError

# a price beyond any the shop sells at
MAX_PRICE = Decimal(10) ** 10
# how many of the last changed carts the sort by value looks at
VALUE_SORTED = 500


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    b2b_rep = fields.Many2One(
        'res.user', "Taken Over By", readonly=True,
        states={
            'invisible': ~Eval('b2b_rep'),
            },
        help="The sales rep working on this cart for the customer.")
    b2b_placed_by = fields.Many2One(
        'res.user', "Placed By Rep", readonly=True,
        states={
            'invisible': ~Eval('b2b_placed_by'),
            },
        help="The sales rep who placed this order for the customer.")

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_rep')
        default.setdefault('b2b_placed_by')
        return super().copy(sales, default=default)

    @classmethod
    def b2b_rep_carts(cls, text=None, order='changed', limit=50):
        """Return the current carts (the accounts' drafts not ordered, with
        lines) the user may read (a rep: of the companies served) whose
        company, account e-mail or a product's name or code contains text,
        the last changed first (order 'changed') or the largest ('value')"""
        domain = [
            ('state', '=', 'draft'),
            ('b2b_ordered_at', '=', None),
            ('b2b_web_user', '!=', None),
            ('lines', '!=', None),
            ]
        text = (text or '').strip()
        if text:
            like = f'%{escape_wildcard(text)}%'
            domain.append(['OR',
                    ('party.name', 'ilike', like),
                    ('b2b_web_user.email', 'ilike', like),
                    ('lines.product.code', 'ilike', like),
                    ('lines.product.template.name', 'ilike', like),
                    ])
        carts = cls.search(domain,
            order=[('write_date', 'DESC NULLS LAST'),
                ('create_date', 'DESC'), ('id', 'DESC')],
            limit=VALUE_SORTED if order == 'value' else limit)
        if order == 'value':
            # a draft's amount is computed, not stored: the largest of the
            # last changed
            carts = sorted(carts, key=lambda c: c.untaxed_amount,
                reverse=True)[:limit]
        return carts

    @classmethod
    def b2b_rep_take_over(cls, web_user):
        """Return the account's cart (created when it has none) with the user
        as the rep working on it"""
        pool = Pool()
        User = pool.get('res.user')
        Rule = pool.get('ir.rule')
        # Tryton's record rules bind what the user searches and the client
        # calls, not what methods save: the account is checked here
        Rule.check('web.user', [web_user.id], 'read')
        cart = cls.b2b_cart(web_user, create=True)
        rep = User(Transaction().user)
        if cart.b2b_rep != rep:
            cart.b2b_rep = rep
            cart.save()
        return cart

    @classmethod
    def b2b_rep_hand_back(cls, cart):
        "The rep no longer works on the cart"
        Pool().get('ir.rule').check('sale.sale', [cart.id], 'write')
        if cart.b2b_rep:
            cart.b2b_rep = None
            cart.save()

    @classmethod
    def b2b_rep_place_order(cls, web_user, cart, **choices):
        """Place the account's cart (b2b_place_order, its choices) for the
        customer, stamped with the user as the rep who placed it"""
        pool = Pool()
        User = pool.get('res.user')
        Rule = pool.get('ir.rule')
        Rule.check('web.user', [web_user.id], 'read')
        Rule.check('sale.sale', [cart.id], 'write')
        cart.b2b_placed_by = User(Transaction().user)
        cart.b2b_rep = None
        return cls.b2b_place_order(web_user, cart, **choices)

    @classmethod
    def b2b_rep_orders(cls, party=None, text=None, limit=20):
        """Return the latest orders (not carts) the user may read (a rep: of
        the companies served), of party or of all, whose number, reference
        or company contains text"""
        domain = [
            ['OR',
                ('b2b_ordered_at', '!=', None),
                ('state', '!=', 'draft'),
                ],
            ]
        if party is not None:
            domain.append(('party', '=', party.id))
        text = (text or '').strip()
        if text:
            like = f'%{escape_wildcard(text)}%'
            domain.append(['OR',
                    ('number', 'ilike', like),
                    ('reference', 'ilike', like),
                    ('party.name', 'ilike', like),
                    ])
        return cls.search(domain, order=[('id', 'DESC')], limit=limit)

    def b2b_rep_may_edit(self):
        "Tell if the configuration lets a rep edit the order in its state"
        Configuration = Pool().get('b2b.configuration')
        return self.state in (Configuration(1).rep_editable_states or [])

    def b2b_rep_check_editable(self):
        """Raise OrderEditError unless a rep may edit the order in its state
        (and the user may write it)"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        pool.get('ir.rule').check('sale.sale', [self.id], 'write')
        if not self.b2b_rep_may_edit():
            names = dict(Configuration.fields_get(['rep_editable_states'])[
                    'rep_editable_states']['selection'])
            raise OrderEditError(gettext(
                    'b2b_salesrep.msg_order_not_editable',
                    order=self.rec_name, state=self.state_string,
                    states=', '.join(names[s] for s in
                        Configuration(1).rep_editable_states or [])
                    or '-'))

    @classmethod
    def b2b_rep_edit(cls, sale, quantities=None, address=None, state=None):
        """Change the order's line quantities ({line: quantity}, 0 removes
        the line), its delivery address (one of its company's) and its state
        ('draft' or 'quotation'), as a rep may in the states the
        configuration allows; a quoted order is quoted again (its prices and
        delivery line computed again)"""
        pool = Pool()
        Line = pool.get('sale.line')
        sale.b2b_rep_check_editable()
        quantities = quantities or {}
        target = state or sale.state
        if target not in {'draft', 'quotation'}:
            raise OrderEditError(gettext('b2b_salesrep.msg_order_state'))
        changed = bool(quantities) or (
            address is not None and address != sale.shipment_address)
        if sale.state == 'quotation' and (changed or target == 'draft'):
            cls.draft([sale])
        for line, quantity in quantities.items():
            if line.sale != sale or line.type != 'line':
                raise OrderEditError(gettext(
                        'b2b_salesrep.msg_order_line_not_of'))
            if quantity == 0:
                Line.delete([line])
                continue
            line.b2b_set_quantity(
                cls.b2b_positive_quantity(line.product, quantity))
            line.save()
        if address is not None and address != sale.shipment_address:
            if address.party != sale.party or not address.active:
                raise OrderEditError(gettext(
                        'b2b_salesrep.msg_order_address_not_of'))
            sale.shipment_address = address
            sale.save()
        if target == 'quotation' and sale.state == 'draft':
            cls.quote([sale])
        return sale

    def b2b_placed_by_name(self):
        return self.b2b_placed_by.rec_name if self.b2b_placed_by else None

    def b2b_rep_name(self):
        return self.b2b_rep.rec_name if self.b2b_rep else None

    def _b2b_order_email_notes(self):
        notes = super()._b2b_order_email_notes()
        if rep := self.b2b_placed_by_name():
            notes.append(gettext('b2b_salesrep.msg_order_placed_by_rep',
                    rep=rep))
        return notes


class Line(metaclass=PoolMeta):
    __name__ = 'sale.line'

    b2b_manual_price_reason = fields.Char(
        "Manual Price Reason", readonly=True,
        states={
            'invisible': ~Eval('b2b_manual_price'),
            })
    b2b_customer_price = fields.Numeric(
        "Customer's Own Price", digits=(16, 4), readonly=True,
        states={
            'invisible': ~Eval('b2b_manual_price'),
            },
        help="The customer's price when the manual price was set.")

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        for name in ['b2b_manual_price', 'b2b_manual_price_by',
                'b2b_manual_price_at', 'b2b_manual_price_reason',
                'b2b_customer_price']:
            default.setdefault(name)
        return super().copy(lines, default=default)

    def _b2b_check_rep_price(self, user, price, own=None):
        """Refuse a price the user, a rep, may not set: lower than the
        customer's own price by more than the rep's maximum discount"""
        if not user.b2b_is_rep() or user.b2b_is_administrator():
            return
        if own is None:
            own = self.b2b_customer_own_price()
        limit = user.employee.b2b_discount_limit()
        lowest = own * (1 - limit / 100)
        if price < lowest.quantize(Decimal('0.0001')):
            raise PriceOverrideError(gettext(
                    'b2b_salesrep.msg_price_below_limit',
                    product=self.product.rec_name,
                    limit=f"{limit.normalize():f}",
                    lowest=f"{lowest.quantize(Decimal('0.01')):f}"))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names is not None and 'b2b_manual_price' not in field_names:
            return
        # the limit holds in the back office too, where a rep types the
        # manual price into the line
        User = Pool().get('res.user')
        priced = [l for l in lines if l.b2b_manual_price is not None
            and l.product and l.sale and l.sale.state == 'draft']
        if not priced or not Transaction().user:
            return
        user = User(Transaction().user)
        if user.b2b_is_rep():
            for line in priced:
                line._b2b_check_rep_price(user, line.b2b_manual_price)

    def b2b_customer_own_price(self):
        "Return the customer's own unit price of the line (no manual price)"
        Pricing = Pool().get('b2b.pricing')
        sale = self.sale
        with Transaction().set_context(company=sale.company.id):
            price, = Pricing.compute(sale.party,
                [(self.product, self.quantity or 0, self.unit, None)],
                date=sale.sale_date)
        return price.unit_price

    def b2b_rep_set_price(self, price, reason):
        """Set the line's unit price (None: back to the customer's own) with
        the reason, as the user (a rep); refused below the customer's price
        by more than the rep's maximum discount, or without a reason"""
        pool = Pool()
        User = pool.get('res.user')
        Sale = pool.get('sale.sale')
        Rule = pool.get('ir.rule')
        Rule.check('sale.line', [self.id], 'write')
        sale = self.sale
        if sale.state != 'draft' or sale.b2b_ordered_at:
            raise PriceOverrideError(gettext(
                    'b2b_salesrep.msg_price_not_draft'))
        user = User(Transaction().user)
        if price is None:
            self.b2b_manual_price = None
            self.b2b_manual_price_by = None
            self.b2b_manual_price_at = None
            self.b2b_manual_price_reason = None
            self.b2b_customer_price = None
        else:
            price = Decimal(price)
            if not price.is_finite() or not 0 <= price < MAX_PRICE:
                raise PriceOverrideError(gettext(
                        'b2b_salesrep.msg_price_invalid'))
            # the digits of the line's prices
            price = price.quantize(Decimal('0.0001'))
            reason = (reason or '').strip()
            if not reason:
                raise PriceOverrideError(gettext(
                        'b2b_salesrep.msg_price_reason_required'))
            own = self.b2b_customer_own_price()
            self._b2b_check_rep_price(user, price, own)
            self.b2b_manual_price = price
            self.b2b_manual_price_by = user
            self.b2b_manual_price_at = datetime.datetime.now()
            self.b2b_manual_price_reason = reason
            self.b2b_customer_price = own
        Sale.b2b_price_lines(sale, [self])
        self.save()
