# This file is part of the B2B wholesale suite.
"""The statement files of Polish banks read without a database"""
import datetime as dt
import os
import unittest
from decimal import Decimal

from lxml import etree

from b2b_bank_import.parsers import (
    StatementFormatError,
    decode,
    detect_format,
    parse,
)

DATA = os.path.join(os.path.dirname(__file__), 'data')
MESSAGE_XML = os.path.join(os.path.dirname(__file__), '..', 'message.xml')
SHARED = os.path.normpath(os.path.join(os.path.dirname(__file__),
        '..', '..', '..', '..', 'shared', 'bank-samples'))


def read(name):
    with open(os.path.join(DATA, name), 'rb') as fp:
        return parse(fp.read(), name)


def reason(error):
    """The English text of a refusal: its message in message.xml filled
    with its values (a missing message or value fails)"""
    texts = {record.get('id'): record.findtext('field[@name="text"]')
        for record in etree.parse(MESSAGE_XML).iter('record')}
    return texts[error.message_id] % error.values


class ParserTestCase(unittest.TestCase):

    def test_mbank_iph(self):
        "mBank CompanyNet (SOH/ETX, KEY: value;, ISO-8859-2, IPH ids)"
        statement, = read('mbank/MT940_IPH.txt')
        self.assertEqual(statement.format, 'mt940')
        self.assertEqual(statement.account, 'PL45114011370000310211001001')
        self.assertEqual(statement.currency, 'PLN')
        self.assertEqual(statement.opening_balance, Decimal('0.00'))
        self.assertEqual(len(statement.lines), 24)
        first = statement.lines[0]
        self.assertEqual(first.amount, Decimal('6979.18'))
        self.assertEqual(first.date, dt.date(2010, 6, 4))
        self.assertEqual(first.title, '210F1163')
        self.assertEqual(first.account, 'PL04105014611000002345271577')
        self.assertTrue(first.name.startswith(
                'GWARANT-CYNKOWANIE SPÓŁKA Z O.O.'))
        self.assertEqual(first.transaction_id, '154961063737599.110001')
        self.assertEqual(first.virtual_account, 'XX000000000014')
        self.assertEqual(first.kind, 'transfer')
        # the space mBank puts after 35 characters is taken out
        sokolow = statement.lines[17]
        self.assertIn('REJESTR VAT: 110F02470', sokolow.title)
        fee = statement.lines[-1]
        self.assertEqual((fee.amount, fee.kind), (Decimal('-15.00'), 'fee'))

    def test_mbank_multiple_accounts(self):
        statements = read('mbank/MT940_multiple_accounts.txt')
        self.assertEqual(len(statements), 8)
        self.assertEqual(sum(len(s.lines) for s in statements), 56)
        self.assertEqual({s.currency for s in statements},
            {'PLN', 'EUR', 'USD'})
        kinds = {l.kind for s in statements for l in s.lines}
        self.assertEqual(kinds, {'transfer', 'fee', 'outgoing'})
        for statement in statements:
            for line in statement.lines:
                self.assertEqual(line.kind == 'transfer', line.amount > 0)

    def test_mbank_wrapped_tnr_and_mt942(self):
        statement, = read('mbank/with_newline_in_tnr.sta')
        self.assertEqual(statement.lines[0].transaction_id,
            '179301073837502.000001')
        self.assertIn('FVD-0000/02/2017', statement.lines[0].title)
        interim, = read('mbank/mt942.sta')
        self.assertEqual(interim.format, 'mt942')
        final, = read('mbank/mt940.sta')
        # the TNR links an interim report's line to the final statement's
        self.assertTrue({l.transaction_id for l in interim.lines}
            & {l.transaction_id for l in final.lines})

    def test_pko(self):
        "PKO BP: ~NN a line, 0xFF fillers, MPP title over 27-char lines"
        statement, = read('pko_iso88592.sta')
        line, fee = statement.lines
        self.assertEqual(line.title, '/VAT/345,00/IDC/9521000234/INV/'
            'FV/2026/11/0031/TXT/zapłata za fakturę')
        self.assertEqual(line.name, 'BUDOWLANKA KOWALSKI SPÓŁKA JAWNA')
        # sort code + account without check digits make the IBAN
        self.assertEqual(line.account, 'PL50102055619000361245650140')
        self.assertEqual(fee.kind, 'fee')
        self.assertEqual(statement.closing_balance, Decimal('4516.04'))

    def test_pko_specification_example(self):
        "PKO BP's specification example (0xFF fillers, ISO-8859-2)"
        with open(os.path.join(DATA, 'pko', 'pko_spec_example_mt940.sta'),
                'rb') as fp:
            statement, = parse(fp.read())
        self.assertEqual(len(statement.lines), 4)
        self.assertEqual(statement.lines[1].name,
            'DRUGI MAZOWIECKI URZĄD SKARBOWY WARSZAWA')
        self.assertTrue(all(l.amount < 0 for l in statement.lines))

    def test_ing(self):
        "ING: CP852, two :86: fields, ~29 NRB, wrapped at 65"
        statement, = read('ing_cp852.sta')
        line, fee = statement.lines
        self.assertEqual(line.title,
            'FAKTURA FV/2026/11/0012 i FV/2026/11/0013')
        self.assertEqual(line.name,
            'HURTOWNIA ŁĄCZNIK SP. Z O.O. UL. ŻÓŁKIEWSKIEGO 5')
        self.assertEqual(line.account, 'PL19114020040000350230599137')
        self.assertEqual(fee.kind, 'fee')
        interim, = read('ing_mt942_cp852.txt')
        self.assertEqual(interim.format, 'mt942')
        self.assertEqual(interim.lines[0].amount, Decimal('300.00'))

    def test_millennium(self):
        statement, = read('millennium_cp852.sta')
        line, = statement.lines
        self.assertTrue(line.title.startswith(
                '/VAT/460,00/IDC/5261040828/INV/FV/2026/11/0044/TXT/'))
        self.assertEqual(line.name,
            'MAGAZYNY ŚWIĘTOKRZYSKIE SA UL. SŁONECZNA 4 25-001 KIELCE')

    def test_bnp(self):
        statement, = read('bnp_cp1250.sta')
        line, fee = statement.lines
        self.assertEqual(line.title, 'Zapłata FV 12/11/2026 dziękujemy')
        self.assertEqual(line.amount, Decimal('850.50'))
        self.assertEqual(line.name, 'PRZEDSIĘBIORSTWO ŚWIT SP. Z O.O. ŁÓDŹ')
        self.assertEqual((fee.amount, fee.kind), (Decimal('-12.30'), 'fee'))

    def test_camt053(self):
        statement, = read('camt053_pl.xml')
        self.assertEqual(statement.format, 'camt053')
        self.assertEqual(statement.account, 'PL12105014451000002271681920')
        line, fee = statement.lines
        self.assertEqual(line.title,
            'Płatność za faktury FV/2026/11/0007, 0008')
        self.assertEqual(line.account, 'PL02102010680000140200501234')
        self.assertEqual(line.virtual_account,
            'PL40105014451000990012345678')
        self.assertEqual(line.transaction_id, 'ING20261109000001')
        self.assertEqual((fee.amount, fee.kind), (Decimal('-24.00'), 'fee'))
        generic, = read('mixed/camt053.v4.xml')
        self.assertEqual(len(generic.lines), 1)

    def test_elixir(self):
        statement, = read('elixir_o_iso88592.txt')
        self.assertEqual(statement.format, 'elixir')
        self.assertEqual(statement.account, 'PL23102055610000380209739045')
        first, mpp = statement.lines
        self.assertEqual(first.amount, Decimal('1230.00'))
        self.assertEqual(first.title,
            'ZAPŁATA ZA FV/2026/11/0012 ORAZ FV/2026/11/0013')
        self.assertTrue(mpp.extra['split_payment'])

    def test_refused(self):
        "Malformed and unknown files are refused naming the line"
        for name, line in [('malformed_61.sta', 11),
                ('malformed_camt.xml', 25), ('malformed_elixir.txt', 2),
                ('unknown.csv', 1), ('mixed/invalid_statement.sta', 1),
                ('mixed/camt053.v2.wrong.xml', 3)]:
            with self.subTest(name=name):
                with self.assertRaises(StatementFormatError) as cm:
                    read(name)
                self.assertEqual(cm.exception.line, line)
                self.assertEqual(cm.exception.filename, name)
                self.assertTrue(reason(cm.exception))
        with self.assertRaises(StatementFormatError) as cm:
            read('malformed_61.sta')
        self.assertEqual(reason(cm.exception),
            "invalid statement line (:61:) '26110X1103D5,00S073'")

    def test_xml_entities_refused(self):
        "A CAMT file declaring entities is refused, none of them expanded"
        document = ('<?xml version="1.0"?>\n'
            '<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/hostname">\n'
            '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            '<BkToCstmrStmt><Stmt><Id>&x;&b;</Id></Stmt></BkToCstmrStmt>'
            '</Document>')
        with self.assertRaises(StatementFormatError) as cm:
            parse(document.encode(), 'camt.xml')
        self.assertEqual(cm.exception.line, 2)
        self.assertEqual(reason(cm.exception),
            "document type declarations are not accepted")

    def test_encodings(self):
        text = 'Zapłata za fakturę, Łódź, ŻÓŁĆ'
        for encoding in ['utf-8', 'iso-8859-2', 'cp1250', 'cp852']:
            with self.subTest(encoding=encoding):
                self.assertEqual(decode(text.encode(encoding)), text)

    def test_detect(self):
        self.assertEqual(detect_format('\x01\n:20:X\n:25:PL1\n'), 'mt940')
        self.assertEqual(detect_format('<?xml?><Document '
                'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'),
            'camt')
        self.assertEqual(detect_format('110,20261101,100,1,0,"1"'), 'elixir')
        self.assertIsNone(detect_format('hello'))

    def test_line_keys_stable(self):
        "The same file read twice gives the same keys, distinct per line"
        first, = read('pko_iso88592.sta')
        again, = read('pko_iso88592.sta')
        self.assertEqual(first.line_keys(), again.line_keys())
        self.assertEqual(len(set(first.line_keys())), len(first.lines))

    def test_sample_corpus(self):
        """Every sample file is read or refused cleanly: the module's own
        (the refused ones by name), and the shared corpus beside the
        project when it is there"""
        skip = ('.yml', '.json', '.pydata', '.md')
        read_, refused = 0, 0
        for root, _, files in os.walk(DATA):
            for name in files:
                if name.endswith(skip) or name.startswith('LICENSE'):
                    continue
                with open(os.path.join(root, name), 'rb') as fp:
                    data = fp.read()
                with self.subTest(name=name):
                    if name.startswith(('malformed_', 'unknown', 'invalid_')
                            ) or 'wrong' in name:
                        with self.assertRaises(StatementFormatError) as cm:
                            parse(data, name)
                        self.assertTrue(reason(cm.exception))
                    else:
                        self.assertTrue(all(s.account
                                for s in parse(data, name)))
        if not os.path.isdir(SHARED):
            return
        for root, _, files in os.walk(SHARED):
            for name in files:
                if name.endswith(skip) or name.startswith(
                        ('LICENSE', 'COPYRIGHT', 'NOTICE', 'README')):
                    continue
                with open(os.path.join(root, name), 'rb') as fp:
                    data = fp.read()
                try:
                    statements = parse(data, name)
                except StatementFormatError as e:
                    self.assertTrue(reason(e))
                    self.assertNotIn('/pl/', root + '/')
                    refused += 1
                else:
                    self.assertTrue(all(s.account for s in statements))
                    read_ += 1
        self.assertGreater(read_, 60)
