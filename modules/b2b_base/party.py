# This file is part of the B2B wholesale suite.
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

from .exceptions import InvalidNIPError

B2B_STATUS = [
    ('pending', "Pending verification"),
    ('active', "Active"),
    ('blocked', "Blocked"),
    ]
TAX_NUMBER_TYPES = ('pl_vat', 'eu_vat')


def normalize_tax_number(text):
    """Return (identifier type, compact code) of a Polish NIP or an EU VAT
    number, raising InvalidNIPError when it is not valid"""
    nip = get_cc_module('pl', 'nip')
    eu_vat = get_cc_module('eu', 'vat')
    text = (text or '').strip()
    try:
        if text[:2].isalpha():
            code = eu_vat.validate(text)
            if code.startswith('PL'):
                # a Polish company is the same whether written with PL or not
                return 'pl_vat', nip.validate(code[2:])
            return 'eu_vat', code
        return 'pl_vat', nip.validate(text)
    except StdnumError:
        raise InvalidNIPError(gettext(
                'b2b_base.msg_tax_number_invalid', number=text))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    b2b_customer = fields.Boolean(
        "B2B Customer", help="The party is a customer company of the shop.")
    b2b_status = fields.Selection([(None, "")] + B2B_STATUS, "B2B Status",
        states={
            'invisible': ~Eval('b2b_customer'),
            'required': Bool(Eval('b2b_customer')),
            })
    b2b_status_string = b2b_status.translated('b2b_status')
    b2b_customer_group = fields.Many2One(
        'b2b.customer.group', "Customer Group", ondelete='RESTRICT',
        states={
            'invisible': ~Eval('b2b_customer'),
            })
    b2b_tax_number = fields.Function(
        fields.Char("NIP / VAT Number"), 'get_b2b_tax_number',
        searcher='search_b2b_tax_number')
    b2b_accounts = fields.One2Many(
        'web.user', 'party', "Employee Accounts",
        states={
            'invisible': ~Eval('b2b_customer'),
            })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/notebook/page[@id="b2b"]', 'states', {
                    'invisible': ~Eval('b2b_customer'),
                    }),
            ]

    @classmethod
    def default_b2b_customer(cls):
        return False

    @fields.depends('b2b_customer', 'b2b_status', 'b2b_customer_group')
    def on_change_b2b_customer(self):
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        if self.b2b_customer:
            if not self.b2b_status:
                self.b2b_status = 'active'
            if not self.b2b_customer_group:
                self.b2b_customer_group = (
                    Configuration(1).default_customer_group)
        else:
            self.b2b_status = None

    @classmethod
    def get_b2b_tax_number(cls, parties, name):
        numbers = {p.id: None for p in parties}
        for party in parties:
            for identifier in party.identifiers:
                if identifier.type in TAX_NUMBER_TYPES:
                    numbers[party.id] = identifier.code_compact
                    break
        return numbers

    @classmethod
    def search_b2b_tax_number(cls, name, clause):
        return [
            ('identifiers', 'where', [
                    ('code_compact', clause[1], clause[2]),
                    ('type', 'in', TAX_NUMBER_TYPES),
                    ]),
            ]

    @classmethod
    def b2b_search_tax_number(cls, text):
        "Return the parties that already use this NIP / VAT number"
        type_, code = normalize_tax_number(text)
        codes = {code}
        if type_ == 'pl_vat':
            codes.add('PL' + code)
        return cls.search([
                ('identifiers', 'where', [
                        ('code_compact', 'in', list(codes)),
                        ('type', 'in', TAX_NUMBER_TYPES),
                        ]),
                ])

    @property
    def b2b_is_active(self):
        return bool(self.b2b_customer and self.b2b_status == 'active')

    @classmethod
    def on_modification(cls, mode, parties, field_names=None):
        super().on_modification(mode, parties, field_names=field_names)
        if mode == 'write' and 'b2b_status' in field_names:
            # A blocked company's employees are logged out at once
            WebUser = Pool().get('web.user')
            WebUser.b2b_end_sessions([u for p in parties
                    if p.b2b_status in {'blocked', 'pending'}
                    for u in p.b2b_accounts])
