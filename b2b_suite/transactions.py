# This file is part of the B2B wholesale suite.
"""Run a command's work in a Tryton transaction of one company: the
imports (bank statements, ERP files) and the API key command share it."""
import os


class CompanyError(Exception):
    "The database has no single company and none was chosen"


def in_company(database, company, work):
    """Return work(company) run in a transaction of the database, in the
    context of the company (its id, else the only one) and the language
    of $B2B_LANGUAGE (default en), committed when work returns.

    Started again when Tryton asks for it (TransactionError: the first move
    of a period locks a table, a checkout on credit finds its company
    changed); any other exception rolls back and is raised."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    if database not in Pool.database_list():
        Pool(database).init()
    extras = {}
    while True:
        with Transaction().start(database, 0, **extras) as transaction:
            Company = Pool().get('company.company')
            companies = ([Company(company)] if company
                else Company.search([]))
            if len(companies) != 1:
                raise CompanyError(f"{len(companies)} companies: choose one "
                    "with --company")
            company_, = companies
            with transaction.set_context(company=company_.id,
                    language=os.environ.get('B2B_LANGUAGE', 'en')):
                try:
                    result = work(company_)
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)
                    continue
                except BaseException:
                    transaction.rollback()
                    raise
            transaction.commit()
            return result
