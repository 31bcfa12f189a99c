# This file is part of the B2B wholesale suite.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class B2BBaseTestCase(CompanyTestMixin, ModuleTestCase):
    "Test B2B Base module"
    module = 'b2b_base'


del ModuleTestCase
