# This file is part of the B2B wholesale suite.
from decimal import Decimal

from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction


class CustomerGroup(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'b2b.customer.group'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    price_list = fields.Many2One(
        'product.price_list', "Price List",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The prices of the group's companies, unless a company has "
        "its own price list.")
    discount = fields.Numeric(
        "Discount %", digits=(5, 2), required=True,
        domain=[
            ('discount', '>=', 0),
            ('discount', '<', 100),
            ],
        help="Default discount of the group, in percent.")
    payment_methods = fields.Many2Many(
        'b2b.customer.group-b2b.payment.method', 'group', 'method',
        "Payment Methods",
        help="Payment methods the group's companies may choose.")
    carriers = fields.Many2Many(
        'b2b.customer.group-carrier', 'group', 'carrier',
        "Delivery Methods",
        help="Delivery methods the group's companies may choose.")
    parties = fields.One2Many(
        'party.party', 'b2b_customer_group', "Companies", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @classmethod
    def __setup__(cls):
        cls.code.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_code_unique', Unique(t, t.company, t.code),
                'b2b_base.msg_customer_group_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_discount(cls):
        return Decimal(0)

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]


class CustomerGroupPaymentMethod(ModelSQL):
    __name__ = 'b2b.customer.group-b2b.payment.method'
    group = fields.Many2One(
        'b2b.customer.group', "Group", required=True, ondelete='CASCADE')
    method = fields.Many2One(
        'b2b.payment.method', "Payment Method", required=True,
        ondelete='CASCADE')


class CustomerGroupCarrier(ModelSQL):
    __name__ = 'b2b.customer.group-carrier'
    group = fields.Many2One(
        'b2b.customer.group', "Group", required=True, ondelete='CASCADE')
    carrier = fields.Many2One(
        'carrier', "Delivery Method", required=True, ondelete='CASCADE')
