# This file is part of the B2B wholesale suite.
"""Demo data: a Polish wholesaler with its products, price lists, customer
companies and their accounts.

load(database, size) fills a database in which b2b_base is activated. The
small set is a realistic shop to try the back office and the portal (with
b2b_bank_import: a bank account with its statement journal and rules, and
posted invoices that the demo statement file pays, see demo_operations); the
large set adds at least 100 000 products, 50 price lists and 5 000
companies for benchmarks.  Everything is generated from fixed seeds, so
two databases get the same data (the demo invoices and statement are dated
in the month of the load), and a second run changes nothing.

data/*.json    the literal data: company, catalogue, accounting, sales
               (payment methods, carriers, groups), people, bank
content.py     reads them, with the sizes and seeds of the generated sets
generate.py    NIPs, names, addresses, prices, stock from the seeds
small.py       the small set, with the ORM in one transaction
large.py       the large set, in resumable batches
bulk.py        SQL insertion of the large set's products
statement.py   the demo invoices and the MT940 statement paying them"""
import time

from trytond.pool import Pool

from .content import (
    COMPANY_NAME,
    CUSTOMERS,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DOCS_STATEMENT_DATE,
    OPENING_BALANCE,
    PRODUCT_CODE,
    REP_LOGINS,
    REP_PASSWORD,
    RULE_ACCOUNTS,
    SMALL_CUSTOMERS,
    STATEMENT_FILE,
    STATEMENT_JOURNAL,
    STATEMENT_RULES,
    TEAM_LEADER_LOGIN,
)
from .generate import demo_company_nip, stock_quantity
from .large import load_large
from .small import load_small
from .statement import (
    demo_company_iban,
    demo_invoices,
    demo_operations,
    demo_statement_bytes,
    write_statement,
)
from .tools import (
    LOCK_TABLES,
    SMALL_LOCK_TABLES,
    demo_company_id,
    message,
    run,
)

# what the b2b command, the benchmarks and the tests use
__all__ = [
    'COMPANY_NAME', 'CUSTOMERS', 'DEMO_LOGIN', 'DEMO_PASSWORD',
    'DOCS_STATEMENT_DATE', 'OPENING_BALANCE', 'PRODUCT_CODE', 'REP_LOGINS',
    'REP_PASSWORD', 'RULE_ACCOUNTS', 'SMALL_CUSTOMERS', 'STATEMENT_FILE',
    'STATEMENT_JOURNAL', 'STATEMENT_RULES', 'TEAM_LEADER_LOGIN',
    'demo_company_iban',
    'demo_company_nip', 'demo_invoices', 'demo_operations',
    'demo_statement_bytes', 'load', 'stock_quantity', 'write_statement']

def load(database, size='small', progress=True, statement=None):
    """Load the demo data of size 'small' or 'large' into the database

    The trytond configuration must be loaded and b2b_base activated. The
    large set is loaded on top of the small one. When the small set is
    loaded with b2b_bank_import activated and statement is a path, the
    demo statement of its month is written there."""
    if size not in {'small', 'large'}:
        raise ValueError(f"unknown demo data size: {size}")
    if database not in Pool.database_list():
        Pool(database).init()
    extras = {'_lock_tables': list(LOCK_TABLES)}
    start = time.monotonic()
    if run(database, extras, demo_company_id):
        message(f"Demo data already present in {database}.", progress)
    else:
        message(f"Loading the small demo data into {database}…", progress)
        bank_date = run(database, {'_lock_tables': list(SMALL_LOCK_TABLES)},
            load_small, progress)
        message("Small demo data loaded in %.1f s." % (
                time.monotonic() - start), progress)
        if bank_date and statement:
            path = write_statement(statement, bank_date)
            message(f"Bank statement of the demo invoices ({bank_date:%m/%Y}"
                f", README: Bank statements): {path}", progress)
    if size == 'large':
        load_large(database, extras, progress)
