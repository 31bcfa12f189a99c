# This file is part of the B2B wholesale suite.
"""Which invoices a transfer pays, without a database"""
import datetime as dt
import os
import unittest
from decimal import Decimal as D

from b2b_bank_import.matcher import (
    InvoiceIndex,
    OpenInvoice,
    Payer,
    match_line,
)
from b2b_bank_import.parsers import parse

HURT, SWIT, KEMIRA = 1, 2, 3


def index():
    day = dt.date(2026, 11, 1)
    invoices = [
        OpenInvoice(1, 'FV/2026/11/0012', HURT, D('1000.00'), day),
        OpenInvoice(2, 'FV/2026/11/0013', HURT, D('230.00'),
            day + dt.timedelta(1)),
        OpenInvoice(3, 'FV/2026/11/0044', SWIT, D('2460.00'), day,
            ksef='5261040828-20261101-0A1B2C3D4E5F-7A'),
        OpenInvoice(4, 'FV/2026/10/0099', SWIT, D('500.00'),
            day - dt.timedelta(20)),
        OpenInvoice(5, '110F01010', KEMIRA, D('100.00'), day),
        OpenInvoice(6, '110F01072', KEMIRA, D('200.00'), day),
        OpenInvoice(7, '110F01075', KEMIRA, D('300.00'), day),
        OpenInvoice(8, '110F01076', KEMIRA, D('400.00'), day),
        OpenInvoice(9, '110F02470', KEMIRA, D('6344.00'), day),
        ]
    payers = [
        Payer(HURT, 'Hurtownia Łącznik Sp. z o.o.', '5260250274',
            accounts=('PL19114020040000350230599137',),
            virtual_accounts=('PL58105014451000990012345678',)),
        Payer(SWIT, 'Przedsiębiorstwo Świt', '5261040828'),
        Payer(KEMIRA, 'Kemira Świecie Sp. z o.o.', '5590002117',
            accounts=('PL68175010510000000001050834',)),
        ]
    return InvoiceIndex(invoices, payers)


