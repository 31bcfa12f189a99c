# This file is part of the B2B wholesale suite.
"""The reasons of a bank operation's booking: stored as codes with their
values (the matcher's and the review's), read in the reader's language
through ir.message (Polish plural forms from the language's rule)"""
from decimal import Decimal

from b2b_base import formats
from trytond.i18n import gettext, ngettext

# the message of each reason code, spelled out
MESSAGES = {
    'virtual_account': 'b2b_bank_import.msg_reason_virtual_account',
    'account': 'b2b_bank_import.msg_reason_account',
    'nip': 'b2b_bank_import.msg_reason_nip',
    'name': 'b2b_bank_import.msg_reason_name',
    'ksef': 'b2b_bank_import.msg_reason_ksef',
    'split_payment': 'b2b_bank_import.msg_reason_split_payment',
    'number': 'b2b_bank_import.msg_reason_number',
    'exact': 'b2b_bank_import.msg_reason_exact',
    'partial': 'b2b_bank_import.msg_reason_partial',
    'oldest_first': 'b2b_bank_import.msg_reason_oldest_first',
    'overpayment': 'b2b_bank_import.msg_reason_overpayment',
    'outgoing': 'b2b_bank_import.msg_reason_outgoing',
    'fee': 'b2b_bank_import.msg_reason_fee',
    'unknown_number': 'b2b_bank_import.msg_reason_unknown_number',
    'party_conflict': 'b2b_bank_import.msg_reason_party_conflict',
    'name_only': 'b2b_bank_import.msg_reason_name_only',
    'ambiguous': 'b2b_bank_import.msg_reason_ambiguous',
    'amount_mismatch': 'b2b_bank_import.msg_reason_amount_mismatch',
    'no_evidence': 'b2b_bank_import.msg_reason_no_evidence',
    'currency': 'b2b_bank_import.msg_reason_currency',
    'manual': 'b2b_bank_import.msg_reason_manual',
    'lines': 'b2b_bank_import.msg_reason_lines',
    'to_balance': 'b2b_bank_import.msg_reason_to_balance',
    'to_account': 'b2b_bank_import.msg_reason_to_account',
    'account_remembered': 'b2b_bank_import.msg_reason_account_remembered',
    'account_of_other': 'b2b_bank_import.msg_reason_account_of_other',
    'rule': 'b2b_bank_import.msg_reason_rule',
    'no_rule': 'b2b_bank_import.msg_reason_no_rule',
    'undone': 'b2b_bank_import.msg_reason_undone',
    'several': 'b2b_bank_import.msg_reason_several',
    }
# the reasons whose value is an amount (stored as text: "270.00")
AMOUNTS = {'overpayment', 'to_balance'}


def reason_text(reasons, currency=None):
    """The reasons (code, value) as one sentence in the context's language,
    amounts in the currency (its ISO code) as everywhere: 1 234,56 zł"""
    texts = []
    for code, value in reasons:
        message = MESSAGES.get(code)
        if message is None:
            texts.append(code)
        elif code == 'several':
            texts.append(ngettext(message, int(value), count=value))
        elif code == 'account_of_other':
            account, owners = value
            texts.append(gettext(message, account=account, owners=owners))
        elif code in AMOUNTS and value is not None:
            texts.append(gettext(message,
                    value=formats.money(Decimal(value), currency)))
        else:
            texts.append(gettext(message, value=value))
    return '; '.join(texts)
