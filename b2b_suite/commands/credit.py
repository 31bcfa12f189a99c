# This file is part of the B2B wholesale suite.
"""`b2b import-credit` and `b2b import-invoices`: ERP files, one
transaction each; `b2b api-key`: a key of the ERP's HTTP API"""
from b2b_suite.transactions import CompanyError, in_company, read_files


def run(database, kind, paths, company=None, say=print):
    """Import the credit ('credit') or invoice ('invoices') files; return
    the number of files refused"""
    errors = 0
    for name, data in read_files(paths, say):
        if data is None:
            errors += 1
            continue
        errors += _import_file(database, kind, name, data, company, say)
    return errors


def _import_file(database, kind, name, data, company, say):
    "Import one file in a transaction; return 1 if refused"
    from b2b_credit.erp import read_rows
    from trytond.exceptions import UserError, UserWarning
    from trytond.pool import Pool

    def work(company):
        Erp = Pool().get('b2b.erp')
        rows = read_rows(data, name)
        if kind == 'credit':
            return f"{Erp.import_credit(rows)} companies updated"
        created, skipped = Erp.import_invoices(rows)
        return f"{created} invoices imported, {skipped} already imported"
    try:
        summary = in_company(database, company, work)
    except (UserError, UserWarning) as e:
        say(f"{name}: error: {e.message}")
        return 1
    except CompanyError as e:
        say(f"{name}: error: {e}")
        return 1
    say(f"{name}: {summary}")
    return 0


def create_key(database, name, company=None):
    "Create an API key and return it (shown once)"
    from trytond.pool import Pool

    def work(company):
        _, key = Pool().get('b2b.api.key').b2b_create_key(name, company)
        return key
    return in_company(database, company, work)