class MatcherTestCase(unittest.TestCase):

    def assertPays(self, match, allocations, status='matched'):
        self.assertEqual(match.status, status, match.reason)
        self.assertEqual(match.allocations,
            [(i, D(a)) for i, a in allocations])

    def test_number_spellings(self):
        "Our invoice number however the payer writes it"
        for title in ['FV/2026/11/0012', 'Zapłata za FV 2026/11/0012',
                'fv2026110012', 'FV 12/11/2026', 'faktura nr FV-2026-11-0012',
                'FV/2026/11/00 12']:
            with self.subTest(title=title):
                match = match_line(index(), D('1000.00'), title)
                self.assertPays(match, [(1, '1000.00')])
                self.assertIn('FV/2026/11/0012', match.reason)

    def test_several_numbers(self):
        match = match_line(index(), D('1230.00'),
            'FAKTURA FV/2026/11/0012 i FV/2026/11/0013')
        self.assertPays(match, [(1, '1000.00'), (2, '230.00')])
        match = match_line(index(), D('1230.00'),
            'Płatność za faktury FV/2026/11/0012, 0013')
        self.assertPays(match, [(1, '1000.00'), (2, '230.00')])

    def test_abbreviated_list(self):
        match = match_line(index(), D('1000.00'),
            '110F01010 72 75 76 KOREKTA 110F K043',
            account='PL68175010510000000001050834')
        self.assertPays(match, [(5, '100.00'), (6, '200.00'),
                (7, '300.00'), (8, '400.00')])

    def test_split_by_bank(self):
        "A space the bank put every 35 characters"
        match = match_line(index(), D('6344.00'),
            '110F02470 2010-05-13 REJESTR VAT: 1 10F02470.')
        self.assertPays(match, [(9, '6344.00')])

    def test_ksef(self):
        match = match_line(index(), D('2460.00'),
            'KSeF 5261040828-20261101-0A1B2C3D4E5F-7A dziękujemy')
        self.assertPays(match, [(3, '2460.00')])
        self.assertEqual(match.reasons[0][0], 'ksef')

    def test_split_payment(self):
        match = match_line(index(), D('2460.00'),
            '/VAT/460,00/IDC/5261040828/INV/FV/2026/11/0044/TXT/towar')
        self.assertPays(match, [(3, '2460.00')])
        codes = [c for c, _ in match.reasons]
        self.assertIn('nip', codes)
        self.assertIn('split_payment', codes)

    def test_nip_account_virtual(self):
        "No number: the payer known and the amount fits one invoice"
        match = match_line(index(), D('230.00'), 'za towar',
            account='PL19114020040000350230599137')
        self.assertPays(match, [(2, '230.00')])
        match = match_line(index(), D('500.00'), 'zapłata NIP 526-104-08-28')
        self.assertPays(match, [(4, '500.00')])
        # the identifying account: oldest first, the rest as balance
        match = match_line(index(), D('1500.00'), 'przelew',
            virtual_account='PL58105014451000990012345678')
        self.assertPays(match, [(1, '1000.00'), (2, '230.00')])
        self.assertEqual(match.overpayment, D('270.00'))

    def test_partial_and_overpayment(self):
        match = match_line(index(), D('400.00'), 'FV/2026/11/0012',
            account='PL19114020040000350230599137')
        self.assertPays(match, [(1, '400.00')])
        self.assertIn('partial', [c for c, _ in match.reasons])
        match = match_line(index(), D('1100.00'), 'FV/2026/11/0012',
            name='HURTOWNIA ŁĄCZNIK SP. Z O.O. UL. ŻÓŁKIEWSKIEGO 5')
        self.assertPays(match, [(1, '1000.00')])
        self.assertEqual(match.overpayment, D('100.00'))
        # several named, not enough for all: the oldest first
        match = match_line(index(), D('1100.00'),
            'FV/2026/11/0013 FV/2026/11/0012',
            account='PL19114020040000350230599137')
        self.assertPays(match, [(1, '1000.00'), (2, '100.00')])

    def test_uncertain_goes_to_review(self):
        "Unknown payer, amount not the invoice's: ask a person"
        match = match_line(index(), D('999.00'), 'FV/2026/11/0012')
        self.assertEqual(match.status, 'review')
        self.assertEqual(match.candidates, [1])
        match = match_line(index(), D('230.00'), 'darowizna')
        self.assertEqual(match.status, 'review')
        self.assertEqual(match.candidates, [2])
        # the payer is another company than the invoice's
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012',
            account='PL68175010510000000001050834')
        self.assertEqual(match.status, 'review')
        # known payer, a number we do not have: not by amount
        match = match_line(index(), D('230.00'), 'FV/2026/11/0777',
            account='PL19114020040000350230599137')
        self.assertEqual(match.status, 'review')

    def assertConflict(self, match, party, candidates):
        "To review for another company than the payer's, nothing booked"
        self.assertEqual(match.status, 'review', match.reason)
        self.assertEqual(match.allocations, [])
        self.assertEqual(match.reasons[0][0], 'party_conflict', match.reason)
        self.assertEqual(match.party, party)
        self.assertEqual(match.candidates, candidates)

    def test_known_payer_cites_other_company(self):
        "Kemira pays exactly Hurtownia's invoice, citing its number: ask"
        # recognised by its name in the counterparty field only
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012',
            account='PL61109010140000071219812874',
            name='KEMIRA ŚWIECIE SPÓŁKA Z O.O. UL. WISLANA 1')
        self.assertConflict(match, KEMIRA, [1])
        self.assertIn(('party_conflict', 'Kemira Świecie Sp. z o.o.'),
            match.reasons)
        # by its known account, by its NIP in the title
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012',
            account='PL68175010510000000001050834')
        self.assertConflict(match, KEMIRA, [1])
        match = match_line(index(), D('1000.00'),
            'NIP 526-104-08-28 FV/2026/11/0012')
        self.assertConflict(match, SWIT, [1])
        # the account Hurtownia's, the name Kemira's: who pays is unclear
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012',
            account='PL19114020040000350230599137',
            name='Kemira Świecie Sp. z o.o.')
        self.assertConflict(match, HURT, [1])
        # the name alone and no invoice number: not booked by amount
        match = match_line(index(), D('230.00'), 'za towar',
            name='HURTOWNIA ŁĄCZNIK')
        self.assertEqual(match.status, 'review', match.reason)
        self.assertEqual((match.party, match.candidates), (HURT, [2]))
        # a name with one distinctive word of Kemira's is no name
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012',
            name='KEMIRA')
        self.assertPays(match, [(1, '1000.00')])

    def test_names_of_several_companies(self):
        "A name inside another one, two companies of the same name"
        day = dt.date(2026, 11, 1)
        idx = InvoiceIndex([
                OpenInvoice(1, 'FV/2026/11/0001', 1, D('100.00'), day),
                OpenInvoice(2, 'FV/2026/11/0002', 2, D('200.00'), day),
                OpenInvoice(3, 'FV/2026/11/0003', 3, D('300.00'), day),
                OpenInvoice(4, 'FV/2026/11/0004', 4, D('400.00'), day),
                ], [
                Payer(1, 'Alfa Budowa Sp. z o.o.'),
                Payer(2, 'Alfa Budowa Radom S.A.'),
                Payer(3, 'Beta Metal Sp.J.'),
                Payer(4, 'Beta Metal S.C.',
                    accounts=('PL68175010510000000001050834',)),
                ])
        # every word of both names: the longer one pays, not the shorter
        name = 'ALFA BUDOWA RADOM S.A. UL. POLNA 2'
        match = match_line(idx, D('100.00'), 'FV/2026/11/0001', name=name)
        self.assertConflict(match, 2, [1])
        match = match_line(idx, D('200.00'), 'FV/2026/11/0002', name=name)
        self.assertPays(match, [(2, '200.00')])
        # the shorter name alone: its own invoice, not the longer one's
        match = match_line(idx, D('100.00'), 'FV/2026/11/0001',
            name='ALFA BUDOWA')
        self.assertPays(match, [(1, '100.00')])
        match = match_line(idx, D('200.00'), 'FV/2026/11/0002',
            name='ALFA BUDOWA')
        self.assertConflict(match, 1, [2])
        # two companies of one name: either's invoice fits the name, a
        # third company's does not
        match = match_line(idx, D('300.00'), 'FV/2026/11/0003',
            name='BETA METAL')
        self.assertPays(match, [(3, '300.00')])
        match = match_line(idx, D('100.00'), 'FV/2026/11/0001',
            name='BETA METAL')
        self.assertConflict(match, None, [1])
        # an account known for two companies: the invoice of a third
        idx.add_payer(Payer(3, 'Beta Metal Sp.J.',
                accounts=('PL68175010510000000001050834',)))
        match = match_line(idx, D('100.00'), 'FV/2026/11/0001',
            account='PL68175010510000000001050834')
        self.assertConflict(match, None, [1])
        match = match_line(idx, D('400.00'), 'FV/2026/11/0004',
            account='PL68175010510000000001050834')
        self.assertPays(match, [(4, '400.00')])

    def test_paid_or_large_overpayment_asked(self):
        "An invoice already paid, or far more than named: ask"
        idx = index()
        match = match_line(idx, D('1000.00'), 'FV/2026/11/0012',
            account='PL19114020040000350230599137')
        self.assertPays(match, [(1, '1000.00')])
        idx.remove(1, D('1000.00'))
        # the same invoice paid again: not booked on another one
        match = match_line(idx, D('1000.00'), 'FV/2026/11/0012',
            account='PL19114020040000350230599137')
        self.assertEqual(match.status, 'review')
        match = match_line(idx, D('900.00'), 'FV/2026/11/0013',
            account='PL19114020040000350230599137')
        self.assertEqual(match.status, 'review')
        self.assertIn('amount_mismatch', [c for c, _ in match.reasons])

    def test_outgoing_and_fees_never_matched(self):
        for amount, kind in [(D('-1000.00'), 'outgoing'),
                (D('-5.00'), 'fee'), (D('1000.00'), 'fee')]:
            match = match_line(index(), amount, 'FV/2026/11/0012',
                account='PL19114020040000350230599137', kind=kind)
            self.assertEqual(match.status, 'skipped')
            self.assertFalse(match.allocations)

    def test_reasons_as_codes(self):
        "Reasons are codes with values (read in the user's language later)"
        match = match_line(index(), D('1000.00'), 'FV/2026/11/0012')
        self.assertEqual(match.reasons,
            [('number', 'FV/2026/11/0012'), ('exact', None)])


