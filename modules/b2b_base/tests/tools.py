# This file is part of the B2B wholesale suite.
"""Helpers for tests of the B2B modules"""
import contextlib
import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller

import trytond.config as config

# Every module of the suite (b2b_suite.database.MODULES), in the order of
# their names: the module tests and the scenarios of all four modules
# activate this one list, so that trytond's DB_CACHE activates it once and
# restores it afterwards.
# trytond caches an activation under its list of names joined by '-'
# (ModuleTestCase: in the order given; proteus' activate_modules: sorted),
# so the list must stay sorted for both to find the same template.
SUITE_MODULES = ['b2b_bank_import', 'b2b_base', 'b2b_credit', 'b2b_salesrep']


class SuiteModulesMixin:
    """Activate SUITE_MODULES for a test case of trytond (ModuleTestCase,
    _DBTestCase) instead of its module and extras; the module stays the
    one its generic tests check"""

    @classmethod
    def setUpClass(cls):
        from trytond.tests.test_tryton import (
            _DBTestCase,
            activate_module,
            drop_db,
        )

        # _DBTestCase.setUpClass, with the suite's list
        super(_DBTestCase, cls).setUpClass()
        drop_db()
        activate_module(SUITE_MODULES, lang=cls.language)


class _Collector:
    def __init__(self):
        self.messages = []
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        with self.received:
            self.messages.append(message)
            self.received.notify_all()
        return '250 OK'


@contextlib.contextmanager
def smtp_sink():
    """Run a real SMTP server on 127.0.0.1 and point trytond's [email] uri
    at it; yield the list of messages it receives"""
    collector = _Collector()
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname='127.0.0.1', port=port)
    controller.start()
    previous = config.get('email', 'uri')
    config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
    try:
        yield collector.messages
    finally:
        config.set('email', 'uri', previous)
        controller.stop()


@contextlib.contextmanager
def smtp_down():
    """Point trytond's [email] uri at a port of 127.0.0.1 bound by no
    server listening: every connection is refused"""
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        port = closed.getsockname()[1]
        previous = config.get('email', 'uri')
        config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
        try:
            yield
        finally:
            config.set('email', 'uri', previous)


@contextlib.contextmanager
def queue_worker():
    """Set trytond's [queue] worker as production does: the queue's tasks
    are left to a worker (the test runs them)"""
    previous = config.get('queue', 'worker') or 'False'
    config.set('queue', 'worker', 'True')
    try:
        yield
    finally:
        config.set('queue', 'worker', previous)


def run_queued(method):
    """Run the queue's unfinished tasks of the method, as a worker does
    (each task marks itself finished); return how many ran"""
    from trytond.pool import Pool
    Queue = Pool().get('ir.queue')
    tasks = [t for t in Queue.search([('finished_at', '=', None)])
        if t.data['method'] == method]
    for task in tasks:
        task.run()
    return len(tasks)


def registration_values(**values):
    "Return the values of a valid registration form"
    result = {
        'company_name': "Hurtownia Testowa Sp. z o.o.",
        'tax_number': '774-000-14-54',
        'street': "ul. Prosta 1",
        'postal_code': '00-001',
        'city': "Warszawa",
        'country': 'PL',
        'contact_name': "Anna Nowak",
        'email': 'anna.nowak@testowa.example',
        'phone': '+48 600 100 200',
        'password': 'Secret-2026',
        'language': 'en',
        'accept_terms': True,
        'accept_privacy': True,
        }
    result.update(values)
    return result


def create_customer(name, nip, accounts=(), group=None, status='active'):
    """Create an active B2B customer company with web accounts given as
    (email, role) pairs"""
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    WebUser = pool.get('web.user')
    party = Party(name=name, b2b_customer=True, b2b_status=status,
        b2b_customer_group=group,
        identifiers=[{'type': 'pl_vat', 'code': nip}],
        addresses=[{'street': "ul. Testowa 1", 'city': "Kraków",
                'postal_code': '30-001', 'invoice': True, 'delivery': True}])
    party.save()
    users = []
    for email_, role in accounts:
        user = WebUser(email=email_, party=party, b2b_role=role)
        user.password = 'Secret-2026'
        user.save()
        users.append(user)
    return party, users


class _CountingCursor:
    "A cursor that records the statements it executes"

    def __init__(self, cursor, statements):
        self._cursor = cursor
        self._statements = statements

    def execute(self, query, *args, **kwargs):
        self._statements.append(query)
        return self._cursor.execute(query, *args, **kwargs)

    def __iter__(self):
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class _CountingConnection:
    def __init__(self, connection, statements):
        self._connection = connection
        self._statements = statements

    def cursor(self, *args, **kwargs):
        return _CountingCursor(
            self._connection.cursor(*args, **kwargs), self._statements)

    def __getattr__(self, name):
        return getattr(self._connection, name)


@contextlib.contextmanager
def count_queries():
    """Yield the list of the SQL statements the current transaction
    executes inside the block (the ORM's and raw ones alike: both take
    their cursors from Transaction().connection)"""
    from trytond.transaction import Transaction
    transaction = Transaction()
    connection = transaction.connection
    statements = []
    transaction.connection = _CountingConnection(connection, statements)
    try:
        yield statements
    finally:
        transaction.connection = connection
