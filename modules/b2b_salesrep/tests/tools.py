# This file is part of the B2B wholesale suite.
"""Reps, their employees and their users, for the tests of this module and
of the portal's rep area."""
from trytond.pool import Pool


def create_rep(company, name, login, supervisor=None, max_discount=None):
    """Create an employee of company named name, and the back-office user
    login of it in the group B2B Sales Rep; return the employee and the
    user"""
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    party = Party(name=name)
    party.save()
    employee = Employee(party=party, company=company,
        supervisor=supervisor, b2b_max_discount=max_discount)
    employee.save()
    user = User(name=name, login=login,
        groups=[ModelData.get_id('b2b_base', 'group_b2b_salesrep')],
        companies=[company], company=company,
        employees=[employee], employee=employee)
    user.password = 'Rep-Secret-2026'
    user.save()
    return employee, user
