# This file is part of the B2B wholesale suite.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class CoverError(ValidationError):
    pass


class PriceOverrideError(UserError):
    pass


class OrderEditError(UserError):
    pass


class LeadError(UserError):
    pass
