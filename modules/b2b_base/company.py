# This file is part of the B2B wholesale suite.
from trytond.pool import PoolMeta


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    def b2b_bank_account(self, currency=None):
        """Return the bank account customers pay the company to (shown for
        prepayment and on invoices): the first of the company's accounts
        in use (bank's own order) with an IBAN, in the currency when the
        account has one; None when there is none"""
        for account in self.party.bank_accounts_used:
            if not account.iban:
                continue
            if currency and account.currency and account.currency != currency:
                continue
            return account
