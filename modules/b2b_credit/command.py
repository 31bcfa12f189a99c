# This file is part of the B2B wholesale suite.
"""`b2b import-credit` and `b2b import-invoices`: ERP files, one
transaction each; `b2b api-key`: a key of the ERP's HTTP API"""
import os


def _company_context(transaction, company=None):
    from trytond.pool import Pool
    Company = Pool().get('company.company')
    companies = [Company(company)] if company else Company.search([])
    if len(companies) != 1:
        raise SystemExit(f"{len(companies)} companies: choose one with "
            "--company")
    return companies[0]


def run(database, kind, paths, company=None, say=print):
    """Import the credit ('credit') or invoice ('invoices') files; return
    the number of files refused"""
    from trytond.pool import Pool


    if database not in Pool.database_list():
        Pool(database).init()
    errors = 0
    for path in paths:
        name = os.path.basename(path)
        try:
            with open(path, 'rb') as fp:
                data = fp.read()
        except OSError as e:
            say(f"{name}: error: {e.strerror}")
            errors += 1
            continue
        errors += _import_file(database, kind, name, data, company, say)
    return errors


def _import_file(database, kind, name, data, company, say):
    """Import one file in a transaction, started again on a
    TransactionError (posting moves locks a table); return 1 if refused"""
    from trytond.exceptions import UserError
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    from .erp import read_rows
    extras = {}
    while True:
        with Transaction().start(database, 0, **extras) as transaction:
            company_ = _company_context(transaction, company)
            with transaction.set_context(company=company_.id,
                    language=os.environ.get('B2B_LANGUAGE', 'en')):
                Erp = Pool().get('b2b.erp')
                try:
                    rows = read_rows(data, name)
                    if kind == 'credit':
                        count = Erp.import_credit(rows)
                        summary = f"{count} companies updated"
                    else:
                        created, skipped = Erp.import_invoices(rows)
                        summary = (f"{created} invoices imported, "
                            f"{skipped} already imported")
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)
                    continue
                except UserError as e:
                    transaction.rollback()
                    say(f"{name}: error: {e.message}")
                    return 1
                transaction.commit()
                say(f"{name}: {summary}")
                return 0


def create_key(database, name, company=None):
    "Create an API key and return it (shown once)"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if database not in Pool.database_list():
        Pool(database).init()
    with Transaction().start(database, 0) as transaction:
        company_ = _company_context(transaction, company)
        ApiKey = Pool().get('b2b.api.key')
        _, key = ApiKey.b2b_create_key(name, company_)
        transaction.commit()
    return key
