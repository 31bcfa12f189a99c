# This file is part of the B2B wholesale suite.
import re

from sql import Literal, Null, Union

from b2b_base.party import TAX_NUMBER_TYPES
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

from .exceptions import CoverError

# the contact mechanisms the rep edits as a company's phone and e-mail,
# the first of these types (Tryton's contact_mechanism_get)
CONTACT_TYPES = {
    'phone': ('phone', 'mobile'),
    'email': ('email',),
    }


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
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        # the companies of a rep: every rule check of a rep reads them
        cls._sql_indexes.add(
            Index(table, (table.b2b_account_manager, Index.Range())))

    @classmethod
    def b2b_rep_search(cls, text, limit=50):
        """Return the customer companies the user may read (a rep: those
        served) whose name, NIP or VAT number (in any spelling: spaces,
        dashes, a PL prefix), city or an employee account's e-mail contains
        text, by name, as rows (dict: id, name, tax_number, city, group,
        status) read in one query: the search's (with the user's record
        rules) inside the one that reads the columns the list shows, not
        the companies' records (the rep's search page is a hot path)"""
        pool = Pool()
        Address = pool.get('party.address')
        Identifier = pool.get('party.identifier')
        Group = pool.get('b2b.customer.group')
        domain = [('b2b_customer', '=', True)]
        text = (text or '').strip()
        if text:
            like = f'%{escape_wildcard(text)}%'
            clauses = ['OR',
                ('name', 'ilike', like),
                ('addresses.city', 'ilike', like),
                ('b2b_accounts.email', 'ilike', like),
                ]
            number = re.sub(r'[\s.\-/]', '', text).upper()
            if re.fullmatch(r'[A-Z]{0,2}\d{3,}', number):
                number = re.sub(r'^PL', '', number)
                clauses.append(('identifiers', 'where', [
                            ('code_compact', 'ilike', f'%{number}%'),
                            ('type', 'in', TAX_NUMBER_TYPES),
                            ]))
            domain.append(clauses)
        # the rules of the user are in the search's query
        found = cls.search(domain, order=[('name', 'ASC'), ('id', 'ASC')],
            limit=limit, query=True)
        party = cls.__table__()
        group = Group.__table__()
        address = Address.__table__()
        identifier = Identifier.__table__()
        city = address.select(address.city,
            where=(address.party == party.id)
            & (address.active == Literal(True)),
            order_by=[address.sequence.nulls_first, address.id],
            limit=1)
        number = identifier.select(identifier.code,
            where=(identifier.party == party.id)
            & identifier.type.in_(list(TAX_NUMBER_TYPES))
            & (identifier.active == Literal(True)),
            order_by=[identifier.id], limit=1)
        cursor = Transaction().connection.cursor()
        cursor.execute(*party.join(group, 'LEFT',
                condition=party.b2b_customer_group == group.id
                ).select(party.id, party.name, number, city, group.name,
                party.b2b_status,
                where=party.id.in_(found),
                order_by=[party.name, party.id]))
        statuses = dict(cls.fields_get(['b2b_status'])[
                'b2b_status']['selection'])
        return [{
                'id': id_,
                'name': name,
                'tax_number': tax_number or '',
                'city': city_ or '',
                'group': group_ or '',
                'status': statuses.get(status, ''),
                } for id_, name, tax_number, city_, group_, status
            in cursor]

    def b2b_rep_update(self, name, phone, email, note=None):
        """Change the company's name, its first phone number and e-mail
        address (removed when empty) and add a note (ir.note), as the user
        may (a rep: a company served)"""
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        Note = pool.get('ir.note')
        if (name or '').strip() and name.strip() != self.name:
            self.name = name.strip()
            self.save()
        for kind, value in [('phone', phone), ('email', email)]:
            value = (value or '').strip()
            current = self.contact_mechanism_get(CONTACT_TYPES[kind])
            if not value:
                if current:
                    ContactMechanism.delete([current])
            elif current:
                if current.value != value:
                    current.value = value
                    current.save()
            else:
                ContactMechanism(party=self, type=CONTACT_TYPES[kind][0],
                    value=value).save()
        if (note or '').strip():
            Note(resource=self, message=note.strip()).save()

    def b2b_contact(self, kind):
        "Return the first phone ('phone': also a mobile) or e-mail, or ''"
        mechanism = self.contact_mechanism_get(CONTACT_TYPES[kind])
        return mechanism.value if mechanism else ''

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
        return {party_id: sorted({i for e in employees
                        for i in e.b2b_leaders()})
            for party_id, employees in direct.items()}


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
        table = cls.__table__()
        cls._sql_indexes.update({
                Index(table, (table.employee, Index.Range()),
                    (table.start_date, Index.Range())),
                Index(table, (table.party, Index.Range())),
                })

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
