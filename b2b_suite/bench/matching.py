# This file is part of the B2B wholesale suite.
"""`b2b bench matching`: precision, recall and speed of the automatic
matching of bank transfers to open invoices.

A labelled month of statement lines is generated against tens of
thousands of open invoices of thousands of companies (plain data for the
index: posting that many real invoices would take hours; the matcher
measured, `b2b_bank_import.matcher`, is the code the import runs on the
index it reads from the database).  Each line knows which invoices it
truly pays (none for fees, outgoing and unrelated transfers).  An
automatic match is right when it pays exactly those invoices."""
import datetime as dt
import json
import random
import time
from decimal import Decimal

from b2b_bank_import.matcher import (
    InvoiceIndex,
    OpenInvoice,
    Payer,
    match_line,
)

FIRST = ['Hurtownia', 'Zakład', 'Przedsiębiorstwo', 'Firma', 'Sklep',
    'Centrum', 'Dom', 'Spółdzielnia', 'Pracownia', 'Magazyny', 'Skład']
SECOND = ['Budowlana', 'Handlowa', 'Techniczna', 'Ogrodnicza', 'Metalowa',
    'Elektryczna', 'Drzewna', 'Farb', 'Narzędzi', 'Instalacji', 'Śrub']
THIRD = ['Kowalski', 'Nowak', 'Wiśniewski', 'Wójcik', 'Kamiński',
    'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak', 'Dąbrowski',
    'Kozłowski', 'Jankowski', 'Mazur', 'Krawczyk', 'Piotrowski', 'Grabowski',
    'Pawłowski', 'Michalski', 'Król', 'Wieczorek', 'Jabłoński', 'Wróbel']
FORMS = ['Sp. z o.o.', 'S.A.', 'Sp.J.', 'S.C.', 'Sp. z o.o. Sp.K.', '']
CITIES = ['Warszawa', 'Kraków', 'Łódź', 'Wrocław', 'Poznań', 'Gdańsk',
    'Lublin', 'Kielce', 'Radom', 'Toruń']
TITLE_WORDS = ['Zapłata za', 'Płatność', 'Przelew za', 'Faktura',
    'Zaplata', 'ZAPŁATA ZA FAKTURĘ', 'Opłata', 'Należność za', '']
TYPOS = {'Zapłata': ['Zaplata', 'Zapłta', 'Zapalta'], 'faktura': [
        'faktra', 'fakura', 'faktuta'], 'Płatność': ['Platnosc', 'Płatnośc']}


def _nip(rng):
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, weights)) % 11
        if check != 10:
            return ''.join(map(str, digits + [check]))


def _iban(rng):
    bban = ''.join(str(rng.randint(0, 9)) for _ in range(24))
    value = int(bban + '252100')  # P=25 L=21
    return 'PL%02d%s' % (98 - value % 97, bban)


def _ksef(rng, nip, date):
    return '%s-%s-%012X-%02X' % (nip, date.strftime('%Y%m%d'),
        rng.getrandbits(48), rng.getrandbits(8))


