# This file is part of the B2B wholesale suite.
"""Run work in Tryton transactions outside of its dispatcher: the imports
(bank statements, ERP files, b2b_suite.commands), the API key command and
the credit benchmark share it."""
import os


class CompanyError(Exception):
    "The database has no single company and none was chosen"


def run(database, func, user=0, context=None, on_restart=None):
    """Return func() run in a transaction of its own as Tryton's dispatcher
    runs it (b2b_base.transaction, which the modules' tests use too);
    imported here only once the command has read its configuration"""
    from b2b_base.transaction import run_in_transaction
    return run_in_transaction(database, func, user=user, context=context,
        on_restart=on_restart)


def in_company(database, company, work):
    """Return work(company) run as run() does, in the context of the
    company (its id, else the only one) and the language of $B2B_LANGUAGE
    (default en)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    def func():
        Company = Pool().get('company.company')
        companies = [Company(company)] if company else Company.search([])
        if len(companies) != 1:
            raise CompanyError(f"{len(companies)} companies: choose one "
                "with --company")
        company_, = companies
        with Transaction().set_context(company=company_.id,
                language=os.environ.get('B2B_LANGUAGE', 'en')):
            return work(company_)
    return run(database, func)


def read_files(paths, say):
    """Yield (name, content) of each file, content None for a file that
    cannot be read (and say why)"""
    for path in paths:
        name = os.path.basename(path)
        try:
            with open(path, 'rb') as fp:
                yield name, fp.read()
        except OSError as e:
            say(f"{name}: error: {e.strerror}")
            yield name, None
