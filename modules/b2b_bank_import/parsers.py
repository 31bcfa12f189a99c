# This file is part of the B2B wholesale suite.
"""Bank statement files as Polish banks deliver them, read into plain data

Without Tryton: MT940 / MT942 with the Polish :86: dialects,
CAMT.052/053/054 (ISO 20022, read by lxml) and the Elixir-O text layout
(its records by the csv module).  `parse(data)` detects the format and
returns a list of `Statement`; a file it cannot read raises
`StatementFormatError` naming the line and the reason (an ir.message of
the module and its values, translated where it is shown), and nothing is
returned.
"""
import calendar
import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree
from stdnum import iban as iban_number

__all__ = ['Statement', 'Line', 'StatementFormatError', 'parse', 'decode',
    'detect_format', 'normalize_account']


class StatementFormatError(ValueError):
    """A file that is not a statement we can read: the line at fault and
    the reason, the id of its message (`msg_format_…` of the module) and
    the message's values; no transaction is needed to raise it"""

    def __init__(self, line, message_id, filename=None, **values):
        self.line = line
        self.message_id = message_id
        self.values = values
        self.filename = filename
        super().__init__(line, message_id, values)


@dataclass
class Line:
    "One booked operation of a statement; amount > 0 is money received"
    date: dt.date
    amount: Decimal
    currency: str = None
    value_date: dt.date = None
    name: str = ''
    account: str = ''           # counterparty IBAN (or raw account)
    title: str = ''             # transfer title, bank wrapping re-joined
    reference: str = ''         # bank's reference of the operation
    transaction_id: str = ''    # stable id across files (TNR, AcctSvcrRef…)
    kind: str = 'transfer'      # transfer, fee, outgoing
    code: str = ''              # bank's operation code
    virtual_account: str = ''   # identifying account / IPH id credited
    description: str = ''       # the raw details as the bank wrote them
    line_no: int = 0            # where it starts in the file
    extra: dict = field(default_factory=dict)

    def key(self, account, index):
        "A key that is the same each time the same operation is read"
        if self.transaction_id:
            base = 'id|%s|%s' % (account, self.transaction_id)
        else:
            base = '|'.join(str(x) for x in (
                    'op', account, self.date, self.amount, self.account,
                    self.reference, self.title, index))
        return hashlib.sha1(base.encode('utf-8')).hexdigest()


@dataclass
class Statement:
    format: str
    account: str = ''
    currency: str = None
    number: str = ''
    date: dt.date = None
    start_date: dt.date = None
    opening_balance: Decimal = None
    closing_balance: Decimal = None
    lines: list = field(default_factory=list)
    information: str = ''
    line_no: int = 0
    created: dt.date = None

    def line_keys(self):
        "Keys of the lines, occurrences of identical operations counted"
        seen = {}
        keys = []
        for line in self.lines:
            sig = (line.date, line.amount, line.account, line.reference,
                line.title, line.transaction_id)
            index = seen.get(sig, 0)
            seen[sig] = index + 1
            keys.append(line.key(self.account, index))
        return keys


# --------------------------------------------------------------- accounts
def normalize_account(text):
    """The IBAN of an account as written in a file (NRB, /PL…, spaces),
    else the text without spaces"""
    if not text:
        return ''
    raw = re.sub(r'[\s\-]', '', text).lstrip('/').upper()
    if re.fullmatch(r'\d{26}', raw):
        return 'PL' + raw
    m = re.match(r'([A-Z]{2}\d{2}[A-Z0-9]{8,30})', raw)
    if m:
        return m.group(1)
    return raw


# -------------------------------------------------------------- encodings
_PL_LETTERS = set('ąćęłńóśźżĄĆĘŁŃÓŚŹŻ')
_CANDIDATES = ('iso-8859-2', 'cp1250', 'cp852')


def _score(text):
    score = 0
    for char in text:
        if ord(char) < 128:
            continue
        if char in _PL_LETTERS:
            score += 2
        elif char in 'äöüÄÖÜéèàßÉ':
            score += 1
        else:
            score -= 3
    return score


