# This file is part of the B2B wholesale suite.
"""The outbox: every platform e-mail is stored with the transaction that
makes it, sent after that transaction commits, and sent again by a
scheduled job while it fails.

Not Tryton's ir.email: that is the log of the e-mails a user sends from the
client, sent in the request (strict), bound to a required resource whose
read access is its access, and without any state; an e-mail of the
platform needs a state, attempts, the last error and a retry."""
import datetime
import email
import email.policy
import logging
from email.utils import formatdate, make_msgid

from sql.functions import CurrentTimestamp

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import get_smtp_server
from trytond.transaction import Transaction, without_check_access
from trytond.url import host

logger = logging.getLogger(__name__)

STATES = [
    ('to_send', "To Send"),
    ('sent', "Sent"),
    ('failed', "Failed"),
    ]
UNSENT = ['to_send', 'failed']
# a failed message is tried again after 5 minutes, then 10, 20... and
# given up (still failed, shown as such) after this many attempts
MAX_ATTEMPTS = 10
RETRY_DELAY = datetime.timedelta(minutes=5)
# a message still to send this long after its transaction (the process
# died between the commit and the send) is sent by the scheduled job
SEND_GRACE = datetime.timedelta(minutes=10)
# how many messages one run of the scheduled job sends at most
BATCH = 100


def retry_delay(attempts):
    "Return how long to wait before the next attempt, None to give up"
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAY * 2 ** (attempts - 1)


class OutboxDataManager:
    """Send the messages put in it once the transaction has committed
    (never when it rolls back), as trytond.sendmail's SMTPDataManager does
    with plain messages"""

    def __init__(self):
        self.ids = []

    def put(self, ids):
        self.ids.extend(ids)

    def __eq__(self, other):
        if not isinstance(other, OutboxDataManager):
            return NotImplemented
        return True

    def abort(self, trans):
        self.ids = []

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        ids, self.ids = self.ids, []
        if not ids:
            return
        try:
            Pool().get('b2b.email').send(ids)
        except Exception:
            # left to the scheduled job
            logger.exception("fail to send e-mails %s", ids)

    def tpc_abort(self, trans):
        self.ids = []