def _amount(rng, low=50, high=20000):
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def generate(seed=2026, companies=3000, invoices=30000, lines=5000):
    "Return (index data, labelled lines)"
    rng = random.Random(seed)
    payers = []
    names = set()
    for pid in range(1, companies + 1):
        while True:
            # company names are distinct, as in the register
            name = ' '.join(filter(None, [rng.choice(FIRST),
                        rng.choice(SECOND), rng.choice(THIRD),
                        rng.choice(CITIES), rng.choice(FORMS)]))
            if name not in names:
                names.add(name)
                break
        payers.append(Payer(pid, name, _nip(rng),
                accounts=tuple(_iban(rng) for _ in range(rng.randint(1, 2))),
                virtual_accounts=(_iban(rng),) if rng.random() < 0.3
                else ()))
    start = dt.date(2026, 9, 1)
    sequence = {}
    open_invoices = []
    for iid in range(1, invoices + 1):
        date = start + dt.timedelta(days=rng.randint(0, 90))
        seq = sequence[date.month] = sequence.get(date.month, 0) + 1
        party = rng.randint(1, companies)
        open_invoices.append(OpenInvoice(iid,
                'FV/%d/%02d/%05d' % (date.year, date.month, seq), party,
                _amount(rng), date,
                ksef=_ksef(rng, '5260250274', date)
                if rng.random() < 0.4 else ''))
    by_party = {}
    for invoice in open_invoices:
        by_party.setdefault(invoice.party, []).append(invoice)
    for values in by_party.values():
        values.sort(key=lambda i: (i.date, i.id))
    used = set()
    labelled = []

    def pick(count=1):
        "count unpaid invoices of one company (the oldest first)"
        while True:
            party = rng.randint(1, companies)
            free = [i for i in by_party.get(party, ()) if i.id not in used]
            if len(free) >= count:
                chosen = rng.sample(free, count)
                used.update(i.id for i in chosen)
                return payers[party - 1], sorted(
                    chosen, key=lambda i: (i.date, i.id))

    def spell(invoice):
        year, month, seq = invoice.number.split('/')[1:]
        style = rng.randrange(8)
        if style == 0:
            return invoice.number
        if style == 1:
            return 'FV %d/%s/%s' % (int(seq), month, year)
        if style == 2:
            return ('fv' + year + month + seq)
        if style == 3:
            return 'FV-%s-%s-%s' % (year, month, seq)
        if style == 4:
            return 'nr %s/%s/%s' % (year, month, seq)
        if style == 5:
            return 'F.' + invoice.number[3:]
        if style == 6:
            return invoice.number.lower()
        return 'FV ' + invoice.number[3:]

    def title_for(numbers, extra=''):
        words = rng.choice(TITLE_WORDS)
        for right, wrong in TYPOS.items():
            if right in words and rng.random() < 0.3:
                words = words.replace(right, rng.choice(wrong))
        text = ' '.join(filter(None, [words, ', '.join(numbers), extra]))
        if len(text) > 35 and rng.random() < 0.5:
            # the bank's cut every 35 characters
            text = text[:35] + ' ' + text[35:]
        return text

    def payer_account(payer, known=0.75):
        if rng.random() < known:
            return rng.choice(payer.accounts), payer.name.upper()
        return _iban(rng), payer.name.upper()[:rng.randint(12, 40)]

    day = dt.date(2026, 11, 1)
    kinds = [('single', 34), ('several', 8), ('abbreviated', 3),
        ('partial', 6), ('overpayment', 3), ('mpp', 6), ('ksef', 5),
        ('virtual', 7), ('account_only', 5), ('typo_number', 2),
        ('fee', 6), ('outgoing', 8), ('unrelated', 7), ('other_payer', 5)]
    population = [k for k, w in kinds for _ in range(w)]
    for n in range(lines):
        kind = rng.choice(population)
        date = day + dt.timedelta(days=n * 30 // lines)
        line = dict(kind=kind, date=date, virtual_account='',
            line_kind='transfer', truth=())
        if kind in ('single', 'partial', 'overpayment', 'typo_number'):
            payer, (invoice,) = pick()
            account, name = payer_account(payer)
            amount = invoice.amount
            if kind == 'partial':
                account = rng.choice(payer.accounts)
                amount = (invoice.amount * Decimal(rng.randint(20, 90))
                    / 100).quantize(Decimal('0.01'))
            elif kind == 'overpayment':
                account = rng.choice(payer.accounts)
                amount += _amount(rng, 1, 300)
            number = spell(invoice)
            if kind == 'typo_number':
                # a digit wrong: nobody can know which invoice it was
                digits = [i for i, c in enumerate(number) if c.isdigit()]
                pos = rng.choice(digits[-3:])
                number = number[:pos] + str(
                    (int(number[pos]) + rng.randint(1, 9)) % 10) + \
                    number[pos + 1:]
                account = _iban(rng)
            line.update(amount=amount, account=account, name=name,
                title=title_for([number]),
                truth=(invoice.id,) if kind != 'typo_number' else ())
        elif kind in ('several', 'abbreviated'):
            payer, chosen = pick(rng.randint(2, 4))
            account, name = payer_account(payer)
            if kind == 'several':
                numbers = [spell(i) for i in chosen]
            else:
                numbers = [chosen[0].number] + [
                    i.number.rsplit('/', 1)[1].lstrip('0') or '0'
                    if i.number.rsplit('/', 1)[0] == chosen[0].number.rsplit(
                        '/', 1)[0] else i.number for i in chosen[1:]]
                numbers = [' '.join(numbers)]
            line.update(amount=sum(i.amount for i in chosen),
                account=account, name=name, title=title_for(numbers),
                truth=tuple(i.id for i in chosen))
        elif kind == 'mpp':
            payer, (invoice,) = pick()
            account, name = payer_account(payer, known=0.5)
            vat = (invoice.amount * 23 / 123).quantize(Decimal('0.01'))
            title = '/VAT/%s/IDC/%s/INV/%s/TXT/%s' % (
                str(vat).replace('.', ','), payer.nip, spell(invoice),
                rng.choice(['zapłata', 'towar', '', 'dostawa 11']))
            line.update(amount=invoice.amount, account=account, name=name,
                title=title, truth=(invoice.id,))
        elif kind == 'ksef':
            while True:
                payer, (invoice,) = pick()
                if invoice.ksef:
                    break
                used.discard(invoice.id)
            account, name = payer_account(payer, known=0.3)
            line.update(amount=invoice.amount, account=account, name=name,
                title=title_for([invoice.ksef]), truth=(invoice.id,))
        elif kind == 'virtual':
            # a company no other line pays: its oldest invoices first
            while True:
                party = rng.randint(1, companies)
                payer = payers[party - 1]
                free = by_party.get(party, [])
                if payer.virtual_accounts and free and not any(
                        i.id in used for i in free):
                    break
            count = rng.randint(1, min(3, len(free)))
            chosen = free[:count]
            used.update(i.id for i in free)
            line.update(amount=sum(i.amount for i in chosen),
                account=_iban(rng), name=payer.name.upper(),
                title=rng.choice(['przelew', 'zapłata', 'należność',
                        'za towar', '']),
                virtual_account=payer.virtual_accounts[0],
                truth=tuple(i.id for i in chosen))
        elif kind == 'account_only':
            payer, (invoice,) = pick()
            line.update(amount=invoice.amount,
                account=rng.choice(payer.accounts), name=payer.name.upper(),
                title=rng.choice(['za towar', 'zapłata', 'płatność za '
                        'dostawę', 'przelew', 'materiały budowlane']),
                truth=(invoice.id,))
            # the amount must tell one invoice of the company from others
            if sum(1 for i in by_party[payer.id] if i.id not in used
                    and i.amount == invoice.amount):
                line['truth'] = ()
        elif kind == 'other_payer':
            # a known customer cites another company's invoice for exactly
            # what is left to pay: not booked (a booking is a wrong match)
            owner, (invoice,) = pick()
            while True:
                payer = rng.choice(payers)
                # not a company of the same name: that name would fit
                if payer.name.split()[:4] != owner.name.split()[:4]:
                    break
            how = rng.choice(['name', 'account', 'nip'])
            extra = ''
            if how == 'name':
                account = _iban(rng)
                name = payer.name.upper() + rng.choice(['', ' UL. LIPOWA 7',
                        ' ' + rng.choice(CITIES).upper()])
            elif how == 'account':
                account, name = rng.choice(payer.accounts), payer.name.upper()
            else:
                account = _iban(rng)
                name = rng.choice(['', payer.name.upper()[:12]])
                extra = 'NIP ' + payer.nip
            line.update(amount=invoice.amount, account=account, name=name,
                title=title_for([spell(invoice)], extra), truth=())
        elif kind == 'fee':
            line.update(amount=-_amount(rng, 1, 50),
                account='', name='', line_kind='fee',
                title=rng.choice(['Opłata za przelew', 'Prowizja',
                        'OPŁATA ZA PROWADZENIE RACHUNKU', 'KOSZTY SR21IP']))
        elif kind == 'outgoing':
            payer = rng.choice(payers)
            fake = rng.choice(open_invoices)
            line.update(amount=-_amount(rng), account=_iban(rng),
                name=payer.name.upper(), line_kind='outgoing',
                title=rng.choice(['Zapłata za FV ', 'Zwrot nadpłaty ',
                        'Faktura ']) + rng.choice([fake.number,
                        '%d/11/2026' % rng.randint(1, 999)]))
        else:
            # refunds, interest, private: a title with no invoice of ours
            line.update(amount=rng.choice([
                        _amount(rng, 1, 5000),
                        rng.choice(open_invoices).amount]),
                account=_iban(rng),
                name=rng.choice(['URZĄD SKARBOWY', 'ZUS', 'JAN KOWALSKI',
                        'HURTOWNIA XYZ SP. Z O.O.', 'BANK PEKAO SA']),
                title=rng.choice(['Zwrot podatku VAT', 'ODSETKI',
                        'zwrot kaucji', 'Faktura 12/2026 korekta',
                        'Umowa 5/2026', 'Przelew własny',
                        'Zwrot za zamówienie 4411']))
        labelled.append(line)
    return open_invoices, payers, labelled


def measure(seed=2026, companies=3000, invoices=30000, lines=5000):
    open_invoices, payers, labelled = generate(seed, companies, invoices,
        lines)
    started = time.perf_counter()
    index = InvoiceIndex(open_invoices, payers)
    index_s = time.perf_counter() - started
    results = []
    started = time.perf_counter()
    for line in labelled:
        match = match_line(index, line['amount'], line['title'],
            account=line['account'], name=line['name'],
            virtual_account=line['virtual_account'],
            kind=line['line_kind'], currency='PLN')
        if match.status == 'matched':
            for invoice_id, amount in match.allocations:
                index.remove(invoice_id, amount)
        results.append(match)
    match_s = time.perf_counter() - started
    auto = right = 0
    matchable = sum(1 for line in labelled if line['truth'])
    by_kind = {}
    wrong = []
    for line, match in zip(labelled, results):
        stats = by_kind.setdefault(line['kind'], [0, 0, 0])
        stats[0] += 1
        if match.status != 'matched':
            continue
        auto += 1
        stats[1] += 1
        if {i for i, _ in match.allocations} == set(line['truth']) \
                and line['truth']:
            right += 1
            stats[2] += 1
        else:
            wrong.append((line, match))
    return {
        'lines': len(labelled),
        'invoices': len(open_invoices),
        'companies': len(payers),
        'matchable': matchable,
        'automatic': auto,
        'right': right,
        'precision': right / auto if auto else 1.0,
        'recall': right / matchable if matchable else 1.0,
        'lines_per_s': len(labelled) / match_s,
        'index_s': index_s,
        'by_kind': by_kind,
        'wrong': wrong,
        }


def report(figures, say=print):
    say(f"{figures['lines']} statement lines against {figures['invoices']} "
        f"open invoices of {figures['companies']} companies "
        f"(index built in {figures['index_s']:.2f} s)")
    say(f"{'kind':<14}{'lines':>7}{'auto':>7}{'right':>7}")
    for kind, (count, auto, right) in sorted(figures['by_kind'].items()):
        say(f"{kind:<14}{count:>7}{auto:>7}{right:>7}")
    say(f"automatic matches: {figures['automatic']}, right: "
        f"{figures['right']}, lines that pay invoices: "
        f"{figures['matchable']}")
    for line, match in figures['wrong'][:10]:
        say(f"  WRONG {line['kind']}: {line['title']!r} {line['amount']} "
            f"truth={line['truth']} got={match.allocations} "
            f"({match.reason})")
    say(f"precision {100 * figures['precision']:.2f} %, recall "
        f"{100 * figures['recall']:.2f} %, "
        f"{figures['lines_per_s']:.0f} lines/s")
    say(json.dumps({
                'precision': round(figures['precision'], 5),
                'recall': round(figures['recall'], 5),
                'lines_per_s': round(figures['lines_per_s']),
                }))


if __name__ == '__main__':
    report(measure())
