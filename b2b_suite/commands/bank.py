# This file is part of the B2B wholesale suite.
"""`b2b import-statement FILE...`: import bank files from the command
line, one transaction per file (a refused file imports nothing); each
prints the summary the back office shows after an import"""
from b2b_suite.transactions import CompanyError, in_company, read_files


def run(database, paths, company=None, say=print):
    """Import the files into the database for the company (its id, else
    the only one); return the totals of the summaries"""
    from b2b_bank_import.statement import SUMMARY_KEYS, format_summary
    from trytond.exceptions import UserError, UserWarning
    from trytond.pool import Pool

    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for name, data in read_files(paths, say):
        if data is None:
            totals['errors'] += 1
            continue

        def work(company):
            Statement = Pool().get('account.statement')
            statements, summary = Statement.b2b_import(company, data, name)
            return statements, summary, format_summary(summary)
        try:
            statements, summary, text = in_company(database, company, work)
        except (UserError, UserWarning) as e:
            # the file is refused (its format, no journal of its account)
            say(f"{name}: error: {e.message}")
            totals['errors'] += 1
            continue
        except CompanyError as e:
            say(f"{name}: error: {e}")
            totals['errors'] += 1
            continue
        for key in SUMMARY_KEYS:
            totals[key] += summary.get(key, 0)
        say(f"{name}: {len(statements)} statement(s)")
        for line in text.splitlines():
            say(f"  {line}")
    if len(paths) > 1:
        say("total: " + ', '.join(f"{k} {totals[k]}" for k in SUMMARY_KEYS))
    return totals
