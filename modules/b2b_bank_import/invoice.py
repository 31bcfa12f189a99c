# This file is part of the B2B wholesale suite.
from trytond.model import fields
from trytond.pool import PoolMeta


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    b2b_ksef_number = fields.Char("KSeF Number", readonly=True,
        help="The number the national e-invoicing system (KSeF) gave the "
        "invoice; payers quote it in their transfers.")
