# This file is part of the B2B wholesale suite.
"""Bank statement files of Polish banks, reconciled through Tryton's
statements.

``parsers`` reads MT940/MT942 (the Polish :86: dialects), CAMT.052/053/054
and Elixir-O into plain data; ``matcher`` decides what a received transfer
pays; ``statement`` imports a file into ``account.statement`` and turns
what each operation pays into statement lines; ``origin`` holds the
operations' reasons, the rules' and the review queue's bookings (Assign,
Undo) and refuses a second booking of an operation.  Validating and
posting the statement books the moves and reconciles the invoices.
"""
# the classes are registered in tryton.cfg [register]
