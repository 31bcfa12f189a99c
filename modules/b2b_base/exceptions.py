# This file is part of the B2B wholesale suite.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.sale.exceptions import SaleValidationError


class RegistrationError(UserError):
    pass


class RegistrationClosedError(RegistrationError):
    pass


class DuplicateRegistrationError(RegistrationError):
    pass


class InvalidNIPError(RegistrationError):
    pass


class RegistrationStateError(UserError):
    pass


class B2BAccessError(AccessError):
    pass


class CustomerGroupValidationError(ValidationError):
    pass


class SaleQuantityError(SaleValidationError):
    pass


class CartError(UserError):
    pass


class QuantityError(UserError):
    "A typed quantity that is not a plain positive number"


class CheckoutError(UserError):
    pass


class AccountError(UserError):
    pass


class AddressError(UserError):
    pass
