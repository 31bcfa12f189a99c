# This file is part of the B2B wholesale suite.
"""Which open invoices a received transfer pays, and how sure that is

Pure Python over an in-memory index of the open customer invoices, so the
import and the benchmark run the same code.  A line is booked
automatically only when the evidence leaves no doubt; otherwise it goes to
the review queue with its candidates.  Every decision carries its reasons.
"""
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.pl import nip as stdnum_nip

__all__ = ['OpenInvoice', 'Payer', 'InvoiceIndex', 'Match', 'match_line',
    'describe']

ZERO = Decimal('0.00')


@dataclass
class OpenInvoice:
    id: int
    number: str
    party: int
    amount: Decimal             # what is left to pay
    date: object = None
    ksef: str = ''
    currency: str = 'PLN'


@dataclass
class Payer:
    "A customer company and what identifies its transfers"
    id: int
    name: str = ''
    nip: str = ''
    accounts: tuple = ()        # its own bank accounts (IBAN)
    virtual_accounts: tuple = ()  # identifying accounts we gave it


@dataclass
class Match:
    status: str                 # matched, review, skipped
    party: int = None
    allocations: list = field(default_factory=list)  # (invoice id, amount)
    overpayment: Decimal = ZERO
    candidates: list = field(default_factory=list)   # invoice ids
    reasons: list = field(default_factory=list)      # (code, detail)

    @property
    def reason(self):
        return describe(self.reasons)


def describe(reasons):
    """The reasons of a decision as codes and values, for the benchmark and
    the tests (the module reads them in the user's language: reason.py)"""
    return '; '.join(code if value is None else '%s %s' % (
                code, ', '.join(map(str, value))
                if isinstance(value, (list, tuple)) else value)
        for code, value in reasons)


# ------------------------------------------------------------ normalising
def _fold(text):
    "Upper case ASCII (Polish letters without their marks)"
    text = text.replace('ł', 'l').replace('Ł', 'L')
    text = unicodedata.normalize('NFKD', text)
    return ''.join(c for c in text if not unicodedata.combining(c)).upper()


_ALNUM = re.compile(r'[^0-9A-Z]')
_GROUPS = re.compile(r'\d+')


def _alnum(text):
    return _ALNUM.sub('', text)


def _canonical(text):
    """The (letters, year, month, sequence) a number may mean, written
    with its parts in either order: FV/2026/11/0012 and FV 12/11/2026"""
    groups = _GROUPS.findall(text)
    if len(groups) != 3:
        return []
    letters = re.sub(r'[^A-Z]', '', re.match(r'^[^0-9]*', text).group(0))
    first, month, last = (int(g) for g in groups)
    if not 1 <= month <= 12:
        return []
    result = []
    if 2000 <= first <= 2099 and len(groups[0]) == 4:
        result.append((letters, first, month, last))
    if 2000 <= last <= 2099 and len(groups[2]) == 4:
        result.append((letters, last, month, first))
    return result


_LEGAL = {'SP', 'Z', 'O', 'OO', 'SA', 'SPOLKA', 'SPOLKAZ', 'JAWNA', 'SJ',
    'SK', 'KOMANDYTOWA', 'AKCYJNA', 'OGRANICZONA', 'ODPOWIEDZIALNOSCIA',
    'ZOO', 'UL', 'I', 'W', 'PPHU', 'PHU', 'FHU', 'PW', 'SPZOO', 'S', 'A'}


def _name_words(name):
    return {w for w in re.findall(r'[A-Z0-9]+', _fold(name or ''))
        if w not in _LEGAL and len(w) > 1}


