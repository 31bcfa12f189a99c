# This file is part of the B2B wholesale suite.
from trytond.exceptions import UserError


class StatementImportError(UserError):
    pass
