# This file is part of the B2B wholesale suite.
"""Bank statement files of Polish banks, matched to invoices.

``parsers`` reads MT940/MT942 (the Polish :86: dialects), CAMT.052/053/054
and Elixir-O into plain data; ``matcher`` decides what a received transfer
pays; ``statement`` imports a file into ``account.statement`` and books
the matches through ``b2b.payment.record``; uncertain transfers wait in the
review queue (statement origins "To Review") for one click.
"""
from trytond.pool import Pool

from . import invoice, party, payment, statement

__all__ = ['register']


def register():
    Pool.register(
        invoice.Invoice,
        party.Party,
        payment.Payment,
        statement.Statement,
        statement.Origin,
        statement.OriginCandidate,
        statement.ImportStatementStart,
        module='b2b_bank_import', type_='model')
    Pool.register(
        statement.ImportStatement,
        module='b2b_bank_import', type_='wizard')
