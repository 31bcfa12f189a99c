# This file is part of the B2B wholesale suite.
"""Work run in Tryton transactions outside of its dispatcher: the suite's
commands (imports, API keys), its benchmarks and the concurrency tests"""
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError


def run_in_transaction(database, func, user=0, context=None,
        on_restart=None):
    """Return func() run in a transaction of its own that commits when it
    returns, started again when Tryton asks for it as its dispatcher does
    (TransactionError: the first move of a period locks a table, a
    checkout on credit finds its company changed), calling on_restart()
    each time; any other exception rolls back and is raised."""
    if database not in Pool.database_list():
        Pool(database).init()
    extras = {}
    while True:
        with Transaction().start(database, user, context=context,
                **extras) as transaction:
            try:
                result = func()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                if on_restart:
                    on_restart()
                continue
            except BaseException:
                transaction.rollback()
                raise
            transaction.commit()
            return result