class Email(ModelSQL, ModelView):
    __name__ = 'b2b.email'
    __string__ = "Outgoing E-mail"
    _rec_name = 'subject'

    recipient = fields.Char("To", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    body = fields.Text("Body", readonly=True)
    message = fields.Text("Message", readonly=True,
        help="The whole message as it is sent.")
    message_id = fields.Char("Message-ID", readonly=True)
    resource = fields.Reference("Related To", selection='get_resources',
        readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    attempts = fields.Integer("Attempts", readonly=True,
        help="How many times sending was tried.")
    error = fields.Text("Last Error", readonly=True,
        states={
            'invisible': ~Eval('error'),
            })
    next_attempt = fields.Timestamp("Next Attempt", readonly=True,
        help="When the scheduled job tries again. "
        "Empty for a failed message: it was given up.")
    sent_at = fields.Timestamp("Sent At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(Index(table,
                (table.state, Index.Equality(cardinality='low')),
                (table.next_attempt, Index.Range()),
                where=table.state.in_(UNSENT)))
        cls._buttons.update({
                'retry': {
                    'invisible': Eval('state') == 'sent',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'to_send'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def get_resources(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + Model.get_name_items()

    @classmethod
    def enqueue(cls, msg, resource=None):
        """Store the message (an email.message.EmailMessage with its From,
        To and Subject) to be sent once the transaction commits; return
        the record"""
        if not msg['Message-ID']:
            # kept by every attempt
            msg['Message-ID'] = make_msgid(domain=host())
        if not msg['Date']:
            msg['Date'] = formatdate()
        text = msg.get_body(preferencelist=('plain', 'html'))
        record = cls(
            recipient=str(msg['To']),
            subject=str(msg['Subject'] or ''),
            body=text.get_content() if text is not None else '',
            message=msg.as_string(),
            message_id=msg['Message-ID'],
            resource=resource,
            next_attempt=datetime.datetime.now() + SEND_GRACE)
        with without_check_access():
            record.save()
        Transaction().join(OutboxDataManager()).put([record.id])
        return record

    def get_message(self):
        return email.message_from_string(
            self.message, policy=email.policy.default)

    @classmethod
    @ModelView.button
    def retry(cls, emails):
        "Send the messages again, now (when the transaction commits)"
        emails = [e for e in emails if e.state != 'sent']
        cls.write(emails, {
                'state': 'to_send',
                'next_attempt': datetime.datetime.now(),
                })
        Transaction().join(OutboxDataManager()).put([e.id for e in emails])

    @classmethod
    def send_due(cls):
        """Send the failed messages whose next attempt has come, and those
        still to send long after their transaction (the scheduled job)"""
        with without_check_access():
            emails = cls.search([
                    ('state', 'in', UNSENT),
                    ('next_attempt', '<=', datetime.datetime.now()),
                    ], order=[('next_attempt', 'ASC'), ('id', 'ASC')],
                limit=BATCH)
        cls.send([e.id for e in emails])

    @classmethod
    def send(cls, ids):
        """Send the messages still unsent, each in a transaction of its own
        that locks it first, so that it is sent once: a message another
        process is sending, or has sent, is skipped"""
        smtp = _Connection()
        try:
            for id_ in ids:
                try:
                    with Transaction().new_transaction() as transaction, \
                            transaction.set_user(0), without_check_access():
                        if cls._lock_unsent(id_):
                            cls(id_)._send(smtp)
                        transaction.commit()
                except Exception:
                    # left as it was, for the scheduled job
                    logger.exception("fail to send e-mail %s", id_)
        finally:
            smtp.quit()

    def _send(self, smtp):
        "Send the message through the connection and record the outcome"
        try:
            refused = smtp.send(self.get_message())
        except Exception as exception:
            self._failed(f"{type(exception).__name__}: {exception}")
        else:
            # only some of several recipients refused it: it is not sent
            # again to the others
            self._sent(f"Refused: {refused}" if refused else None)

    @classmethod
    def _lock_unsent(cls, id_):
        """Lock the message if it is still unsent and no other transaction
        holds it; tell if it did"""
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        where = (table.id == id_) & table.state.in_(UNSENT)
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            cursor.execute(*table.select(table.id, where=where,
                    for_=For('UPDATE')))
            return cursor.fetchone() is not None
        # SQLite: the update takes the database's write lock until the
        # commit, and another sender waits for it and then finds it sent
        cursor.execute(*table.update([table.write_date], [CurrentTimestamp()],
                where=where))
        return cursor.rowcount > 0

    def _sent(self, error=None):
        self.state = 'sent'
        self.sent_at = datetime.datetime.now()
        self.attempts = (self.attempts or 0) + 1
        self.error = error
        self.next_attempt = None
        self.save()

    def _failed(self, error):
        self.state = 'failed'
        self.attempts = (self.attempts or 0) + 1
        self.error = error
        delay = retry_delay(self.attempts)
        self.next_attempt = (datetime.datetime.now() + delay
            if delay is not None else None)
        self.save()
        logger.warning("e-mail %s to %s failed (attempt %s): %s",
            self.id, self.recipient, self.attempts, error)


class _Connection:
    """The SMTP connection shared by the messages sent together, opened at
    the first; after a failure to connect the others fail the same way
    without waiting for the server again"""

    def __init__(self):
        self.server = None
        self.refused = None

    def send(self, message):
        if self.refused is not None:
            raise self.refused
        if self.server is None:
            try:
                self.server = get_smtp_server(strict=True)
            except Exception as exception:
                self.refused = exception
                raise
        try:
            return self.server.send_message(message)
        except Exception:
            # a new connection for the next message
            self.close()
            raise

    def close(self):
        if self.server is not None:
            try:
                self.server.close()
            except Exception:
                pass
            self.server = None

    def quit(self):
        if self.server is not None:
            try:
                self.server.quit()
            except Exception:
                self.close()
            self.server = None
