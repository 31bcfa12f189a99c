# This file is part of the B2B wholesale suite.
"""`b2b import-statement FILE...`: import bank files from the command
line, one transaction per file (a refused file imports nothing)"""
import os

SUMMARY_KEYS = ['read', 'matched', 'queued', 'skipped', 'duplicate',
    'errors']


def run(database, paths, company=None, say=print):
    """Import the files into the database for the company (its id, else
    the only one); return the totals of the summaries"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    if database not in Pool.database_list():
        Pool(database).init()
    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for path in paths:
        name = os.path.basename(path)
        try:
            with open(path, 'rb') as fp:
                data = fp.read()
        except OSError as e:
            say(f"{name}: error: {e.strerror}")
            totals['errors'] += 1
            continue
        with Transaction().start(database, 0, readonly=False) as transaction:
            pool = Pool()
            Company = pool.get('company.company')
            Statement = pool.get('account.statement')
            companies = ([Company(company)] if company
                else Company.search([]))
            if len(companies) != 1:
                say(f"{name}: error: {len(companies)} companies, "
                    "choose one with --company")
                totals['errors'] += 1
                continue
            company_, = companies
            with transaction.set_context(company=company_.id,
                    language=os.environ.get('B2B_LANGUAGE', 'en')):
                try:
                    statements, summary = Statement.b2b_import(
                        company_, data, name)
                except Exception as e:
                    transaction.rollback()
                    message = getattr(e, 'message', None) or str(e)
                    say(f"{name}: error: {message}")
                    totals['errors'] += 1
                    continue
            transaction.commit()
        for key in SUMMARY_KEYS:
            totals[key] += summary.get(key, 0)
        say(f"{name}: {len(statements)} statement(s); "
            + ', '.join(f"{k} {summary.get(k, 0)}" for k in SUMMARY_KEYS))
    if len(paths) > 1:
        say("total: " + ', '.join(f"{k} {totals[k]}" for k in SUMMARY_KEYS))
    return totals