def decode(data):
    """Text of a file in UTF-8, ISO-8859-2, CP1250 or CP852 (detected by
    the Polish letters each reading gives)"""
    if data.startswith(b'\xef\xbb\xbf'):
        return data[3:].decode('utf-8', 'replace')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        pass
    # PKO fills empty subfields with byte 0xFF: a filler, not a letter
    data = data.replace(b'\xff', b'')
    best = None
    for encoding in _CANDIDATES:
        text = data.decode(encoding, 'replace')
        score = _score(text)
        if best is None or score > best[0]:
            best = (score, text)
    return best[1]


# ------------------------------------------------------------- detection
def detect_format(text):
    "Return 'camt', 'mt940', 'mt942', 'elixir' or None"
    head = text.lstrip('\ufeff\x01\r\n\t ')
    if head.startswith('<'):
        if re.search(r'camt\.05[234]|BkToCstmr', head[:4000]):
            return 'camt'
        return None
    if re.search(r'(?m)^\s*:(20|25|28C?|60[FM]):', text):
        if re.search(r'(?m)^:(13D?|34F|90[DC]):', text) and not re.search(
                r'(?m)^:6[02][FM]:', text):
            return 'mt942'
        return 'mt940'
    first = next((l for l in head.splitlines() if l.strip()), '')
    if re.match(r'\s*\d{3},\d{8},', first):
        return 'elixir'
    return None


def parse(data, filename=None):
    "Read a statement file of any supported format (bytes)"
    if isinstance(data, str):
        data = data.encode('utf-8')
    try:
        if data[:4] == b'PK\x03\x04':
            return _parse_zip(data, filename)
        if not data.strip():
            raise StatementFormatError(None, 'msg_format_empty')
        text = decode(data)
        fmt = detect_format(text)
        if fmt is None:
            line = next((i for i, l in enumerate(text.splitlines(), 1)
                    if l.strip()), 1)
            raise StatementFormatError(line, 'msg_format_unknown')
        if fmt == 'camt':
            statements = parse_camt(data)
        elif fmt == 'elixir':
            statements = parse_elixir(text)
        else:
            statements = parse_mt940(text)
        if not statements:
            raise StatementFormatError(None, 'msg_format_no_statement')
        return statements
    except StatementFormatError as e:
        if filename and not e.filename:
            e.filename = filename
        raise


def _parse_zip(data, filename):
    statements = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > 50 * 1024 * 1024:
                raise StatementFormatError(None,
                    'msg_format_archive_member_too_large',
                    member=info.filename)
            statements.extend(parse(archive.read(info), info.filename))
    return statements


# ------------------------------------------------------------------ MT940
_FEE_CODES = {'NCHG', 'NCOM', 'FCHG', 'FCOM', 'SCHG', 'SCOM', 'N794',
    'N824', 'N839', 'N843'}
_FEE_WORDS = re.compile(
    r'\b(OPŁATA|OPLATA|PROWIZJA|PROWIZ|KOSZTY|KOSZT|FEE|CHARGES?|'
    r'ENTGELT|OPŁ\.|OPL\.)', re.I)
_MBANK_FEE = {'794', '824', '839', '843'}


def _date(text, line_no):
    try:
        year, month, day = int(text[:2]), int(text[2:4]), int(text[4:6])
        year += 2000 if year < 80 else 1900
        last = calendar.monthrange(year, month)[1]
        # Some banks book interest on the 30th of February: the last day
        return dt.date(year, month, min(day, last))
    except (ValueError, IndexError, calendar.IllegalMonthError):
        raise StatementFormatError(line_no, 'msg_format_date', value=text)


def _amount(text, line_no):
    text = text.strip().replace(' ', '')
    if text.count(',') == 1 and '.' not in text:
        text = text.replace(',', '.')
    elif ',' in text:
        raise StatementFormatError(line_no, 'msg_format_amount', value=text)
    if text.endswith('.'):
        text += '0'
    try:
        return Decimal(text)
    except InvalidOperation:
        raise StatementFormatError(line_no, 'msg_format_amount', value=text)