# ------------------------------------------------------------------ index
class InvoiceIndex:
    "Open invoices and payers, with the lookups a bank title needs"

    def __init__(self, invoices, payers=()):
        self.invoices = {}
        self.by_key = defaultdict(set)      # exact spellings
        self.by_loose = defaultdict(set)    # prefix dropped, reordered…
        self.by_ksef = {}
        self.by_party = defaultdict(list)
        self.by_amount = defaultdict(list)
        self.payers = {}
        self.by_nip = {}
        self.by_account = defaultdict(set)
        self.by_virtual = {}
        self.name_words = {}
        self._by_name_pair = None
        for invoice in invoices:
            self.add(invoice)
        for payer in payers:
            self.add_payer(payer)
        for party in self.by_party:
            self.by_party[party].sort(key=lambda i: (i.date, i.id))

    def add(self, invoice):
        self.invoices[invoice.id] = invoice
        self.by_party[invoice.party].append(invoice)
        self.by_amount[invoice.amount].append(invoice)
        number = _fold(invoice.number)
        key = _alnum(number)
        # "7" or "12" would be found in any title: such numbers are left
        # to the payer's account and the amount
        if len(key) >= 4:
            self.by_key[key].add(invoice.id)
        stripped = key.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
        if stripped != key and len(stripped) >= 4:
            self.by_loose[stripped].add(invoice.id)
        for canonical in _canonical(number)[:1]:
            self.by_loose[canonical].add(invoice.id)
            self.by_loose[canonical[1:]].add(invoice.id)
        if invoice.ksef:
            self.by_ksef[_alnum(_fold(invoice.ksef))] = invoice.id

    def add_payer(self, payer):
        self.payers[payer.id] = payer
        if payer.nip:
            self.by_nip[re.sub(r'\D', '', payer.nip)[-10:]] = payer.id
        for account in payer.accounts:
            self.by_account[_alnum(_fold(account))].add(payer.id)
        for account in payer.virtual_accounts:
            self.by_virtual[_alnum(_fold(account))] = payer.id
        self.name_words[payer.id] = _name_words(payer.name)
        self._by_name_pair = None

    def _name_pairs(self):
        """The companies by the two rarest distinctive words of their
        names: a name given holds both, so its pairs of words find every
        company it may name among thousands in a few lookups"""
        if self._by_name_pair is None:
            named = {p: w for p, w in self.name_words.items() if len(w) >= 2}
            count = Counter(w for words in named.values() for w in words)
            by_pair = defaultdict(list)
            for payer_id, words in named.items():
                pair = sorted(words, key=lambda w: (count[w], w))[:2]
                by_pair[tuple(sorted(pair))].append(payer_id)
            self._by_name_pair = by_pair
        return self._by_name_pair

    def name_payers(self, name):
        """The companies a counterparty name names: every distinctive
        word of the company's name (at least two) is in it.  Of a name
        inside another one found (Alfa Budowa, Alfa Budowa Radom) only the
        longer: the shorter would need the other's words by chance"""
        given = _name_words(name)
        if len(given) < 2:
            return set()
        by_pair = self._name_pairs()
        words = sorted(given)[:60]  # a name, not a text: bounded
        found = set()
        for n, first in enumerate(words):
            for second in words[n + 1:]:
                for payer_id in by_pair.get((first, second), ()):
                    if self.name_words[payer_id] <= given:
                        found.add(payer_id)
        if len(found) > 1:
            found = {p for p in found if not any(
                        self.name_words[p] < self.name_words[q]
                        for q in found)}
        return found

    def remove(self, invoice_id, amount):
        "Take a booked amount off an invoice (matching a statement in turn)"
        invoice = self.invoices.get(invoice_id)
        if invoice is not None:
            invoice.amount -= amount

    def lookup(self, token, reorder=True, cut=True):
        """Invoices a title token names: (ids, strong); reorder: also read
        its parts as number/month/year (not for a bare date)"""
        key = _alnum(token)
        if len(key) < 4 or not any(c.isdigit() for c in key):
            return set(), False
        ids = self.by_key.get(key)
        if ids:
            return ids, True
        stripped = key.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')
        if len(stripped) >= 4:
            ids = self.by_key.get(stripped) or self.by_loose.get(stripped)
            if ids:
                return ids, False
            # a letter or two the payer put in front (F110F…, FV110F…)
            for start in range(1, min(3, len(key) - 4) + 1 if cut else 1):
                ids = self.by_key.get(key[start:])
                if ids:
                    return ids, False
        if not reorder:
            return set(), False
        found = set()
        for canonical in _canonical(token):
            found |= (self.by_loose.get(canonical)
                or self.by_loose.get(canonical[1:]) or set())
        # both readings finding something: which one is not certain
        return (found, False) if len(found) == 1 else (set(), False)


# --------------------------------------------------------------- matching
_MPP = re.compile(
    r'/VAT/(?P<vat>[\d\s,.]+)/IDC/(?P<idc>[^/]*)/INV/(?P<inv>.*?)'
    r'(?=/IDP/|/TXT/|$)', re.I)
