# This file is part of the B2B wholesale suite.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

PAYMENT_KINDS = [
    ('transfer', "Bank transfer / prepayment"),
    ('deferred', "Deferred payment on trade credit"),
    ('cod', "Cash on delivery"),
    ('online', "Online / card"),
    ]


class PaymentMethod(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'b2b.payment.method'

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection(PAYMENT_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    payment_term = fields.Many2One(
        'account.invoice.payment_term', "Payment Term",
        help="The payment term of the invoices paid this way.")
    groups = fields.Many2Many(
        'b2b.customer.group-b2b.payment.method', 'method', 'group',
        "Customer Groups", readonly=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'transfer'