_BALANCE = re.compile(
    r'^\s*(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})?'
    r'(?P<amount>\d[\d,. ]*)\s*$')
_LINE61 = re.compile(
    r'^(?P<vdate>\d{6})(?P<edate>\d{4}|\s{4})?(?P<mark>RC|RD|C|D)'
    r'(?P<funds>[A-Z])?(?P<amount>\d[\d ]*(?:[,.]\d*)?)'
    r'(?P<type>[NSF][A-Z0-9]{3})?(?P<ref>.*?)'
    r'(?://(?P<bankref>.*))?$')
_TAG = re.compile(r'^:(?P<tag>\d{2}[A-Z]?|NS):(?P<value>.*)$')


def _mt_fields(text):
    "Yield (tag, value lines, line number) of the tagged fields"
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    lines = [l.replace('\x01', '').replace('\x03', '')
        for l in text.split('\n')]
    current = None
    seen_tag = False
    for index, line in enumerate(lines):
        no = index + 1
        stripped = line.strip()
        # SWIFT envelope blocks {1:…}{2:…}{4: and the closing -}
        if stripped.startswith('{') and ':' in stripped[:4]:
            if current:
                yield current
                current = None
            rest = stripped.split('{4:', 1)[1] if '{4:' in stripped else ''
            if not rest.strip():
                continue
            line = stripped = rest.strip()
        if stripped == '-' or stripped.startswith('-}'):
            following = next(
                (l.strip() for l in lines[index + 1:] if l.strip()), '')
            # a lone '-' inside details is text, not the end of a message
            if (not following or following[0] in ':{'
                    or stripped.startswith('-}')):
                if current:
                    yield current
                current = None
                yield ('-', [], no)
                continue
        m = _TAG.match(line.lstrip())
        if m:
            if current:
                yield current
            current = (m.group('tag'), [m.group('value')], no)
            seen_tag = True
        elif not stripped:
            continue
        elif current is None:
            if not seen_tag:
                continue  # bank's preamble before the first field
            raise StatementFormatError(no, 'msg_format_mt940_outside_field',
                value=stripped[:40])
        else:
            current[1].append(line)
    if current:
        yield current


def parse_mt940(text):
    statements = []
    stmt = None
    last = None  # the Line the next :86: belongs to
    fmt = 'mt942' if detect_format(text) == 'mt942' else 'mt940'
    for tag, values, no in _mt_fields(text):
        value = values[0].strip() if values else ''
        if tag == '-':
            last = None
            continue
        if tag == '20':
            stmt = Statement(format=fmt, line_no=no,
                number=value)
            statements.append(stmt)
            last = None
            continue
        if stmt is None:
            if re.fullmatch(r'\d{3,4}', tag) or tag == 'NS':
                continue  # Rabobank ':940:' headers and the like
            raise StatementFormatError(no, 'msg_format_mt940_before_20',
                tag=tag)
        if tag == '25':
            if stmt.account:
                raise StatementFormatError(no,
                    'msg_format_mt940_second_account')
            raw = ' '.join(v.strip() for v in values)
            stmt.account = normalize_account(raw.split(' ')[0]) or raw
            if re.fullmatch(r'[A-Z]{2}\d{2}[A-Z0-9]+\s*[A-Z]{3}', raw):
                stmt.currency = stmt.currency or raw[-3:]
        elif tag == '28C' or tag == '28':
            stmt.number = value
        elif tag in ('60F', '60M', '60'):
            mark, date, currency, amount = _balance(value, no)
            stmt.opening_balance = amount if mark == 'C' else -amount
            stmt.start_date = date
            stmt.currency = currency
        elif tag in ('62F', '62M', '62'):
            mark, date, currency, amount = _balance(value, no)
            stmt.closing_balance = amount if mark == 'C' else -amount
            stmt.date = date
            stmt.currency = stmt.currency or currency
            last = None
        elif tag in ('64', '65'):
            _balance(value, no)
            last = None
        elif tag == '61':
            last = _line61(values, no, stmt)
            stmt.lines.append(last)
        elif tag == '86':
            if last is not None:
                _details(last, values)
            else:
                stmt.information += ' '.join(v.strip() for v in values)
        elif tag == '34F':
            m = re.match(r'^([A-Z]{3})', value)
            if not m:
                raise StatementFormatError(no,
                    'msg_format_mt940_floor_limit', value=value)
            stmt.currency = stmt.currency or m.group(1)
        elif tag in ('13', '13D'):
            m = re.match(r'^(\d{6})', value)
            if m:
                stmt.date = _date(m.group(1), no)
        # :21:, :90D:, :90C:, :NS: and other informative fields are read
        # past: they hold nothing a payment needs
    for stmt in statements:
        if not stmt.account:
            raise StatementFormatError(stmt.line_no,
                'msg_format_mt940_no_account', number=stmt.number)
        for line in stmt.lines:
            line.currency = line.currency or stmt.currency
        if stmt.date is None:
            dates = [l.date for l in stmt.lines]
            stmt.date = max(dates) if dates else stmt.start_date
        if stmt.start_date is None and stmt.lines:
            stmt.start_date = min(l.date for l in stmt.lines)
    return statements


