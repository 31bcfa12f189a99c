# This file is part of the B2B wholesale suite.
import datetime
import uuid

from sql import For

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..mail import send_text
from ..outbox import MAX_ATTEMPTS
from .test_pricing import with_setup
from .tools import smtp_down, smtp_sink


def _recipient():
    """Return an address of the test's own: the messages other tests
    committed stay in the outbox, and the job may send them too"""
    return f'outbox-{uuid.uuid4().hex[:8]}@firma.example'


def _to(messages, recipient):
    "Return the messages the sink received for the recipient"
    return [m for m in messages if m['To'] == recipient]


def _outbox(recipient):
    Email = Pool().get('b2b.email')
    return Email.search([('recipient', '=', recipient)])


def _now():
    return datetime.datetime.now()


def _time_comes(email):
    "Let the time of the message's next attempt come, and commit"
    Email = Pool().get('b2b.email')
    Email.write([email], {
            'next_attempt': _now() - datetime.timedelta(seconds=1),
            })
    Transaction().commit()


def _staff_user(group):
    "Return a new back-office user of the group of b2b_base"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    user = User(login=f'staff-{uuid.uuid4().hex[:8]}', name="Staff",
        groups=[ModelData.get_id('b2b_base', group)])
    user.save()
    return user


class OutboxTestMixin:
    "Test the outbox: every e-mail recorded, sent once, failures retried"

    @with_transaction()
    def test_outbox_sent_once(self):
        "A message sent fine is recorded as sent and arrives once"
        Email = Pool().get('b2b.email')
        transaction = Transaction()
        to = _recipient()
        with smtp_sink() as messages:
            send_text(to, "Zamówienie 42", "Dziękujemy za zamówienie.")
            email, = _outbox(to)
            self.assertEqual((email.state, email.subject),
                ('to_send', "Zamówienie 42"))
            self.assertEqual(messages, [])
            transaction.commit()
            mail, = _to(messages, to)
            email = Email(email.id)
            self.assertEqual(
                (email.state, email.attempts, email.error, email.next_attempt),
                ('sent', 1, None, None))
            self.assertIsNotNone(email.sent_at)
            self.assertEqual(mail['Message-ID'], email.message_id)
            self.assertEqual(mail['Subject'], "Zamówienie 42")
            self.assertEqual(mail.get_content().strip(),
                "Dziękujemy za zamówienie.")

            # neither the job, nor a send asked again, nor Retry Now sends
            # a sent message again
            _time_comes(email)
            Email.send_due()
            Email.send([email.id])
            Email.retry([Email(email.id)])
            transaction.commit()
        self.assertEqual(len(_to(messages, to)), 1)
        self.assertEqual(Email(email.id).state, 'sent')

    @with_setup
    def test_outbox_server_down(self):
        """With the mail server down the invitation is made and its e-mail
        recorded failed; the job tries again later and later, and sends it
        once when the server is back"""
        pool = Pool()
        WebUser = pool.get('web.user')
        Email = pool.get('b2b.email')
        transaction = Transaction()
        admin = self.buyer
        admin.b2b_role = 'admin'
        admin.save()
        to = _recipient()
        with smtp_down():
            invited = WebUser.b2b_invite(admin, to, 'buyer')
            transaction.commit()
        invited = WebUser(invited.id)
        self.assertTrue(invited.reset_password_token)
        email, = _outbox(to)
        self.assertEqual((email.state, email.attempts, email.resource),
            ('failed', 1, invited))
        self.assertIn("Connection refused", email.error)
        self.assertIn("The link is valid for 7 days", email.body)
        delay = email.next_attempt - _now()
        self.assertTrue(datetime.timedelta(minutes=4) < delay
            <= datetime.timedelta(minutes=5), delay)

        with smtp_sink() as messages:
            # not yet its time
            Email.send_due()
            transaction.commit()
            self.assertEqual(_to(messages, to), [])
        self.assertEqual(Email(email.id).attempts, 1)

        with smtp_down():
            _time_comes(email)
            Email.send_due()
            transaction.commit()
        email = Email(email.id)
        self.assertEqual((email.state, email.attempts), ('failed', 2))
        delay = email.next_attempt - _now()
        self.assertTrue(datetime.timedelta(minutes=9) < delay
            <= datetime.timedelta(minutes=10), delay)

        with smtp_sink() as messages:
            _time_comes(email)
            Email.send_due()
            transaction.commit()
            Email.send_due()
            transaction.commit()
        mail, = _to(messages, to)
        self.assertEqual(mail['Subject'], "You are invited to order for Alfa")
        self.assertIn("Choose your password", mail.get_content())
        email = Email(email.id)
        self.assertEqual((email.state, email.attempts, email.error),
            ('sent', 3, None))

    @with_transaction()
    def test_outbox_rolled_back(self):
        "A rolled-back transaction leaves no message and sends nothing"
        Email = Pool().get('b2b.email')
        transaction = Transaction()
        to = _recipient()
        with smtp_sink() as messages:
            send_text(to, "Zamówienie 43", "Treść")
            transaction.rollback()
            self.assertEqual(_outbox(to), [])
            Email.send_due()
            transaction.commit()
        self.assertEqual(_to(messages, to), [])

    @with_transaction()
    def test_outbox_given_up_retry_now(self):
        """After the last attempt a message stays failed, listed for the
        B2B administrators, whose Retry Now sends it; others cannot read
        the outbox"""
        pool = Pool()
        Email = pool.get('b2b.email')
        ModelData = pool.get('ir.model.data')
        ActionDomain = pool.get('ir.action.act_window.domain')
        transaction = Transaction()
        to = _recipient()
        with smtp_down():
            send_text(to, "Zamówienie 44", "Treść")
            transaction.commit()
            email, = _outbox(to)
            Email.write([email], {'attempts': MAX_ATTEMPTS - 1})
            _time_comes(email)
            Email.send_due()
            transaction.commit()
        email = Email(email.id)
        self.assertEqual((email.state, email.attempts, email.next_attempt),
            ('failed', MAX_ATTEMPTS, None))
        # given up: the job leaves it
        with smtp_sink() as messages:
            Email.send_due()
            transaction.commit()
            self.assertEqual(_to(messages, to), [])

        staff = _staff_user('group_b2b_admin')
        rep = _staff_user('group_b2b_salesrep')
        failed = ActionDomain(ModelData.get_id(
                'b2b_base', 'act_email_form_domain_failed'))
        with smtp_sink() as messages:
            with transaction.set_user(staff.id), \
                    transaction.set_context(_check_access=True):
                listed = Email.search(PYSONDecoder().decode(failed.domain))
                self.assertIn(email, listed)
                Email.retry([Email(email.id)])
                transaction.commit()
                self.assertEqual(len(_to(messages, to)), 1)
                email = Email(email.id)
                self.assertEqual((email.state, email.attempts),
                    ('sent', MAX_ATTEMPTS + 1))
                self.assertNotIn(email,
                    Email.search(PYSONDecoder().decode(failed.domain)))
                # the button is not offered on a sent message
                with self.assertRaises(UserError):
                    Email.retry([email])
            with transaction.set_user(rep.id), \
                    transaction.set_context(_check_access=True):
                with self.assertRaises(AccessError):
                    Email.search([])
        self.assertEqual(len(_to(messages, to)), 1)

    @with_transaction()
    def test_outbox_locked_message_skipped(self):
        """A message another transaction is sending (it holds its lock) is
        skipped, and sent once when that one is done"""
        Email = Pool().get('b2b.email')
        transaction = Transaction()
        if not transaction.database.has_select_for():
            self.skipTest("the database has no SELECT ... FOR UPDATE")
        to = _recipient()
        with smtp_down():
            send_text(to, "Zamówienie 45", "Treść")
            transaction.commit()
        email, = _outbox(to)
        table = Email.__table__()
        with smtp_sink() as messages:
            with transaction.new_transaction() as other:
                other.connection.cursor().execute(*table.select(table.id,
                        where=table.id == email.id, for_=For('UPDATE')))
                Email.send([email.id])
                self.assertEqual(_to(messages, to), [])
                other.rollback()
            self.assertEqual(Email(email.id).attempts, 1)
            Email.send([email.id])
            Email.send([email.id])
        self.assertEqual(len(_to(messages, to)), 1)
        transaction.commit()
        email = Email(email.id)
        self.assertEqual((email.state, email.attempts), ('sent', 2))

    @with_setup
    def test_reset_password_through_outbox(self):
        """web_user's password reset e-mail goes through the outbox, once
        while its link is valid"""
        pool = Pool()
        WebUser = pool.get('web.user')
        Email = pool.get('b2b.email')
        transaction = Transaction()
        user = self.buyer
        with smtp_sink() as messages:
            WebUser.reset_password([user])
            WebUser.reset_password([user])
            transaction.commit()
        mail, = _to(messages, user.email)
        email, = Email.search([('resource', '=', str(user))])
        self.assertEqual((email.state, email.message_id),
            ('sent', mail['Message-ID']))
        self.assertIn(f"associated with <strong>{user.email}</strong>",
            email.body)
        self.assertIn("Reset Password", mail.get_body(('html',)).get_content())
