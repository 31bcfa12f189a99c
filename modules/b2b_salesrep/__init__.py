# This file is part of the B2B wholesale suite.
"""Sales reps and the customer companies they serve.

A rep is a back-office user (``res.user``) linked to an employee
(``company.employee``) and in the access group *B2B Sales Rep*. A customer
company (``party.party``) has an account manager (``b2b_account_manager``,
an employee) and may have covering reps for a period
(``b2b.salesrep.cover``: holiday cover, hand-over). An employee serves the
companies they manage or cover today, and a team leader (the
``supervisor`` of ``company.employee``, at any depth) also serves those of
the employees under them: ``party.party.b2b_served_by`` searches them in
one SQL query (``('b2b_served_by', 'in', employee_ids)``).

The rule is Tryton's own: record rules (``ir.rule``) of the *B2B Sales
Rep* group limit party (and through ``__access__`` its addresses, contact
mechanisms and identifiers), web accounts, sales (their lines), invoices
(their lines) and payments to the companies served by the user's
employees; the rule context gains ``employees`` (``res.user.get_employees``)
and so does the rule cache key, as module ``company`` does for
``companies``. Parties that are not customer companies (the own company,
carriers, employees) stay readable. The portal's rep area runs each
request as the rep's own user with access checks on, so the same rules
apply there.

Reps keep leads and opportunities with Tryton's ``sale_opportunity``: a
record rule limits them to those of the user's employees and of the
employees under them (``company.employee.b2b_led_by``).

A rep may lower a customer's price by at most ``b2b_max_discount`` percent
(per employee, else ``b2b.configuration.rep_max_discount``):
``company.employee.b2b_discount_limit()``.
"""