def _balance(value, no):
    m = _BALANCE.match(value)
    if not m:
        raise StatementFormatError(no, 'msg_format_balance', value=value)
    return (m.group('mark'), _date(m.group('date'), no),
        m.group('currency'), _amount(m.group('amount'), no))


def _line61(values, no, stmt):
    value = values[0].strip()
    m = _LINE61.match(value)
    if not m:
        raise StatementFormatError(no, 'msg_format_mt940_line',
            value=value[:40])
    value_date = _date(m.group('vdate'), no)
    date = value_date
    edate = (m.group('edate') or '').strip()
    if edate:
        month, day = int(edate[:2]), int(edate[2:])
        year = value_date.year
        # booked in January for a value date in December and back
        if month == 1 and value_date.month == 12:
            year += 1
        elif month == 12 and value_date.month == 1:
            year -= 1
        try:
            date = dt.date(year, month, min(
                    day, calendar.monthrange(year, month)[1]))
        except (ValueError, calendar.IllegalMonthError):
            raise StatementFormatError(no, 'msg_format_booking_date',
                value=edate)
    amount = _amount(m.group('amount'), no)
    mark = m.group('mark')
    if mark in ('D', 'RC'):
        amount = -amount
    code = m.group('type') or ''
    ref = (m.group('ref') or '').strip()
    bankref = (m.group('bankref') or '').strip()
    line = Line(date=date, value_date=value_date, amount=amount,
        code=code, reference=bankref or ('' if ref == 'NONREF' else ref),
        line_no=no)
    line.extra['supplementary'] = ' '.join(v.strip() for v in values[1:])
    if ref and ref != 'NONREF':
        line.extra['owner_reference'] = ref
    return line


_SUBFIELD_SEP = re.compile(r'([~<^?+])(\d\d)')
_MBANK_KEYS = [
    'Z RACH.', 'NA RACH.', 'OD', 'DLA', 'TYT.', 'DATA STEMPLA', 'TNR',
    'ID IPH', 'RODZAJ SKŁADKI', 'DEKLARACJA', 'NIP', 'ID UZUP.',
    'NAZWA ZOBOW.', 'SYMBOL FORM.', 'OKRES', 'WALUTA', 'KWOTA', 'KURS',
    'REF. KLIENTA', 'TYP ID.', 'ID', 'NR DOK.', 'NR KARTY']
_MBANK_SPLIT = re.compile(
    r';\s*(%s):\s?' % '|'.join(re.escape(k) for k in _MBANK_KEYS))


def _rejoin(parts, width):
    "Join pieces the bank cut at `width` characters"
    text = previous = ''
    for part in parts:
        if not part:
            continue
        if text and len(previous) < width and not text.endswith(' ') \
                and not part.startswith(' '):
            text += ' '
        text += part
        previous = part
    return re.sub(r'\s+', ' ', text).strip()


