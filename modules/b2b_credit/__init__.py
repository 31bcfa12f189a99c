# This file is part of the B2B wholesale suite.
"""Trade credit, invoices and payments of customer companies.

Trade credit (party.party, builds on account_credit_limit and
sale_credit_limit): the limit is Tryton's ``credit_limit_amount``; the
used credit is what the company owes on its receivable (unpaid invoices,
less any credit balance) plus its confirmed orders not yet invoiced, gross;
after an ERP sync (``b2b_credit_external_used``, ``b2b_credit_synced_at``)
it is the ERP's figure plus the orders placed here since, less the
payments recorded here since. ``party.b2b_credit()`` returns all figures,
``party.b2b_deferred_refusal(amount)`` tells why deferred payment of an
amount is refused (None when it fits).

Deferred payment (``b2b.payment.method`` of kind ``deferred``) is offered
at checkout only while the cart's gross total fits the available credit
(``sale.sale.b2b_checkout_options``: ``unavailable_payment_methods``) and
checked again when the sale is confirmed, after
``party.party.b2b_lock_credit`` locked that company only (see there).

Payments, the API other modules call (bank statement import)::

    Payment = Pool().get('b2b.payment')
    payment = Payment.record(party, amount, date, invoices=None,
        reference=None, origin=None, journal=None, reason=None,
        account=None)
    Payment.cancel([payment])

``record`` books ONE posted ``account.move`` in the context's company
(or the invoices'): debit of the cash account (``account``, else the
debit account of the invoice payment method set in B2B configuration,
``payment_method``; the journal is ``journal`` else that method's), credit
of the party's receivable. The amount pays the ``invoices`` in the order
given (open customer invoices of the party, else all its open invoices
oldest first), each in full or the last in part: the move line is added to
the invoice's payment lines and a fully paid invoice is reconciled, so it
is ``paid`` at once. What is left stays unreconciled on the receivable:
the company's credit balance. ``reference``, ``origin`` (a Reference: an
invoice, a bank statement line, ...) and ``reason`` (why it was matched)
are stored; ``payment.allocations`` (``b2b.payment.allocation``: invoice,
amount) say what it paid. It returns the ``b2b.payment``; the credit
figures reflect it in the same transaction. A bad call raises
``PaymentError`` (a UserError) and books nothing. Like any posting, the
first move of a journal in a period locks Tryton's journal-period table
(a ``TransactionError``): call it where transactions are started again
(the dispatcher, the portal, ``with_transaction``, a loop like the one
of the ``b2b import-invoices`` command).

``cancel`` undoes payments: unreconciles, removes the payment lines,
cancels the move by a reversing move (``payment.cancel_move``) and
marks them cancelled; their invoices are open again.
"""
