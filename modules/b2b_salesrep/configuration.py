# This file is part of the B2B wholesale suite.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'b2b.configuration'

    rep_max_discount = fields.Numeric(
        "Reps' Maximum Discount (%)", digits=(5, 2),
        domain=['OR',
            ('rep_max_discount', '=', None),
            [('rep_max_discount', '>=', 0),
                ('rep_max_discount', '<=', 100)],
            ],
        help="How far below a customer's own price a sales rep may set a "
        "price, unless the rep's employee record says otherwise.")

    rep_editable_states = fields.MultiSelection([
            ('draft', "Draft"),
            ('quotation', "Quotation"),
            ], "Order States Reps May Edit",
        help="The states in which a sales rep may change an order's lines, "
        "delivery address and state (back to draft or quoted).")

    @classmethod
    def default_rep_editable_states(cls):
        return ['draft', 'quotation']

    @classmethod
    def default_rep_max_discount(cls):
        return Decimal(5)