def _unsplit35(value):
    """Drop the space mBank puts after each 35 characters of a title or
    name taken from the Elixir message"""
    if len(value) <= 35:
        return value
    chars = list(value)
    for pos in reversed(range(35, len(value), 36)):
        if chars[pos] == ' ':
            del chars[pos]
    return ''.join(chars)


def _details(line, values):
    "Read the :86: details of a statement line (Polish dialects)"
    raw = '\n'.join(values)
    line.description = (line.description + '\n' + raw).strip('\n') \
        if line.description else raw
    flat = ''.join(line.description.split('\n'))
    seps = _SUBFIELD_SEP.findall(flat)
    if len(seps) >= 2 and _subfields(line, line.description):
        pass
    elif _MBANK_SPLIT.search(flat):
        _mbank(line, flat)
    else:
        line.title = re.sub(r'\s+', ' ', ' '.join(
                v.strip() for v in line.description.split('\n'))).strip()
        m = re.match(r'^(\d{3})\b', line.title)
        if m:
            line.code = line.code or m.group(1)
    _classify(line)


def _subfields(line, description):
    """PKO/ING `~NN`, Millennium `<NN`, BNP `^NN`, German `?NN`"""
    # subfields on their own lines (PKO) or wrapped at 65 characters,
    # a marker possibly cut in two (ING, Millennium): the breaks are noise
    flat = description.replace('\n', '')
    m = re.search(r'([~<^?+])(00|10|20)', flat)
    if not m:
        return False
    sep = m.group(1)
    prefix = flat[:m.start()]
    pieces = re.split(r'%s(\d\d)' % re.escape(sep), flat[m.start():])
    fields = {}
    for num, value in zip(pieces[1::2], pieces[2::2]):
        # each subfield on its own line (PKO) or wrapped at 65 (ING)
        fields.setdefault(num, []).append(value)

    def get(*nums):
        return [v for n in nums for v in fields.get(n, [])]
    title_nums = ['20', '21', '22', '23', '24', '25', '26', '27', '28']
    name_nums = ['32', '33']
    if sep == '<':
        # Millennium: the counterparty's name and address in <27-<29
        title_nums = ['20', '21', '22', '23', '24', '25', '26']
        name_nums = ['27', '28', '29', '32', '33']
    account29 = ''.join(get('29')).strip()
    if sep != '<' and re.fullmatch(r'\d{26}', account29.replace(' ', '')):
        line.extra['account29'] = account29
    else:
        title_nums.append('29')
    if sep == '?':
        title_nums += ['60', '61', '62', '63']
    line.title = _rejoin(get(*title_nums), 27)
    line.name = _rejoin(get(*name_nums), 27)
    iban = normalize_account(''.join(get('38')))
    account = ''
    if iban and iban_number.is_valid(iban):
        account = iban
    elif 'account29' in line.extra:
        account = normalize_account(line.extra['account29'])
    else:
        sort = ''.join(get('30')).strip()
        rest = ''.join(get('31')).strip().replace(' ', '')
        if re.fullmatch(r'\d{8}', sort) and re.fullmatch(r'\d{16}', rest):
            # PKO gives the NRB without its check digits
            bban = sort + rest
            account = ('PL' + iban_number.calc_check_digits('PL00' + bban)
                + bban)
        elif iban:
            account = iban
        elif rest:
            account = normalize_account(rest)
    line.account = account
    code = ''.join(get('00')).strip()
    if code:
        line.extra['operation'] = code
    mcode = re.match(r'^(\d{3})', prefix)
    if mcode:
        line.code = line.code or mcode.group(1)
    for num in ('10', '34', '60', '61', '62', '63'):
        if fields.get(num) and not (sep == '?' and num[0] == '6'):
            line.extra['sub' + num] = ' '.join(
                v.strip() for v in fields[num]).strip()
    return True