class RealTitlesTestCase(unittest.TestCase):
    "The invoice references Polish payers really wrote (mBank IPH sample)"

    def test_mbank_iph_titles(self):
        path = os.path.join(os.path.dirname(__file__), 'data', 'mbank',
            'MT940_IPH.txt')
        with open(path, 'rb') as fp:
            statement, = parse(fp.read())
        lines = statement.lines
        singles = {0: '210F1163', 1: '110F02574', 2: '210F1160',
            3: '110F02305', 4: '210F1093', 5: '110F02575', 6: '110F02503',
            7: '210F1102', 8: '210F1266', 9: '110F02488', 10: '110F02468',
            11: '110F02781', 12: '210F0513', 13: '210F1137', 16: '110F02290',
            17: '110F02470', 19: '210F1379', 20: '210F0997', 21: '110F02453'}
        parties = {}
        invoices = []
        for n, number in singles.items():
            party = parties.setdefault(lines[n].account, len(parties) + 1)
            invoices.append(OpenInvoice(n + 1, number, party,
                    lines[n].amount, dt.date(2010, 5, 1)))
        payers = [Payer(p, accounts=(a,)) for a, p in parties.items()]
        index = InvoiceIndex(invoices, payers)
        for n, line in enumerate(lines):
            match = match_line(index, line.amount, line.title,
                account=line.account, name=line.name, kind=line.kind)
            with self.subTest(title=line.title):
                if n in singles:
                    self.assertEqual(match.status, 'matched', match.reason)
                    self.assertEqual(match.allocations,
                        [(n + 1, line.amount)])
                elif line.kind == 'fee':
                    self.assertEqual(match.status, 'skipped')
                else:
                    self.assertEqual(match.status, 'review')
