# This file is part of the B2B wholesale suite.
from trytond.model import fields
from trytond.pool import PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'b2b.configuration'

    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Journal and Account",
        help="The journal and the bank account of the payments recorded "
        "for customer companies (b2b.payment), unless given otherwise.")
    erp_invoice_account = fields.Many2One(
        'account.account', "Account of Imported Invoices",
        domain=[
            ('type.revenue', '=', True),
            ('closed', '!=', True),
            ],
        help="The revenue account of the invoices imported from the ERP "
        "(default: the default revenue account of product categories).")