def _mbank(line, flat):
    pieces = _MBANK_SPLIT.split(flat)
    head = pieces[0].strip()
    values = {}
    for key, value in zip(pieces[1::2], pieces[2::2]):
        values[key] = value.strip().rstrip(';').strip()
    m = re.match(r'^(\d{3})\s*(.*)$', head)
    if m:
        line.code = m.group(1)
        line.extra['operation'] = m.group(2)
    credit = line.amount > 0
    account = values.get('Z RACH.' if credit else 'NA RACH.') or \
        values.get('Z RACH.') or values.get('NA RACH.') or ''
    line.account = normalize_account(account)
    name = values.get('OD' if credit else 'DLA') or values.get('OD') or \
        values.get('DLA') or ''
    line.name = re.sub(r'\s+', ' ', _unsplit35(name)).strip()
    title = values.get('TYT.', '')
    line.title = re.sub(r'\s+', ' ', _unsplit35(title)).strip()
    line.extra['title_as_written'] = title
    if values.get('TNR'):
        line.transaction_id = values['TNR'].replace(' ', '')
    if values.get('ID IPH'):
        line.virtual_account = values['ID IPH']
    for key in ('NIP', 'DATA STEMPLA', 'REF. KLIENTA', 'WALUTA', 'KWOTA',
            'KURS'):
        if values.get(key):
            line.extra[key] = values[key]


def _classify(line):
    if line.amount > 0:
        line.kind = 'transfer'
        return
    text = ' '.join((line.title, line.extra.get('operation', ''),
            line.extra.get('supplementary', '')))
    if (line.code in _FEE_CODES or line.code[-3:] in _MBANK_FEE
            or (line.code in _MBANK_FEE)
            or _FEE_WORDS.search(text)):
        line.kind = 'fee'
    else:
        line.kind = 'outgoing'


# ------------------------------------------------------------------- CAMT
def _xml_root(data):
    """The document's root element, read by lxml as data only (no entity
    expanded, nothing fetched, libxml2's limits on huge documents kept),
    the tags without their namespace; a DTD (entity tricks) is refused"""
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise StatementFormatError(e.lineno, 'msg_format_xml', error=e.msg)
    if root.getroottree().docinfo.doctype:
        start = data.find(b'<!DOCTYPE')
        raise StatementFormatError(data.count(b'\n', 0, max(start, 0)) + 1,
            'msg_format_xml_doctype')
    for node in root.iter(etree.Element):
        # an undeclared prefix stays in the name: prefix:Tag
        node.tag = etree.QName(node).localname.rsplit(':', 1)[-1]
    return root


def _text(node, path):
    "The text of the first element at path under node, else ''"
    text = node.findtext(path)
    return text.strip() if text else ''


def _xml_date(node, path):
    text = _text(node, path + '/Dt') or _text(node, path + '/DtTm')
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise StatementFormatError(node.sourceline, 'msg_format_date',
            value=text)


def _xml_amount(node, parent):
    try:
        return Decimal(node.text.strip())
    except (InvalidOperation, AttributeError):
        raise StatementFormatError(
            (node if node is not None else parent).sourceline,
            'msg_format_xml_amount')


def _party_account(node):
    if node is None:
        return ''
    iban = _text(node, 'Id/IBAN')
    if iban:
        return normalize_account(iban)
    return normalize_account(_text(node, 'Id/Othr/Id')
        or _text(node, 'Id/PrtryAcct/Id'))


