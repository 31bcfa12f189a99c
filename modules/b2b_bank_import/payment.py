# This file is part of the B2B wholesale suite.
from trytond.pool import PoolMeta


class Payment(metaclass=PoolMeta):
    __name__ = 'b2b.payment'

    @classmethod
    def _get_origin(cls):
        # the operation of the bank statement file the payment was read from
        return super()._get_origin() + ['account.statement.origin']
