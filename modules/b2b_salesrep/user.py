# This file is part of the B2B wholesale suite.
"""Reps log in to the portal's rep area with their back-office login and
password: Tryton's own check (``res.user.get_login``, throttled by
``res.user.login.attempt``) and Tryton's own sessions (``ir.session``, bound
to the address they were opened from, ``[session] max_age`` and
``timeout``)."""
import datetime
from hmac import compare_digest

from sql import Literal, Null

import trytond.config as config
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    def _b2b_in_group(self, xml_id):
        "Tell if the user is in the group of b2b_base with this XML id"
        ModelData = Pool().get('ir.model.data')
        # Tryton's cached groups of the user, not a read
        with Transaction().set_user(self.id):
            return ModelData.get_id('b2b_base', xml_id) in self.get_groups()

    def b2b_is_rep(self):
        "Tell if the user works in the rep area: a sales rep with an employee"
        if not self._b2b_in_group('group_b2b_salesrep'):
            return False
        with Transaction().set_user(self.id):
            return bool(self.get_employees())

    def b2b_is_administrator(self):
        "Tell if the user is a B2B administrator (no rep limits)"
        return self._b2b_in_group('group_b2b_admin')

    @classmethod
    def b2b_rep_login(cls, login, password):
        """Return the rep and the key of a new session, None for a wrong
        login or password or a user who is no rep. Raise Tryton's
        RateLimitException after too many failures; a failure is recorded
        in this transaction, which the caller commits."""
        Session = Pool().get('ir.session')
        user_id = cls.get_login(login, {'password': password})
        if not user_id:
            return None
        user = cls(user_id)
        if not user.b2b_is_rep():
            return None
        with Transaction().set_user(user.id):
            key = Session.new()
        return user, key

    @classmethod
    def b2b_rep_session(cls, user_id, key, refresh=False):
        """Return the rep of the session key, None when it is not theirs,
        expired (max_age), idle too long (timeout) or opened elsewhere; with
        refresh, note the activity (a read-write transaction). The rep comes
        with their name, login and company read with the session, in one
        query: every request of the rep area asks for them."""
        Session = Pool().get('ir.session')
        transaction = Transaction()
        ip_address, _ = transaction.remote_address()
        session = Session.__table__()
        user = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*session.join(user,
                condition=session.create_uid == user.id
                ).select(session.key, session.create_date,
                session.write_date, user.name, user.login, user.company,
                where=(session.create_uid == user_id)
                & (user.active == Literal(True))
                & (session.key == key)
                & (session.ip_address == str(ip_address) if ip_address
                    else session.ip_address == Null),
                limit=1))
        row = cursor.fetchone()
        if not row or not compare_digest(row[0], key):
            return None
        _, created, written, name, login, company = row
        now = datetime.datetime.now()
        max_age = datetime.timedelta(
            seconds=config.getint('session', 'max_age'))
        timeout = datetime.timedelta(
            seconds=config.getint('session', 'timeout'))
        last = written or created
        if now - created > max_age or now - last > timeout:
            return None
        user = cls(user_id, name=name, login=login, company=company)
        if not user.b2b_is_rep():
            return None
        if refresh and now - last > timeout / 10:
            Session.reset(key)
        return user

    @classmethod
    def b2b_rep_logout(cls, user_id, key):
        Session = Pool().get('ir.session')
        Session.delete(Session.search([
                    ('create_uid', '=', user_id),
                    ('key', '=', key),
                    ]))

    def b2b_rep_context(self):
        """Return the context a request of the rep runs in: the rep's company
        and access checked (the record rules read the rep's employees and
        companies from Tryton's caches of the user)"""
        return {
            'company': self.company.id if self.company else None,
            '_check_access': True,
            }
