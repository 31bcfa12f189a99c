# This file is part of the B2B wholesale suite.
from trytond.model import fields
from trytond.pool import PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    b2b_virtual_account = fields.Char("Identifying Bank Account",
        help="The account number (or the bank's payer id, e.g. mBank IPH) "
        "given to this company to pay to: what it credits is the "
        "company's payment.")