_KSEF = re.compile(
    r'(\d{10})-?(\d{8})-?([0-9A-F]{6})-?([0-9A-F]{6})-?([0-9A-F]{2})')
_NIP = re.compile(r'NIP\W{0,3}((?:\d[\s-]?){9}\d)')
_SPLIT = re.compile(r'[\s,;]+')
# words that introduce a reference, not part of it
_NOISE = {'FV', 'FA', 'F', 'FAKTURA', 'FAKTURY', 'FAKTURE', 'FAKT', 'NR',
    'NUMER', 'VAT', 'ZA', 'ZAPLATA', 'ZAPL', 'ORAZ', 'I', 'DO', 'TYT',
    'PLATNOSC', 'RE', 'FRA', 'F-RE', 'FVAT', 'DN', 'Z', 'NA', 'INV',
    'INVOICE', 'NO'}
_LOOKS_LIKE_INVOICE = re.compile(r'^(?:F[A-Z]{0,3}[\W]?)?\d+[/\-.]\d+|^F'
    r'[A-Z]{0,3}\d{4,}|^\d{3}F\d+')


def _title_refs(index, title):
    """Invoices named in a title: ({id: strong}, unresolved references)"""
    found = {}
    unresolved = []
    text = _NIP.sub(' ', _fold(title))
    # whitespace-separated, so that two pieces the bank's cut made join
    # back into exactly what the payer wrote
    tokens = [t for t in (t.strip('.:()[]"\'-') for t in _SPLIT.split(text))
        if t and _ALNUM.sub('', t)]
    last = None  # (letters and digits before the tail, tail digits)
    prefixed = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _NOISE:
            prefixed = True
            i += 1
            continue
        key = _alnum(token)
        # 12/11/2026 alone is a date; after "FV" or "nr" an invoice
        reorder = prefixed or not token[0].isdigit()
        prefixed = False
        ids, strong = index.lookup(token, reorder)
        if not ids and i + 1 < len(tokens) and not index.lookup(
                tokens[i + 1])[0]:
            # the bank's 35-character cut put a space into the number
            joined = token + tokens[i + 1]
            ids, _ = index.lookup(joined, reorder, cut=False)
            if ids:
                strong = False
                i += 1
                key = _alnum(joined)
        if not ids and last and token.isdigit():
            # abbreviated list: 110F01010 72 75 76 (the tail replaced),
            # FV/2026/11/0007, 12 (the sequence without its zeros)
            base, tail, group = last
            keys = set()
            if len(token) <= len(tail):
                keys.add(base + tail[:len(tail) - len(token)] + token)
            if len(token) <= group:
                keys.add(base + tail[:len(tail) - group]
                    + token.zfill(group))
            resolved = [(k, index.lookup(k)[0]) for k in sorted(keys)]
            resolved = [(k, f) for k, f in resolved if f]
            if len(resolved) == 1:
                (key, ids), = resolved
                # the list goes on from the full number
                token = None
            strong = False
            if not ids:
                # a number in a list of invoices that we cannot tell
                unresolved.append(token)
        if ids:
            for invoice_id in ids:
                found[invoice_id] = found.get(invoice_id, False) or strong
            m = re.match(r'^(.*?)(\d+)$', key)
            if token is None:
                group = last[2]
            else:
                group = re.findall(r'\d+', token)
                group = len(group[-1]) if group else 0
            last = (m.group(1), m.group(2), group) if m else None
        else:
            token = token or ''
            if _LOOKS_LIKE_INVOICE.match(token) and not re.fullmatch(
                    r'\d{1,2}[.\-/]\d{1,2}[.\-/]\d{2,4}|\d{4}[.\-/]\d{1,2}'
                    r'[.\-/]\d{1,2}|\d+[.,]\d{2}', token):
                unresolved.append(token)
            if not token.isdigit():
                last = None
        i += 1
    return found, unresolved