def parse_camt(data):
    root = _xml_root(data)
    body = None
    for tag, item in (('BkToCstmrStmt', 'Stmt'),
            ('BkToCstmrAcctRpt', 'Rpt'),
            ('BkToCstmrDbtCdtNtfctn', 'Ntfctn')):
        # camt.05x.001.01 names it BkToCstmrStmtV01 and so on
        body = next((c for c in root
                if re.fullmatch(tag + r'(V\d+)?', c.tag)), None)
        if body is not None:
            break
    if body is None:
        raise StatementFormatError(root.sourceline, 'msg_format_not_camt')
    items = body.findall(item)
    if not items:
        raise StatementFormatError(body.sourceline,
            'msg_format_camt_no_statement', element=item)
    fmt = {'Stmt': 'camt053', 'Rpt': 'camt052', 'Ntfctn': 'camt054'}[item]
    statements = []
    for node in items:
        acct = node.find('Acct')
        if acct is None:
            raise StatementFormatError(node.sourceline,
                'msg_format_camt_no_account')
        stmt = Statement(format=fmt, line_no=node.sourceline,
            account=_party_account(acct),
            currency=_text(acct, 'Ccy') or None,
            number=_text(node, 'LglSeqNb') or _text(node, 'ElctrncSeqNb')
            or _text(node, 'Id'))
        stmt.created = _iso_date(_text(node, 'CreDtTm')) or _iso_date(
            _text(body, 'GrpHdr/CreDtTm'))
        for bal in node.findall('Bal'):
            code = _text(bal, 'Tp/CdOrPrtry/Cd') or _text(
                bal, 'Tp/CdOrPrtry/Prtry')
            amt = bal.find('Amt')
            amount = _xml_amount(amt, bal)
            if _text(bal, 'CdtDbtInd') == 'DBIT':
                amount = -amount
            stmt.currency = stmt.currency or amt.get('Ccy')
            if code in ('OPBD', 'PRCD') and stmt.opening_balance is None:
                stmt.opening_balance = amount
                stmt.start_date = _xml_date(bal, 'Dt')
            elif code == 'CLBD':
                stmt.closing_balance = amount
                stmt.date = _xml_date(bal, 'Dt')
        for ntry in node.findall('Ntry'):
            stmt.lines.extend(_camt_entry(ntry, stmt))
        if stmt.date is None:
            stmt.date = (_iso_date(_text(node, 'FrToDt/ToDtTm'))
                or max((l.date for l in stmt.lines), default=None)
                or stmt.created)
        if stmt.start_date is None and stmt.lines:
            stmt.start_date = min(l.date for l in stmt.lines)
        statements.append(stmt)
    return statements


def _iso_date(text):
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _camt_entry(ntry, stmt):
    amt = ntry.find('Amt')
    if amt is None:
        raise StatementFormatError(ntry.sourceline,
            'msg_format_camt_entry_amount')
    total = _xml_amount(amt, ntry)
    debit = _text(ntry, 'CdtDbtInd') == 'DBIT'
    if _text(ntry, 'RvslInd') in ('true', '1'):
        debit = not debit
    date = (_xml_date(ntry, 'BookgDt') or _xml_date(ntry, 'ValDt')
        or stmt.date or stmt.created)
    if date is None:
        raise StatementFormatError(ntry.sourceline,
            'msg_format_camt_entry_date')
    code = (_text(ntry, 'BkTxCd/Prtry/Cd')
        or '-'.join(filter(None, (_text(ntry, 'BkTxCd/Domn/Cd'),
                    _text(ntry, 'BkTxCd/Domn/Fmly/Cd'),
                    _text(ntry, 'BkTxCd/Domn/Fmly/SubFmlyCd')))))
    details = ntry.findall('NtryDtls/TxDtls')
    lines = []
    for tx in details or [None]:
        node = tx if tx is not None else ntry
        amount = total
        if tx is not None and len(details) > 1:
            txamt = tx.find('AmtDtls/TxAmt/Amt')
            if txamt is None:
                txamt = tx.find('Amt')
            if txamt is not None:
                amount = _xml_amount(txamt, tx)
        if debit:
            amount = -amount
        if debit:
            name = _text(node, 'RltdPties/Cdtr/Nm') or _text(
                node, 'RltdPties/Cdtr/Pty/Nm')
            account = _party_account(node.find('RltdPties/CdtrAcct'))
            virtual = ''
        else:
            name = _text(node, 'RltdPties/Dbtr/Nm') or _text(
                node, 'RltdPties/Dbtr/Pty/Nm')
            account = _party_account(node.find('RltdPties/DbtrAcct'))
            # the identifying account the payer was given
            virtual = _party_account(node.find('RltdPties/CdtrAcct'))
        ustrd = [(n.text or '').strip() for n in node.findall('RmtInf/Ustrd')]
        strd = [(n.text or '').strip()
            for n in node.findall('RmtInf/Strd/CdtrRefInf/Ref')]
        title = ' '.join(filter(None, ustrd + strd)) or _text(
            ntry, 'AddtlNtryInf')
        refs = node.find('Refs')
        txid = ''
        if tx is not None and refs is not None:
            txid = _text(refs, 'AcctSvcrRef') or _text(refs, 'TxId')
        entry_ref = _text(ntry, 'AcctSvcrRef') or _text(ntry, 'NtryRef')
        if len(details) > 1:
            txid = txid or (entry_ref and '%s/%s' % (
                    entry_ref, details.index(tx)))
        line = Line(date=date, value_date=_xml_date(ntry, 'ValDt'),
            amount=amount, currency=amt.get('Ccy') or stmt.currency,
            name=name or '', account=account,
            title=re.sub(r'\s+', ' ', title or '').strip(),
            reference=(_text(refs, 'EndToEndId') if refs is not None
                else '') or entry_ref or '',
            transaction_id=txid or entry_ref or '', code=code,
            virtual_account=virtual if virtual != stmt.account else '',
            description=_text(ntry, 'AddtlNtryInf'),
            line_no=node.sourceline)
        _classify(line)
        if 'CHRG' in code and line.amount < 0:
            line.kind = 'fee'
        lines.append(line)
    return lines


