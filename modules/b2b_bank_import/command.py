# This file is part of the B2B wholesale suite.
"""`b2b import-statement FILE...`: import bank files from the command
line, one transaction per file (a refused file imports nothing)"""

SUMMARY_KEYS = ['read', 'matched', 'queued', 'skipped', 'duplicate',
    'errors']


def run(database, paths, company=None, say=print):
    """Import the files into the database for the company (its id, else
    the only one); return the totals of the summaries"""
    from b2b_suite.transactions import in_company, read_files
    from trytond.pool import Pool

    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for name, data in read_files(paths, say):
        if data is None:
            totals['errors'] += 1
            continue

        def work(company):
            Statement = Pool().get('account.statement')
            return Statement.b2b_import(company, data, name)
        try:
            statements, summary = in_company(database, company, work)
        except Exception as e:
            # a UserError of the file, the CompanyError of in_company
            message = getattr(e, 'message', None) or str(e)
            say(f"{name}: error: {message}")
            totals['errors'] += 1
            continue
        for key in SUMMARY_KEYS:
            totals[key] += summary.get(key, 0)
        say(f"{name}: {len(statements)} statement(s); "
            + ', '.join(f"{k} {summary.get(k, 0)}" for k in SUMMARY_KEYS))
    if len(paths) > 1:
        say("total: " + ', '.join(f"{k} {totals[k]}" for k in SUMMARY_KEYS))
    return totals