def match_line(index, amount, title='', account='', name='',
        virtual_account='', kind='transfer', currency=None):
    "Decide what a statement line pays"
    reasons = []
    if amount <= 0 or kind != 'transfer':
        code = 'fee' if kind == 'fee' else 'outgoing'
        return Match('skipped', reasons=[(code, None)])
    title = title or ''
    folded = _fold(title)

    # who pays; evidence: the companies each sign of the payer allows
    # (its known account, a NIP, its name), all must allow what is booked
    party = None
    party_reasons = []
    evidence = []
    if virtual_account:
        party = index.by_virtual.get(_alnum(_fold(virtual_account)))
        if party is not None:
            # the company's own account at our bank: what it credits is
            # the company's, whoever sent it
            party_reasons.append(('virtual_account', virtual_account))
    virtual = party is not None
    if not virtual and account:
        parties = index.by_account.get(_alnum(_fold(account)), set())
        if parties:
            evidence.append(parties)
        if len(parties) == 1:
            party, = parties
            party_reasons.append(('account', account))
    nips = set()
    mpp = _MPP.search(folded.replace(' ', '')) or _MPP.search(folded)
    if mpp:
        nips.add(re.sub(r'\D', '', mpp.group('idc')))
    for m in _NIP.finditer(folded):
        nips.add(re.sub(r'\D', '', m.group(1)))
    if len(folded) > 35:
        # a NIP the bank's cut after 35 characters split (NI P 526…)
        for m in _NIP.finditer(_uncut(folded)):
            nips.add(re.sub(r'\D', '', m.group(1)))
    nip_parties = {index.by_nip[n] for n in nips
        if n in index.by_nip and stdnum_nip.is_valid(n)}
    if not virtual and nip_parties:
        evidence.append(nip_parties)
    if party is None and len(nip_parties) == 1:
        party, = nip_parties
        party_reasons.append(('nip', index.payers[party].nip))
    name_parties = index.name_payers(name) if name and not virtual else set()
    by_name = False
    if name_parties:
        evidence.append(name_parties)
        if party is None and len(name_parties) == 1:
            # the payer recognised, but a name alone books nothing that
            # the title does not name
            party, = name_parties
            party_reasons.append(('name', None))
            by_name = True

    # what is paid
    refs = {}
    ref_reasons = []
    for m in _KSEF.finditer(re.sub(r'\s', '', folded)):
        invoice_id = index.by_ksef.get(''.join(m.groups()))
        if invoice_id is not None:
            refs[invoice_id] = True
            ref_reasons.append(('ksef', '-'.join(m.groups())))
    unresolved = []
    if mpp and not refs:
        inv = mpp.group('inv').strip()
        ids, strong = index.lookup(inv)
        if not ids:
            found, _ = _title_refs(index, inv)
            ids = set(found)
        if len(ids) == 1:
            invoice_id, = ids
            refs[invoice_id] = True
            ref_reasons.append(('split_payment',
                    index.invoices[invoice_id].number))
        elif not ids:
            unresolved.append(inv)
    if not refs:
        text = _MPP.sub(' ', title) if mpp else title
        found, unresolved_title = _title_refs(index, text)
        if len(text) > 35 and (unresolved_title or sum(
                    (index.invoices[i].amount for i in found), ZERO)
                != amount):
            # a bank that put a space after each 35 characters and did
            # not say so: read it without them too, keep what fits best
            uncut = _uncut(text)
            found2, unresolved2 = _title_refs(index, uncut)
            due2 = sum((index.invoices[i].amount for i in found2), ZERO)
            if (not unresolved2 and found2 and due2 == amount) or (
                    len(unresolved2) < len(unresolved_title)):
                found, unresolved_title = found2, unresolved2
        unresolved.extend(unresolved_title)
        refs.update(found)
    # an invoice already settled is not in the index: keep those that are
    refs = {i: s for i, s in refs.items()
        if index.invoices[i].amount > 0}

    if refs:
        invoices = [index.invoices[i] for i in refs]
        ref_parties = {i.party for i in invoices}
        if party is not None and ref_parties != {party}:
            return _review(index, amount, [
                    ('party_conflict', _names(index, {party}))]
                + party_reasons, invoices, party)
        conflict = _conflict(evidence, ref_parties)
        if conflict:
            # an account known for several companies, or a name of
            # several: none of them the invoices' one
            return _review(index, amount, [
                    ('party_conflict', _names(index, conflict))]
                + party_reasons, invoices, party)
        if party is None:
            if len(ref_parties) > 1:
                # one spelling, several companies' invoices
                return _review(index, amount, [('ambiguous', None)],
                    invoices)
            party, = ref_parties
            if party in name_parties:
                party_reasons.append(('name', None))
        if currency and any(i.currency != currency for i in invoices):
            return _review(index, amount, [('currency', currency)],
                invoices, party)
        if not ref_reasons:
            ref_reasons = [('number', ', '.join(
                        i.number for i in sorted(invoices,
                            key=lambda i: (i.date, i.id))))]
        due = sum((i.amount for i in invoices), ZERO)
        reasons = party_reasons + ref_reasons
        if unresolved:
            return _review(index, amount, reasons + [
                    ('unknown_number', ', '.join(unresolved))],
                invoices, party)
        if amount == due:
            return _allocate(index, 'matched', party, invoices, amount,
                reasons + [('exact', None)])
        if party_reasons and amount - due <= due / 2:
            # an overpayment larger than half of what was named looks like
            # an invoice the title does not name: ask instead
            return _allocate(index, 'matched', party, invoices, amount,
                reasons)
        return _review(index, amount, reasons + [('amount_mismatch', None)],
            invoices, party)

    if party is None:
        return _review(index, amount, [('no_evidence', None)])
    invoices = [i for i in index.by_party.get(party, ())
        if i.amount > 0 and (not currency or i.currency == currency)]
    conflict = _conflict(evidence, {party})
    if conflict:
        # e.g. the account known for one company, the name another's
        return _review(index, amount, [
                ('party_conflict', _names(index, conflict))]
            + party_reasons, invoices, party)
    if by_name:
        exact = [i for i in invoices if i.amount == amount]
        return _review(index, amount, party_reasons + [('name_only', None)],
            exact or invoices, party)
    if unresolved:
        # the title names something we cannot find: ask
        return _review(index, amount, party_reasons + [
                ('unknown_number', ', '.join(unresolved))], invoices, party)
    strongest = party_reasons[0][0]
    exact = [i for i in invoices if i.amount == amount]
    if len(exact) == 1:
        return _allocate(index, 'matched', party, exact, amount,
            party_reasons + [('exact', None)])
    if strongest == 'virtual_account':
        # the company's own account at our bank: whatever it pays is its
        return _allocate(index, 'matched', party, invoices, amount,
            party_reasons + [('oldest_first', None)])
    total = ZERO
    for count, invoice in enumerate(invoices, 1):
        total += invoice.amount
        if total == amount:
            return _allocate(index, 'matched', party, invoices[:count],
                amount, party_reasons + [('oldest_first', None)])
        if total > amount:
            break
    return _review(index, amount, party_reasons + [
            ('ambiguous' if exact else 'amount_mismatch', None)],
        exact or invoices, party)


