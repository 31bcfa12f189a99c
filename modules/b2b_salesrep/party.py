# This file is part of the B2B wholesale suite.
from sql import Literal, Null, Union

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .exceptions import CoverError


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    b2b_account_manager = fields.Many2One(
        'company.employee', "Account Manager", ondelete='SET NULL',
        states={
            'invisible': ~Eval('b2b_customer'),
            },
        help="The sales rep who looks after this company.")
    b2b_covers = fields.One2Many(
        'b2b.salesrep.cover', 'party', "Covering Reps",
        states={
            'invisible': ~Eval('b2b_customer'),
            },
        help="Reps who serve this company for a period (holiday cover, "
        "hand-over).")
    b2b_served_by = fields.Function(fields.Many2Many(
            'company.employee', None, None, "Served By",
            states={
                'invisible': ~Eval('b2b_customer'),
                },
            help="The employees who serve this company today: its account "
            "manager, its covering reps and their team leaders."),
        'get_b2b_served_by', searcher='search_b2b_served_by')

    @classmethod
    def _b2b_served_query(cls, team, date):
        """Return the SQL query of the ids of the parties that the employees
        of team manage or cover on date"""
        Cover = Pool().get('b2b.salesrep.cover')
        party = cls.__table__()
        cover = Cover.__table__()
        team = list(team)
        return Union(
            party.select(party.id,
                where=party.b2b_account_manager.in_(team)),
            cover.select(cover.party,
                where=cover.employee.in_(team)
                & (cover.start_date <= date)
                & ((cover.end_date == Null) | (cover.end_date >= date))))

    @classmethod
    def search_b2b_served_by(cls, name, clause):
        "The parties served by the employees of the clause, today"
        pool = Pool()
        Employee = pool.get('company.employee')
        Date = pool.get('ir.date')
        _, operator, value = clause[:3]
        if operator not in {'=', '!=', 'in', 'not in'}:
            raise ValueError(f"b2b_served_by does not search with {operator}")
        if value is None:
            value = []
        elif not isinstance(value, (list, tuple)):
            value = [value]
        team = Employee.b2b_team([int(v) for v in value if v is not None])
        if not team:
            query = cls.__table__().select(
                cls.__table__().id, where=Literal(False))
        else:
            query = cls._b2b_served_query(team, Date.today())
        if operator in {'=', 'in'}:
            return [('id', 'in', query)]
        return [('id', 'not in', query)]

    @classmethod
    def get_b2b_served_by(cls, parties, name):
        pool = Pool()
        Cover = pool.get('b2b.salesrep.cover')
        Date = pool.get('ir.date')
        today = Date.today()
        direct = {p.id: set() for p in parties}
        for party in parties:
            if party.b2b_account_manager:
                direct[party.id].add(party.b2b_account_manager)
        for cover in Cover.search([
                    ('party', 'in', [p.id for p in parties]),
                    ('start_date', '<=', today),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>=', today),
                        ],
                    ]):
            direct[cover.party.id].add(cover.employee)
        result = {}
        for party_id, employees in direct.items():
            served = set()
            for employee in employees:
                # the team leaders above each rep
                while employee and employee.id not in served:
                    served.add(employee.id)
                    employee = employee.supervisor
            result[party_id] = sorted(served)
        return result


class Cover(ModelSQL, ModelView):
    "A sales rep serving a customer company for a period"
    __name__ = 'b2b.salesrep.cover'
    __string__ = "Sales Rep Cover"

    party = fields.Many2One(
        'party.party', "Company", required=True, ondelete='CASCADE',
        domain=[('b2b_customer', '=', True)])
    employee = fields.Many2One(
        'company.employee', "Sales Rep", required=True, ondelete='CASCADE')
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        help="The last day of the cover (empty: until further notice).")
    reason = fields.Char("Reason", help="E.g. holiday cover, hand-over.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def validate_fields(cls, covers, field_names):
        super().validate_fields(covers, field_names)
        for cover in covers:
            if cover.end_date and cover.end_date < cover.start_date:
                raise CoverError(gettext(
                        'b2b_salesrep.msg_cover_dates',
                        party=cover.party.rec_name,
                        employee=cover.employee.rec_name))

    def get_rec_name(self, name):
        return f"{self.employee.rec_name} @ {self.party.rec_name}"
