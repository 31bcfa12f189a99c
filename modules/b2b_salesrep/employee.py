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
    b2b_led_by = fields.Function(fields.Many2Many(
            'company.employee', None, None, "Led By",
            help="This employee and the team leaders above them."),
        'get_b2b_led_by', searcher='search_b2b_led_by')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        # a team leader's team: every rule check of a rep reads it
        cls._sql_indexes.add(
            Index(table, (table.supervisor, Index.Range())))

    def b2b_leaders(self):
        """Return the ids of this employee and of the team leaders above
        them (supervisor at any depth), nearest first"""
        ids, employee = [], self
        while employee and employee.id not in ids:
            ids.append(employee.id)
            employee = employee.supervisor
        return ids

    def get_b2b_led_by(self, name):
        return self.b2b_leaders()

    @classmethod
    def search_b2b_led_by(cls, name, clause):
        "The employees of the clause's employees' teams, themselves included"
        _, operator, value = clause[:3]
        if operator not in {'=', 'in'}:
            raise ValueError(f"b2b_led_by does not search with {operator}")
        return [('id', 'in', sorted(cls.b2b_team_of(value)))]

    def b2b_discount_limit(self):
        "Return the largest discount in percent this employee may give"
        Configuration = Pool().get('b2b.configuration')
        if self.b2b_max_discount is not None:
            return self.b2b_max_discount
        limit = Configuration(1).rep_max_discount
        return limit if limit is not None else Decimal(0)

    @classmethod
    def b2b_team_of(cls, value):
        """Return the team (b2b_team) of the employees of a searcher's value:
        an id, a list of ids or None"""
        if value is None:
            value = []
        elif not isinstance(value, (list, tuple)):
            value = [value]
        return cls.b2b_team([int(v) for v in value if v is not None])

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
