# This file is part of the B2B wholesale suite.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class B2BBankImportTestCase(CompanyTestMixin, ModuleTestCase):
    "Test b2b_bank_import module"
    module = 'b2b_bank_import'


del ModuleTestCase
