# This file is part of the B2B wholesale suite.
import re

from sql import Literal, Null, Union
from sql.conditionals import Coalesce
from sql.operators import ILike

from b2b_base.party import TAX_NUMBER_TYPES
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

from .exceptions import CoverError

# more companies than any user reads (the fence of b2b_rep_search)
MAX_READABLE = 10 ** 9
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
        status) read in one query with the search of the user's record
        rules inside (the rep's search page is a hot path)"""
        pool = Pool()
        Address = pool.get('party.address')
        Identifier = pool.get('party.identifier')
        Group = pool.get('b2b.customer.group')
        WebUser = pool.get('web.user')
        database = Transaction().database
        # the companies the rules let the user read
        readable = cls.search([('b2b_customer', '=', True)], order=[],
            query=True)
        party = cls.__table__()
        # the LIMIT is a fence: the text is matched on the readable
        # companies only, one by one (a rep's few hundred), not on every
        # address and account of the database, which PostgreSQL would
        # otherwise hash whole for the OR of the text's EXISTS
        companies = party.select(party.id, party.name,
            party.b2b_customer_group, party.b2b_status,
            where=party.id.in_(readable), limit=MAX_READABLE)
        group = Group.__table__()
        address = Address.__table__()
        identifier = Identifier.__table__()
        web_user = WebUser.__table__()
        text = (text or '').strip()
        where = Literal(True)
        if text:
            pattern = database.unaccent(
                f'%{escape_wildcard(text)}%')

            def contains(column):
                return ILike(database.unaccent(Coalesce(column, '')),
                    pattern, escape='\\')

            def any_row(table, condition):
                # a scalar subquery: evaluated for each company, never
                # hashed over the whole table as an EXISTS would be
                return table.select(Literal(True),
                    where=(table.party == companies.id)
                    & (table.active == Literal(True)) & condition,
                    limit=1)
            where = (contains(companies.name)
                | any_row(address, contains(address.city))
                | any_row(web_user, contains(web_user.email)))
            number = re.sub(r'[\s.\-/]', '', text).upper()
            if re.fullmatch(r'[A-Z]{0,2}\d{3,}', number):
                number = re.sub(r'^PL', '', number)
                where |= any_row(identifier,
                    identifier.type.in_(list(TAX_NUMBER_TYPES))
                    & ILike(identifier.code_compact, f'%{number}%'))
        city = address.select(address.city,
            where=(address.party == companies.id)
            & (address.active == Literal(True)),
            order_by=[address.sequence.nulls_first, address.id],
            limit=1)
        tax_number = identifier.select(identifier.code,
            where=(identifier.party == companies.id)
            & identifier.type.in_(list(TAX_NUMBER_TYPES))
            & (identifier.active == Literal(True)),
            order_by=[identifier.id], limit=1)
        cursor = Transaction().connection.cursor()
        cursor.execute(*companies.join(group, 'LEFT',
                condition=companies.b2b_customer_group == group.id
                ).select(companies.id, companies.name, tax_number, city,
                group.name, companies.b2b_status,
                where=where,
                order_by=[companies.name, companies.id],
                limit=limit))
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
        team = Employee.b2b_team_of(value)
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
