# This file is part of the B2B wholesale suite.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class B2BCreditTestCase(CompanyTestMixin, ModuleTestCase):
    "Test b2b_credit module"
    module = 'b2b_credit'


del ModuleTestCase
