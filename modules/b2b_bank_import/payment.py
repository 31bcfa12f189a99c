# This file is part of the B2B wholesale suite.
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions import StatementImportError


class Payment(metaclass=PoolMeta):
    __name__ = 'b2b.payment'

    @classmethod
    def _get_origin(cls):
        # the operation of the bank statement file the payment was read from
        return super()._get_origin() + ['account.statement.origin']

    @classmethod
    def cancel(cls, payments):
        # a payment a posted statement booked is that statement's move:
        # it is corrected by statement, not cancelled here
        Origin = Pool().get('account.statement.origin')
        for payment in payments:
            if (payment.state == 'posted'
                    and isinstance(payment.origin, Origin)
                    and payment.origin.lines
                    and payment.move in {l.move
                        for l in payment.origin.lines}):
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_payment_of_statement',
                        payment=payment.rec_name,
                        statement=payment.origin.statement.rec_name))
        super().cancel(payments)