# ---------------------------------------------------------------- Elixir-O
def _csv_fields(text, no):
    "The fields of one record: comma-separated, text quoted with \""
    try:
        fields = next(csv.reader([text], strict=True))
    except csv.Error:
        raise StatementFormatError(no, 'msg_format_elixir_quotes')
    return [f.strip() for f in fields]


def parse_elixir(text):
    """Elixir-O records (one transfer a line): the account all records
    share is the statement's; records to it are money received"""
    records = []
    for no, raw in enumerate(text.replace('\r', '').split('\n'), 1):
        if not raw.strip():
            continue
        f = _csv_fields(raw.strip().lstrip('\ufeff'), no)
        if len(f) < 12 or not re.fullmatch(r'\d{3}', f[0]):
            raise StatementFormatError(no, 'msg_format_elixir_record',
                fields=len(f))
        try:
            date = dt.datetime.strptime(f[1], '%Y%m%d').date()
        except ValueError:
            raise StatementFormatError(no, 'msg_format_date', value=f[1])
        if not re.fullmatch(r'\d+', f[2]):
            raise StatementFormatError(no, 'msg_format_amount', value=f[2])
        sender = re.sub(r'\s', '', f[5])
        receiver = re.sub(r'\s', '', f[6])
        for value in (sender, receiver):
            if not re.fullmatch(r'\d{26}', value):
                raise StatementFormatError(no, 'msg_format_account',
                    value=value)
        records.append(
            (no, f, date, Decimal(f[2]).scaleb(-2), sender, receiver))
    if not records:
        raise StatementFormatError(None, 'msg_format_elixir_empty')
    receivers = {r[5] for r in records}
    senders = {r[4] for r in records}
    if len(receivers) == 1:
        own, credit = receivers.pop(), True
    elif len(senders) == 1:
        own, credit = senders.pop(), False
    else:
        raise StatementFormatError(records[0][0],
            'msg_format_elixir_accounts')
    stmt = Statement(format='elixir', account='PL' + own, currency='PLN',
        line_no=1)
    for no, f, date, amount, sender, receiver in records:
        title = '|'.join(_unsplit35(p) for p in f[11].split('|'))
        line = Line(date=date, amount=amount if credit else -amount,
            currency='PLN',
            name=_rejoin(f[7 if credit else 8].split('|'), 35),
            account='PL' + (sender if credit else receiver),
            title=_rejoin(f[11].split('|'), 35), code=f[0],
            reference=f[15] if len(f) > 15 else '',
            description=raw_title(title), line_no=no)
        if len(f) > 14 and f[14] == '53':
            line.extra['split_payment'] = True
        _classify(line)
        stmt.lines.append(line)
    stmt.date = max(l.date for l in stmt.lines)
    stmt.start_date = min(l.date for l in stmt.lines)
    stmt.number = stmt.date.strftime('%Y%m%d')
    return [stmt]


def raw_title(title):
    return title.replace('|', ' ')
