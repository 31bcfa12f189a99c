# This file is part of the B2B wholesale suite.
from trytond.model.exceptions import ValidationError


class CoverError(ValidationError):
    pass
