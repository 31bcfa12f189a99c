# This file is part of the B2B wholesale suite.
from b2b_base.exceptions import CheckoutError
from trytond.exceptions import UserError


class PaymentError(UserError):
    pass


class CreditCheckoutError(CheckoutError):
    pass


class ErpImportError(UserError):
    "A file or request from an external system that cannot be imported"


class APIKeyError(UserError):
    pass