def _uncut(text):
    "The text without the space a bank put after every 35 characters"
    return ''.join(c for n, c in enumerate(text)
        if not (n % 36 == 35 and c == ' '))


def _conflict(evidence, companies):
    "The companies of the first sign of the payer that excludes companies"
    for allowed in evidence:
        if not companies <= allowed:
            return allowed
    return None


def _names(index, parties):
    "The names of the companies for a reason, a few"
    names = sorted(index.payers[p].name if p in index.payers else str(p)
        for p in parties)
    return ' / '.join(names[:3]) + (' …' if len(names) > 3 else '')


def _allocate(index, status, party, invoices, amount, reasons):
    "Pay the invoices oldest first; what is left over is an overpayment"
    invoices = sorted(invoices, key=lambda i: (i.date, i.id))
    allocations = []
    rest = amount
    for invoice in invoices:
        if rest <= 0:
            break
        part = min(rest, invoice.amount)
        allocations.append((invoice.id, part))
        rest -= part
    if len(allocations) > 1:
        reasons.append(('several', len(allocations)))
    if allocations and allocations[-1][1] < index.invoices[
            allocations[-1][0]].amount:
        reasons.append(('partial', None))
    if rest > 0:
        reasons.append(('overpayment', rest))
    return Match(status, party=party, allocations=allocations,
        overpayment=rest, reasons=reasons,
        candidates=[i.id for i in invoices])


def _review(index, amount, reasons, invoices=(), party=None):
    candidates = [i.id for i in invoices]
    if not candidates:
        # invoices anywhere for exactly this amount, a few
        candidates = [i.id for i in index.by_amount.get(amount, ())
            if i.amount == amount][:5]
    return Match('review', party=party, candidates=candidates[:10],
        reasons=reasons)
