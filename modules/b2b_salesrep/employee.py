# This file is part of the B2B wholesale suite.
from decimal import Decimal

from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    b2b_max_discount = fields.Numeric(
        "Maximum Discount (%)", digits=(5, 2),
        domain=['OR',
            ('b2b_max_discount', '=', None),
            [('b2b_max_discount', '>=', 0),
                ('b2b_max_discount', '<=', 100)],
            ],
        help="How far below a customer's own price this sales rep may set "
        "a price (empty: the B2B configuration's limit).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        # a team leader's team: every rule check of a rep reads it
        cls._sql_indexes.add(
            Index(table, (table.supervisor, Index.Range())))

    def b2b_discount_limit(self):
        "Return the largest discount in percent this employee may give"
        Configuration = Pool().get('b2b.configuration')
        if self.b2b_max_discount is not None:
            return self.b2b_max_discount
        limit = Configuration(1).rep_max_discount
        return limit if limit is not None else Decimal(0)

    @classmethod
    def b2b_team(cls, employee_ids):
        """Return the ids of the employees and of all the employees under
        them (supervisor at any depth), one query per level"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        team = set(employee_ids)
        level = set(employee_ids)
        while level:
            cursor.execute(*table.select(table.id,
                    where=table.supervisor.in_(list(level))))
            level = {i for i, in cursor} - team
            team |= level
        return team
