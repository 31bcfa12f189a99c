# This file is part of the B2B wholesale suite.
from trytond.model import fields
from trytond.pool import PoolMeta


class CustomerGroup(metaclass=PoolMeta):
    __name__ = 'b2b.customer.group'

    overdue_days = fields.Integer(
        "Overdue Days Blocking Credit",
        domain=['OR',
            ('overdue_days', '=', None),
            ('overdue_days', '>=', 0),
            ],
        help="An invoice overdue longer than this number of days blocks "
        "deferred payment; empty: never blocked.")
