# This file is part of the B2B wholesale suite.
"""Demo data: a Polish wholesaler with its products, price lists, customer
companies and their accounts.

load(database, size) fills a database in which b2b_base is activated. The
small set is a realistic shop to try the back office and the portal (with
b2b_bank_import: a bank account with its statement journal and rules, and
posted invoices that the demo statement file pays, see demo_operations); the
large set adds at least 100 000 products, 50 price lists and 5 000
companies for benchmarks.  Everything is generated from fixed seeds, so
two databases get the same data (the demo invoices and statement are dated
in the month of the load), and a second run changes nothing.

The small set is created with the ORM in one transaction. The large set is
committed in batches of 1000 and an interrupted load resumes where it
stopped. Its products are inserted with SQL, as the rows that the ORM would
create (the ORM needs 12 to 27 ms a product here, SQL 0.5 ms); its
companies go through the ORM."""
import datetime as dt
import random
import re
import sys
import time
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from sql import Column
from sql.aggregate import Max
from sql.functions import CurrentTimestamp
from stdnum import iban as stdnum_iban
from stdnum.pl import nip as stdnum_nip

from b2b_base.party import normalize_tax_number
from trytond import backend
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

COMPANY_NAME = "Hurtownia Demo Sp. z o.o."
DEMO_LOGIN = 'kupiec@demo.example'
DEMO_PASSWORD = 'demo1234'
REP_LOGINS = ['rep1', 'rep2']
REP_PASSWORD = 'rep12345'
SEED = 20240501

SMALL_CUSTOMERS = 20
PRODUCTS_PER_CATEGORY = 25
PRODUCT_CODE = 'HD-%05d'

LARGE_PRODUCTS = 100_000
LARGE_PRICE_LISTS = 50
LARGE_COMPANIES = 5_000
LARGE_PRODUCT_CODE = 'HL-%06d'
LARGE_GROUP_CODE = 'G%02d'
LARGE_EMAIL = 'zakupy@firma-l%05d.example'
LARGE_SUBCATEGORIES = 'ABCDEFGH'
BATCH = 1000
# singletons created on the first write, which needs their table locked
LOCK_TABLES = ['account_configuration', 'b2b_configuration']
# and those the small set's posted invoices lock: the first move of a
# journal in a period, the strict sequences of the numbers (so that the
# load is not run a second time to take them)
SMALL_LOCK_TABLES = LOCK_TABLES + [
    'account_journal_period', 'ir_sequence_strict']

CENT = Decimal('0.01')
# Codes of tax offices: the first 3 digits of a NIP
TAX_OFFICES = [
    '521', '522', '524', '525', '526', '527', '534', '536', '676', '677',
    '679', '584', '586', '593', '894', '898', '951', '954', '966', '712']

# (category, VAT, [(item, unit, price)], [(brand, price factor)])
CATALOGUE = [
    ("Spożywcze", 'vat5', [
            ("Mąka pszenna typ 450", 'kg', '3.20'),
            ("Cukier biały", 'kg', '4.50'),
            ("Ryż długoziarnisty", 'kg', '6.90'),
            ("Kasza gryczana prażona", 'kg', '8.40'),
            ("Makaron świderki", 'kg', '7.80'),
            ("Olej rzepakowy", 'l', '9.90'),
            ("Sól warzona jodowana", 'kg', '1.90'),
            ("Płatki owsiane", 'kg', '5.60'),
            ("Fasola biała Jaś", 'kg', '14.50'),
            ("Groch łuskany połówki", 'kg', '5.20'),
            ], [
            ("Złote Pola", '1.00'),
            ("Młyn Mazowiecki", '1.08'),
            ("Dobra Spiżarnia", '0.94'),
            ]),
    ("Napoje", 'vat23', [
            ("Woda mineralna niegazowana 1,5 l", 'unit', '1.79'),
            ("Woda mineralna gazowana 0,5 l", 'unit', '1.29'),
            ("Sok jabłkowy 100% 1 l", 'unit', '4.99'),
            ("Napój pomarańczowy 2 l", 'unit', '4.49'),
            ("Napój energetyczny 250 ml", 'unit', '3.49'),
            ("Herbata mrożona brzoskwiniowa 0,5 l", 'unit', '3.29'),
            ("Woda mineralna 0,5 l, zgrzewka 12 szt.", 'box', '14.90'),
            ("Napój cola 0,33 l puszka", 'unit', '2.79'),
            ("Lemoniada cytrynowa 0,75 l", 'unit', '5.49'),
            ], [
            ("Kryniczanka", '1.00'),
            ("Zdrój Beskidzki", '1.12'),
            ("Aqua Polska", '0.92'),
            ]),
    ("Słodycze i przekąski", 'vat8', [
            ("Czekolada mleczna 100 g", 'unit', '4.29'),
            ("Wafelki kakaowe 200 g", 'unit', '5.99'),
            ("Ciastka maślane 300 g", 'unit', '7.49'),
            ("Chipsy ziemniaczane solone 150 g", 'unit', '5.49'),
            ("Paluszki słone 200 g", 'unit', '2.99'),
            ("Cukierki owocowe", 'kg', '24.90'),
            ("Orzeszki ziemne solone", 'kg', '19.90'),
            ("Baton zbożowy 40 g", 'unit', '1.99'),
            ("Żelki owocowe", 'kg', '22.50'),
            ], [
            ("Słodka Chwila", '1.00'),
            ("Wawelskie Smaki", '1.15'),
            ("Kraina Łakoci", '0.90'),
            ]),
    ("Kawa i herbata", 'vat23', [
            ("Kawa ziarnista", 'kg', '69.90'),
            ("Kawa mielona 500 g", 'unit', '24.90'),
            ("Kawa rozpuszczalna 200 g", 'unit', '29.90'),
            ("Herbata czarna ekspresowa 100 torebek", 'unit', '14.90'),
            ("Herbata zielona 50 torebek", 'unit', '9.90'),
            ("Herbata owocowa 20 torebek", 'unit', '5.49'),
            ("Kawa ziarnista espresso", 'kg', '89.00'),
            ("Kakao naturalne 150 g", 'unit', '6.90'),
            ("Herbata czarna liściasta", 'kg', '59.00'),
            ], [
            ("Prima Mokka", '1.00'),
            ("Dworek Herbaciany", '1.10'),
            ("Poranna Filiżanka", '0.93'),
            ]),
    ("Chemia gospodarcza", 'vat23', [
            ("Płyn do mycia naczyń", 'l', '4.20'),
            ("Płyn do mycia podłóg", 'l', '5.90'),
            ("Proszek do prania", 'kg', '7.90'),
            ("Kapsułki do zmywarki 100 szt.", 'unit', '49.90'),
            ("Płyn do szyb", 'l', '6.50'),
            ("Mleczko do czyszczenia 750 ml", 'unit', '6.99'),
            ("Odkamieniacz", 'l', '12.90'),
            ("Worki na śmieci 120 l, 25 szt.", 'unit', '12.50'),
            ("Płyn do dezynfekcji powierzchni", 'l', '18.90'),
            ], [
            ("Czysty Dom", '1.00'),
            ("Blask Pro", '1.18'),
            ("EkoLinia", '1.05'),
            ]),
    ("Higiena", 'vat23', [
            ("Mydło w płynie", 'l', '6.90'),
            ("Papier toaletowy 8 rolek", 'unit', '13.90'),
            ("Ręczniki papierowe ZZ 4000 szt.", 'box', '79.00'),
            ("Chusteczki higieniczne 100 szt.", 'unit', '3.49'),
            ("Szampon 400 ml", 'unit', '9.90'),
            ("Krem do rąk 100 ml", 'unit', '5.90'),
            ("Żel antybakteryjny do rąk", 'l', '24.90'),
            ("Pasta do zębów 100 ml", 'unit', '6.49'),
            ("Rękawice nitrylowe 100 szt.", 'unit', '24.90'),
            ], [
            ("Lawenda", '1.00'),
            ("Czysta Skóra", '1.09'),
            ("Higiena Plus", '0.95'),
            ]),
    ("Biuro", 'vat23', [
            ("Papier ksero A4 80 g, ryza 500 ark.", 'unit', '24.90'),
            ("Papier ksero A4 80 g, karton 5 ryz", 'box', '119.00'),
            ("Długopis żelowy niebieski", 'unit', '2.90'),
            ("Segregator A4 75 mm", 'unit', '8.90'),
            ("Koperty C4 samoklejące 250 szt.", 'unit', '39.90'),
            ("Zszywacz biurowy", 'unit', '19.90'),
            ("Karteczki samoprzylepne 76×76 mm", 'unit', '3.90'),
            ("Teczka z gumką A4", 'unit', '3.49'),
            ("Marker permanentny czarny", 'unit', '4.20'),
            ], [
            ("Biurex", '1.00'),
            ("Office Line", '1.12'),
            ("Papirus", '0.94'),
            ]),
    ("Opakowania", 'vat23', [
            ("Karton klapowy 300×200×150 mm", 'unit', '1.89'),
            ("Taśma pakowa brązowa 48 mm", 'unit', '3.90'),
            ("Folia stretch 23 µm", 'kg', '12.90'),
            ("Folia bąbelkowa 1 × 100 m", 'unit', '59.00'),
            ("Worki foliowe LDPE", 'kg', '14.50'),
            ("Koperty bąbelkowe C/13, 200 szt.", 'box', '69.00'),
            ("Pudełko fasonowe F201", 'unit', '2.40'),
            ("Wypełniacz papierowy", 'kg', '8.90'),
            ("Taśma z nadrukiem „Ostrożnie szkło”", 'unit', '5.50'),
            ], [
            ("PakMar", '1.00'),
            ("Kartonex", '0.96'),
            ("FoliaPol", '1.07'),
            ]),
    ("BHP", 'vat23', [
            ("Rękawice robocze powlekane, para", 'unit', '3.90'),
            ("Kamizelka ostrzegawcza", 'unit', '9.90'),
            ("Okulary ochronne", 'unit', '12.90'),
            ("Kask ochronny", 'unit', '24.90'),
            ("Nauszniki przeciwhałasowe", 'unit', '29.90'),
            ("Maski FFP2, 50 szt.", 'box', '49.00'),
            ("Apteczka zakładowa", 'unit', '89.00'),
            ("Obuwie robocze S3", 'unit', '149.00'),
            ("Ubranie robocze", 'unit', '119.00'),
            ], [
            ("SafeWork", '1.00'),
            ("BHP-Pro", '1.10'),
            ("Ochrona+", '0.92'),
            ]),
    ("Narzędzia", 'vat23', [
            ("Młotek ślusarski 500 g", 'unit', '24.90'),
            ("Zestaw wkrętaków 6 szt.", 'unit', '39.90'),
            ("Miara zwijana 5 m", 'unit', '14.90'),
            ("Poziomica 60 cm", 'unit', '34.90'),
            ("Klucz nastawny 250 mm", 'unit', '44.90'),
            ("Nóż do tapet", 'unit', '9.90'),
            ("Wkręty do drewna 4×40", 'kg', '29.90'),
            ("Kołki rozporowe 8 mm, 500 szt.", 'box', '19.90'),
            ("Taśma izolacyjna", 'unit', '2.90'),
            ], [
            ("Majster", '1.00'),
            ("ToolPol", '1.14'),
            ("Stalex", '0.91'),
            ]),
    ("Elektryka", 'vat23', [
            ("Żarówka LED E27 10 W", 'unit', '8.90'),
            ("Przedłużacz 3 gniazda 3 m", 'unit', '24.90'),
            ("Bateria alkaliczna AA, 4 szt.", 'unit', '9.90'),
            ("Bateria alkaliczna AAA, 4 szt.", 'unit', '9.90'),
            ("Świetlówka LED T8 120 cm", 'unit', '19.90'),
            ("Latarka LED", 'unit', '29.90'),
            ("Listwa zasilająca z wyłącznikiem", 'unit', '34.90'),
            ("Gniazdo natynkowe podwójne", 'unit', '12.90'),
            ("Opaski kablowe 200 mm, 100 szt.", 'unit', '7.90'),
            ], [
            ("Elektro-M", '1.00'),
            ("Lumix", '1.16'),
            ("VoltPol", '0.93'),
            ]),
    ("Gastronomia", 'vat23', [
            ("Kubki papierowe 250 ml, 1000 szt.", 'box', '129.00'),
            ("Talerze jednorazowe 23 cm, 100 szt.", 'unit', '19.90'),
            ("Sztućce drewniane, 100 szt.", 'unit', '14.90'),
            ("Serwetki gastronomiczne, 500 szt.", 'unit', '12.90'),
            ("Folia spożywcza 30 cm", 'unit', '24.90'),
            ("Pojemniki obiadowe z pokrywką, 50 szt.", 'unit', '29.90'),
            ("Słomki papierowe, 500 szt.", 'unit', '22.90'),
            ("Rękawice foliowe, 100 szt.", 'unit', '2.90'),
            ("Tacki aluminiowe, 50 szt.", 'unit', '18.90'),
            ], [
            ("GastroPak", '1.00'),
            ("EkoServ", '1.06'),
            ("Horeca Line", '1.13'),
            ]),
    ]
# Products of these items get 8 % instead of their category's 5 %
VAT8_ITEMS = {"Olej rzepakowy", "Płatki owsiane"}

# Selling rules (b2b_base pricing): the package of the products sold by the
# piece, as (quantity, discount %), given to every other product
PACKAGES = {
    "Napoje": (12, '3'),
    "Słodycze i przekąski": (24, '4'),
    "Kawa i herbata": (6, '2'),
    "Chemia gospodarcza": (6, '2'),
    "Higiena": (10, '2'),
    "Biuro": (10, '3'),
    "Opakowania": (50, '5'),
    "BHP": (12, '3'),
    "Narzędzia": (5, '2'),
    "Elektryka": (10, '3'),
    "Gastronomia": (10, '3'),
    }
# sold only by whole packages of this quantity
PACKAGE_ONLY = {"Napój cola 0,33 l puszka": 24}
# minimum logistic quantities, in the sale unit
MINIMUMS = {
    "Karton klapowy 300×200×150 mm": 25.,
    "Pudełko fasonowe F201": 50.,
    "Folia stretch 23 µm": 5.,
    "Worki foliowe LDPE": 2.,
    }
# products sold by weight accept multiples of this step in kg
WEIGHT_STEP = 0.25
# quantity discounts (from quantity, discount %) per category and per item
CATEGORY_TIERS = {
    "Biuro": [(10, '3'), (50, '7')],
    "Napoje": [(48, '2'), (240, '5')],
    "Chemia gospodarcza": [(20, '3'), (100, '6')],
    "Opakowania": [(200, '4'), (1000, '8')],
    }
ITEM_TIERS = {
    "Kawa ziarnista": [(5, '4'), (20, '8')],
    "Kawa ziarnista espresso": [(5, '4'), (20, '8')],
    }

TAXES = [
    ('vat23', "VAT 23%", Decimal('0.23')),
    ('vat8', "VAT 8%", Decimal('0.08')),
    ('vat5', "VAT 5%", Decimal('0.05')),
    ('vat0', "VAT 0%", Decimal('0')),
    ]
ACCOUNT_CATEGORIES = {
    'vat23': "Towary — VAT 23%",
    'vat8': "Żywność — VAT 8%",
    'vat5': "Żywność — VAT 5%",
    'vat0': "Towary — VAT 0%",
    }

# (code, kind, name, payment term)
PAYMENT_METHODS = [
    ('transfer', "Przelew / przedpłata", 'prepayment'),
    ('deferred', "Kredyt kupiecki (odroczony termin)", '14days'),
    ('cod', "Pobranie", None),
    ('online', "Płatność online", 'prepayment'),
    ]
# (key, name, carrier company, price)
CARRIERS = [
    ('dpd', "Kurier DPD", "DPD Polska Sp. z o.o.", Decimal('19.90')),
    ('pickup', "Odbiór osobisty", COMPANY_NAME, Decimal('0')),
    ('pallet', "Paleta", "Raben Logistics Polska Sp. z o.o.",
        Decimal('149.00')),
    ]
# code: (name, discount, price list, lines, payment methods, carriers)
# lines are (category, quantity, formula), the first that matches wins
GROUPS = [
    ('HURT', "Hurt", Decimal('2'), "Cennik hurtowy", [
            (None, 50, "unit_price * Decimal('0.85')"),
            (None, None, "unit_price * Decimal('0.90')"),
            ], ['transfer', 'deferred', 'cod'], ['dpd', 'pickup', 'pallet']),
    ('DETAL', "Detal", Decimal('0'), "Cennik detaliczny", [
            (None, 20, "unit_price * Decimal('0.97')"),
            (None, None, "unit_price"),
            ], ['transfer', 'cod', 'online'], ['dpd', 'pickup']),
    ('VIP', "VIP", Decimal('5'), "Cennik VIP", [
            ("Kawa i herbata", None, "unit_price * Decimal('0.80')"),
            (None, 100, "unit_price * Decimal('0.78')"),
            (None, None, "unit_price * Decimal('0.85')"),
            ], ['transfer', 'deferred', 'cod', 'online'],
        ['dpd', 'pickup', 'pallet']),
    ]

# customer number: its own price list, which wins over its group's
OWN_PRICE_LISTS = {
    5: ("Cennik indywidualny — Hotel Panorama", [
            ("Gastronomia", None, "unit_price * Decimal('0.80')"),
            (None, None, "unit_price * Decimal('0.92')"),
            ]),
    }

CITIES = [
    ("Kraków", '30-'), ("Gdańsk", '80-'), ("Poznań", '60-'),
    ("Wrocław", '50-'), ("Łódź", '90-'), ("Lublin", '20-'),
    ("Katowice", '40-'), ("Szczecin", '70-'), ("Bydgoszcz", '85-'),
    ("Białystok", '15-'), ("Rzeszów", '35-'), ("Olsztyn", '10-'),
    ("Kielce", '25-'), ("Opole", '45-'), ("Toruń", '87-'),
    ("Radom", '26-'), ("Gdynia", '81-'), ("Częstochowa", '42-'),
    ("Zielona Góra", '65-'), ("Płock", '09-'), ("Warszawa", '02-'),
    ]
STREETS = [
    "ul. Długa", "ul. Polna", "ul. Leśna", "ul. Słoneczna", "ul. Krótka",
    "ul. Szkolna", "ul. Ogrodowa", "ul. Lipowa", "ul. Kwiatowa",
    "ul. Przemysłowa", "ul. Składowa", "ul. Magazynowa", "al. Jana Pawła II",
    "ul. Mickiewicza", "ul. Kościuszki", "ul. Piłsudskiego",
    "ul. Handlowa", "ul. Hurtowa", "ul. Fabryczna", "ul. Kolejowa",
    ]
CUSTOMERS = [
    "Delikatesy Pod Lipami Sp. j.",
    "Sklep Spożywczy Mazurek s.c.",
    "Biuro Rachunkowe Kowalczyk i Wspólnicy",
    "Restauracja Stary Młyn Sp. z o.o.",
    "Hotel Panorama Sp. z o.o.",
    "Market Pod Zegarem Sp. z o.o.",
    "Przedszkole Niepubliczne Słoneczko",
    "Zakład Stolarski Dąbrowski",
    "Kawiarnia Filiżanka s.c.",
    "Drogeria Lawenda Sp. j.",
    "Firma Budowlana Nowak-Bud Sp. z o.o.",
    "Catering Smaczny Kąsek Sp. z o.o.",
    "Sklep Wielobranżowy Groszek",
    "Warsztat Samochodowy Auto-Serwis Wójcik",
    "Szkoła Językowa Lingwista Sp. z o.o.",
    "Pensjonat Nad Jeziorem",
    "Apteka Pod Orłem Sp. j.",
    "Piekarnia Złoty Kłos Sp. z o.o.",
    "Agencja Reklamowa Kreatywni Sp. z o.o.",
    "Sklep Rowerowy Szprycha",
    ]
FIRST_NAMES = [
    "Jan", "Anna", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Paweł",
    "Magdalena", "Marcin", "Joanna", "Michał", "Monika", "Krzysztof",
    "Ewa", "Łukasz", "Małgorzata", "Grzegorz", "Barbara", "Adam", "Zofia",
    ]
LAST_NAMES = [
    "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
    "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
    "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski",
    "Grabowski", "Nowakowski", "Pawłowski", "Michalski",
    ]
FEMININE_ENDINGS = {'ski': 'ska', 'cki': 'cka', 'dzki': 'dzka'}
ASCII = str.maketrans('ąćęłńóśźżĄĆĘŁŃÓŚŹŻ', 'acelnoszzACELNOSZZ')


class Progress:
    "A textual progress bar on standard error"

    def __init__(self, label, total, enabled=True, width=30):
        self.label = label
        self.total = total
        self.enabled = enabled
        self.width = width
        self.start = time.monotonic()
        self.shown = 0.
        self.tty = sys.stderr.isatty()
        self.step = None
        self.update(0)

    def update(self, done):
        if not self.enabled:
            return
        now = time.monotonic()
        fraction = min(done / self.total, 1.) if self.total else 1.
        if self.tty:
            if now - self.shown < 0.2 and done < self.total:
                return
            end = '\r'
        else:
            # one line per tenth in logs
            step = int(fraction * 10)
            if step == self.step:
                return
            self.step = step
            end = '\n'
        self.shown = now
        filled = int(self.width * fraction)
        sys.stderr.write(
            f"{self.label:<28} [{'#' * filled}{'.' * (self.width - filled)}]"
            f" {done}/{self.total} {now - self.start:5.1f} s{end}")
        sys.stderr.flush()

    def close(self):
        if not self.enabled:
            return
        self.update(self.total)
        if self.tty:
            sys.stderr.write('\n')
            sys.stderr.flush()


def message(text, progress=True):
    if progress:
        sys.stderr.write(text + '\n')
        sys.stderr.flush()


def nip_check_digit(digits):
    "Return the check digit of the 9 first digits of a NIP or None"
    remainder = stdnum_nip.checksum(digits + '0')
    return None if remainder == 10 else remainder


def random_nip(rng, used):
    "Return a valid NIP not in used, and add it there"
    while True:
        digits = rng.choice(TAX_OFFICES) + '%06d' % rng.randrange(10 ** 6)
        check = nip_check_digit(digits)
        if check is not None and digits + str(check) not in used:
            nip = digits + str(check)
            used.add(nip)
            return nip


def large_nip(index):
    """Return the valid NIP of the large set's company index

    The prefixes shift the checksum by distinct amounts, so at most one of
    them gives the remainder 10; no tax office of the small set starts with
    76 to 79."""
    for prefix in ['77', '78', '79', '76']:
        digits = prefix + '%07d' % index
        check = nip_check_digit(digits)
        if check is not None:
            return digits + str(check)
    raise ValueError(index)


def tax_identifier(nip):
    "Return the values of the party identifier of the NIP"
    type_, code = normalize_tax_number(nip)
    return {'type': type_, 'code': code}


def person(rng):
    "Return the first and last name of a person"
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    if first.endswith('a'):
        for masculine, feminine in FEMININE_ENDINGS.items():
            if last.endswith(masculine):
                last = last[:-len(masculine)] + feminine
                break
    return first, last


def email_local(first, last):
    return f'{first}.{last}'.translate(ASCII).lower()


def postal_code(rng, prefix):
    return '%s%03d' % (prefix, rng.randrange(1, 1000))


def street(rng):
    return f'{rng.choice(STREETS)} {rng.randrange(1, 120)}'


def load(database, size='small', progress=True, statement=None):
    """Load the demo data of size 'small' or 'large' into the database

    The trytond configuration must be loaded and b2b_base activated. The
    large set is loaded on top of the small one. When the small set is
    loaded with b2b_bank_import activated and statement is a path, the
    demo statement of its month is written there."""
    if size not in {'small', 'large'}:
        raise ValueError(f"unknown demo data size: {size}")
    if database not in Pool.database_list():
        Pool(database).init()
    extras = {'_lock_tables': list(LOCK_TABLES)}
    start = time.monotonic()
    if _run(database, extras, _demo_company_id):
        message(f"Demo data already present in {database}.", progress)
    else:
        message(f"Loading the small demo data into {database}…", progress)
        bank_date = _run(database, {'_lock_tables': list(SMALL_LOCK_TABLES)},
            _load_small, progress)
        message("Small demo data loaded in %.1f s." % (
                time.monotonic() - start), progress)
        if bank_date and statement:
            path = write_statement(statement, bank_date)
            message(f"Bank statement of the demo invoices ({bank_date:%m/%Y}"
                f", README: Bank statements): {path}", progress)
    if size == 'large':
        _load_large(database, extras, progress)


def _run(database, extras, func, *args, context=None):
    """Run func in a transaction of root that is committed at the end

    The transaction is retried with the locks that it asks for; they are
    added to extras for the next transactions."""
    while True:
        try:
            with Transaction().start(
                    database, 0, context=context, **extras):
                return func(*args)
        except TransactionError as error:
            error.fix(extras)


def _orm_batch(size):
    """Return how many records to create at once with the ORM

    SQLite fails with "parser stack overflow" on the query that checks the
    unique constraints of more than about 50 records."""
    return size if backend.name != 'sqlite' else min(size, 20)


def _demo_company_id():
    pool = Pool()
    Company = pool.get('company.company')
    companies = Company.search([
            ('party.name', '=', COMPANY_NAME),
            ], limit=1)
    return companies[0].id if companies else None


def _load_small(progress):
    """Load the small set; return the date of the demo statement's month
    (None without b2b_bank_import)"""
    Date = Pool().get('ir.date')
    rng = random.Random(SEED)
    used_nips = set()
    company = _create_company(rng, used_nips)
    with Transaction().set_context(company=company.id):
        accounts, taxes = _create_accounting(company)
        terms = _create_payment_terms()
        categories, account_categories, units = _create_product_setup(
            accounts, taxes)
        products = _create_products(
            rng, categories, account_categories, units, progress)
        _create_stock(products)
        carriers = _create_carriers(account_categories, units)
        methods = _create_payment_methods(company, terms)
        groups = _create_groups(company, categories, methods, carriers)
        _create_configuration(groups)
        _create_customers(
            rng, used_nips, company, groups, categories, progress)
        _create_credit(rng, company, accounts, groups)
        _create_sales_reps(rng, company)
        _create_registration(rng, used_nips)
        bank_date = _create_bank_demo(
            company, accounts, terms, Date.today())
    message(f"{len(products)} products, {SMALL_CUSTOMERS} customer "
        f"companies, demo login {DEMO_LOGIN} / {DEMO_PASSWORD}", progress)
    return bank_date


def _get_currency():
    "Return the Polish zloty, created when missing"
    pool = Pool()
    Currency = pool.get('currency.currency')
    Rate = pool.get('currency.currency.rate')
    currencies = Currency.search([('code', '=', 'PLN')], limit=1)
    if currencies:
        currency, = currencies
    else:
        currency, = Currency.create([{
                    'name': "Złoty polski",
                    'code': 'PLN',
                    'numeric_code': '985',
                    'symbol': "zł",
                    'rounding': CENT,
                    'digits': 2,
                    }])
    if not currency.rates:
        Rate.create([{
                    'currency': currency.id,
                    'date': dt.date(2000, 1, 1),
                    'rate': Decimal(1),
                    }])
    return currency


def _get_country():
    "Return Poland, created when missing"
    pool = Pool()
    Country = pool.get('country.country')
    countries = Country.search([('code', '=', 'PL')], limit=1)
    if countries:
        return countries[0]
    country, = Country.create([{
                'name': "Poland",
                'code': 'PL',
                'code3': 'POL',
                'code_numeric': '616',
                }])
    return country


def _get_lang():
    pool = Pool()
    Lang = pool.get('ir.lang')
    langs = Lang.search([('code', '=', 'pl')], limit=1)
    return langs[0].id if langs else None


def _create_company(rng, used_nips):
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')

    currency = _get_currency()
    country = _get_country()
    party, = Party.create([{
                'name': COMPANY_NAME,
                'lang': _get_lang(),
                'identifiers': [('create', [
                                tax_identifier(random_nip(rng, used_nips))])],
                'addresses': [('create', [{
                                'street': "ul. Magazynowa 12",
                                'postal_code': '02-652',
                                'city': "Warszawa",
                                'country': country.id,
                                'invoice': True,
                                'delivery': True,
                                }])],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': 'biuro@hurtownia-demo.example',
                                }, {
                                'type': 'phone',
                                'value': '+48 22 123 45 67',
                                }, {
                                'type': 'website',
                                'value': 'https://hurtownia-demo.example',
                                }])],
                }])
    company, = Company.create([{
                'party': party.id,
                'currency': currency.id,
                'timezone': 'Europe/Warsaw',
                }])
    admins = User.search([('login', '=', 'admin')], limit=1) or [User(1)]
    User.write(admins, {
            'companies': [('add', [company.id])],
            'company': company.id,
            })
    return company


def _create_accounting(company):
    """Create a minimal Polish chart of accounts, the VAT taxes, the
    fiscal year of today with its periods and sequences"""
    pool = Pool()
    Type = pool.get('account.account.type')
    Account = pool.get('account.account')
    Tax = pool.get('account.tax')
    Configuration = pool.get('account.configuration')
    FiscalYear = pool.get('account.fiscalyear')
    SequenceStrict = pool.get('ir.sequence.strict')
    ModelData = pool.get('ir.model.data')
    Date = pool.get('ir.date')

    def create_type(name, sequence, parent=None, **values):
        type_, = Type.create([{
                    'name': name,
                    'sequence': sequence,
                    'company': company.id,
                    'parent': parent.id if parent else None,
                    **values,
                    }])
        return type_

    root = create_type("Plan kont", 10)
    assets = create_type(
        "Aktywa", 10, root, statement='balance', assets=True)
    current = create_type(
        "Aktywa obrotowe", 10, assets, statement='balance', assets=True)
    types = {
        'receivable': create_type("Należności z tytułu dostaw", 10, current,
            statement='balance', assets=True, receivable=True),
        'cash': create_type("Środki pieniężne", 20, current,
            statement='balance', assets=True),
        'stock': create_type("Towary", 30, current,
            statement='balance', assets=True, stock=True),
        }
    liabilities = create_type("Pasywa", 20, root, statement='balance')
    types.update({
            'payable': create_type("Zobowiązania z tytułu dostaw", 10,
                liabilities, statement='balance', payable=True),
            'tax': create_type("Rozrachunki publicznoprawne", 20,
                liabilities, statement='balance'),
            'equity': create_type("Kapitał własny", 30, liabilities,
                statement='balance'),
            })
    income = create_type("Rachunek zysków i strat", 30, root,
        statement='income')
    types.update({
            'revenue': create_type("Przychody ze sprzedaży", 10, income,
                statement='income', revenue=True),
            'expense': create_type("Koszty działalności", 20, income,
                statement='income', expense=True),
            'financial_income': create_type("Przychody finansowe", 30,
                income, statement='income', revenue=True),
            'financial_expense': create_type("Koszty finansowe", 40,
                income, statement='income', expense=True),
            })

    chart, = Account.create([{
                'name': "Plan kont — " + COMPANY_NAME,
                'company': company.id,
                }])
    accounts = {}
    for key, code, name, type_, extra in [
            ('cash', '100', "Kasa", 'cash', {}),
            ('bank', '130', "Rachunek bankowy", 'cash', {}),
            ('in_transit', '141', "Środki pieniężne w drodze", 'cash',
                {'reconcile': True}),
            ('receivable', '201', "Rozrachunki z odbiorcami", 'receivable',
                {'reconcile': True, 'party_required': True}),
            ('payable', '202', "Rozrachunki z dostawcami", 'payable',
                {'reconcile': True, 'party_required': True}),
            ('tax', '221', "Rozrachunki z tytułu VAT należnego", 'tax', {}),
            ('tax_in', '222', "Rozrachunki z tytułu VAT naliczonego", 'tax',
                {}),
            ('tax_office', '225', "Rozrachunki z urzędem skarbowym", 'tax',
                {}),
            ('zus', '229', "Rozrachunki z ZUS", 'tax', {}),
            ('stock', '330', "Towary", 'stock', {}),
            ('equity', '801', "Kapitał zakładowy", 'equity', {}),
            ('revenue', '730', "Przychody ze sprzedaży towarów", 'revenue',
                {}),
            ('expense', '731', "Wartość sprzedanych towarów", 'expense', {}),
            ('interest', '750', "Odsetki bankowe", 'financial_income', {}),
            ('bank_fees', '751', "Opłaty i prowizje bankowe",
                'financial_expense', {}),
            ]:
        accounts[key], = Account.create([{
                    'name': name,
                    'code': code,
                    'company': company.id,
                    'parent': chart.id,
                    'type': types[type_].id,
                    **extra,
                    }])

    taxes = {}
    for key, name, rate in TAXES:
        taxes[key], = Tax.create([{
                    'name': name,
                    'description': name,
                    'company': company.id,
                    'type': 'percentage',
                    'rate': rate,
                    'invoice_account': accounts['tax'].id,
                    'credit_note_account': accounts['tax'].id,
                    }])

    configuration = Configuration(1)
    configuration.default_account_receivable = accounts['receivable']
    configuration.default_account_payable = accounts['payable']
    configuration.save()

    today = Date.today()
    year = str(today.year)
    move_sequence, invoice_sequence = SequenceStrict.create([{
                'name': f"Dzienniki {year}",
                'sequence_type': ModelData.get_id(
                    'account', 'sequence_type_account_move'),
                'company': company.id,
                }, {
                'name': f"Faktury {year}",
                # FV/2026/12/0001: the month of the invoice's date
                'prefix': f'FV/{year}/${{date_m}}/',
                'padding': 4,
                'sequence_type': ModelData.get_id(
                    'account_invoice', 'sequence_type_account_invoice'),
                'company': company.id,
                }])
    fiscalyear, = FiscalYear.create([{
                'name': year,
                'company': company.id,
                'start_date': today.replace(month=1, day=1),
                'end_date': today.replace(month=12, day=31),
                'move_sequence': move_sequence.id,
                'invoice_sequences': [('create', [{
                                'company': company.id,
                                'out_invoice_sequence': invoice_sequence.id,
                                'out_credit_note_sequence': (
                                    invoice_sequence.id),
                                'in_invoice_sequence': invoice_sequence.id,
                                'in_credit_note_sequence': (
                                    invoice_sequence.id),
                                }])],
                }])
    FiscalYear.create_period([fiscalyear])
    return accounts, taxes


def _create_payment_terms():
    pool = Pool()
    PaymentTerm = pool.get('account.invoice.payment_term')
    days14, prepayment = PaymentTerm.create([{
                'name': "14 dni",
                'lines': [('create', [{
                                'type': 'remainder',
                                'relativedeltas': [('create', [{
                                                'days': 14,
                                                }])],
                                }])],
                }, {
                'name': "Przedpłata",
                'description': "Płatne przed wysyłką towaru.",
                'lines': [('create', [{
                                'type': 'remainder',
                                }])],
                }])
    return {'14days': days14, 'prepayment': prepayment}


def _create_product_setup(accounts, taxes):
    "Return the product categories, the account categories and the units"
    pool = Pool()
    Category = pool.get('product.category')
    Uom = pool.get('product.uom')
    ModelData = pool.get('ir.model.data')

    account_categories = {}
    for key, name in ACCOUNT_CATEGORIES.items():
        account_categories[key], = Category.create([{
                    'name': name,
                    'accounting': True,
                    'account_revenue': accounts['revenue'].id,
                    'account_expense': accounts['expense'].id,
                    'customer_taxes': [('add', [taxes[key].id])],
                    }])
    categories = Category.create([{
                'name': name,
                'b2b_quantity_discounts': [('create', [{
                                'quantity': float(quantity),
                                'discount': Decimal(discount),
                                } for quantity, discount in CATEGORY_TIERS.get(
                                name, [])])],
                } for name, *_ in CATALOGUE])
    categories = {c.name: c for c in categories}

    unit = Uom(ModelData.get_id('product', 'uom_unit'))
    boxes = Uom.search([
            ('name', '=', "Karton"),
            ('category', '=', unit.category.id),
            ], limit=1)
    if boxes:
        box, = boxes
    else:
        box, = Uom.create([{
                    'name': "Karton",
                    'symbol': "krt",
                    'category': unit.category.id,
                    'factor': 12.,
                    'rate': round(1 / 12., 12),
                    'rounding': 1.,
                    'digits': 0,
                    }])
    units = {
        'unit': unit,
        'kg': Uom(ModelData.get_id('product', 'uom_kilogram')),
        'l': Uom(ModelData.get_id('product', 'uom_liter')),
        'box': box,
        }
    return categories, account_categories, units


def _selling_rules(category, item, unit, index):
    "Return the B2B selling rules of a product as template values"
    rules = {}
    if unit == 'kg':
        rules['sale_quantity_rounding'] = WEIGHT_STEP
    if item in MINIMUMS:
        rules['sale_quantity_minimal'] = MINIMUMS[item]
    if item in PACKAGE_ONLY:
        rules['b2b_package_quantity'] = float(PACKAGE_ONLY[item])
        rules['b2b_package_only'] = True
    elif unit == 'unit' and category in PACKAGES and not index % 2:
        quantity, discount = PACKAGES[category]
        rules['b2b_package_quantity'] = float(quantity)
        rules['b2b_package_discount'] = Decimal(discount)
    return rules


def _product_values(rng, code, name, category, unit, account_category,
        price):
    list_price = (price * Decimal(str(rng.uniform(0.95, 1.05)))).quantize(
        CENT)
    cost_price = (list_price * Decimal(str(rng.uniform(0.55, 0.75)))
        ).quantize(CENT)
    return {
        'name': name,
        'code': code,
        'type': 'goods',
        'default_uom': unit.id,
        'salable': True,
        'sale_uom': unit.id,
        'list_price': list_price,
        'account_category': account_category.id,
        'categories': [('add', [category.id])],
        'products': [('create', [{
                        'cost_price': cost_price,
                        }])],
        }


def _create_products(rng, categories, account_categories, units,
        progress):
    pool = Pool()
    Template = pool.get('product.template')
    values = []
    number = 0
    for category_name, vat, items, brands in CATALOGUE:
        for index in range(PRODUCTS_PER_CATEGORY):
            item, unit, price = items[index % len(items)]
            brand, factor = brands[index // len(items) % len(brands)]
            number += 1
            tax = 'vat8' if item in VAT8_ITEMS else vat
            product = _product_values(rng, PRODUCT_CODE % number,
                f"{item} — {brand}", categories[category_name],
                units[unit], account_categories[tax],
                Decimal(price) * Decimal(factor))
            product.update(_selling_rules(category_name, item, unit, index))
            if item in ITEM_TIERS:
                product['b2b_quantity_discounts'] = [('create', [{
                                'quantity': float(quantity),
                                'discount': Decimal(discount),
                                } for quantity, discount in ITEM_TIERS[item]])]
            values.append(product)
    bar = Progress("Products", len(values), progress)
    templates = []
    size = _orm_batch(100)
    for start in range(0, len(values), size):
        templates += Template.create(values[start:start + size])
        bar.update(len(templates))
    bar.close()
    return templates


def stock_quantity(number):
    """Return the demo stock of the product HD-<number>: every 7th out
    of stock, the one before it low (1 to 6), the others 20 to 400"""
    if not number % 7:
        return 0
    rng = random.Random(SEED + number)
    if number % 7 == 6:
        return rng.randint(1, 6)
    return rng.randint(20, 400)


def _create_stock(templates):
    """Count the demo stock into the warehouse's storage with one
    confirmed inventory, so that the catalog shows products in stock, low
    and out of stock"""
    pool = Pool()
    Inventory = pool.get('stock.inventory')
    Location = pool.get('stock.location')
    warehouse = Location.search([('type', '=', 'warehouse')], limit=1)
    if not warehouse:
        return
    warehouse, = warehouse
    lines = []
    for template in templates:
        product, = template.products
        number = int(product.code.rsplit('-', 1)[1])
        if quantity := stock_quantity(number):
            lines.append({'product': product.id, 'quantity': quantity})
    inventory, = Inventory.create([{
                'location': warehouse.storage_location.id,
                'lines': [('create', lines)],
                }])
    Inventory.confirm([inventory])


def _create_carriers(account_categories, units):
    pool = Pool()
    Party = pool.get('party.party')
    Template = pool.get('product.template')
    Carrier = pool.get('carrier')

    carriers = {}
    for key, name, carrier_company, price in CARRIERS:
        parties = Party.search([('name', '=', carrier_company)], limit=1)
        if parties:
            party, = parties
        else:
            party, = Party.create([{'name': carrier_company}])
        template, = Template.create([{
                    'name': f"Dostawa: {name}",
                    'type': 'service',
                    'default_uom': units['unit'].id,
                    'salable': True,
                    'sale_uom': units['unit'].id,
                    'list_price': price,
                    'account_category': account_categories['vat23'].id,
                    'products': [('create', [{
                                    'cost_price': Decimal(0),
                                    }])],
                    }])
        carriers[key], = Carrier.create([{
                    'party': party.id,
                    'carrier_product': template.products[0].id,
                    }])
    return carriers


def _create_payment_methods(company, terms):
    pool = Pool()
    PaymentMethod = pool.get('b2b.payment.method')
    methods = PaymentMethod.create([{
                'name': name,
                'kind': kind,
                'company': company.id,
                'payment_term': terms[term].id if term else None,
                } for kind, name, term in PAYMENT_METHODS])
    return {m.kind: m for m in methods}


def _price_list_lines(lines, categories):
    return [{
            'sequence': 10 * (index + 1),
            'category': categories[category].id if category else None,
            'quantity': quantity,
            'formula': formula,
            } for index, (category, quantity, formula) in enumerate(lines)]


def _create_groups(company, categories, methods, carriers):
    pool = Pool()
    PriceList = pool.get('product.price_list')
    Group = pool.get('b2b.customer.group')

    groups = {}
    for (code, name, discount, list_name, lines, group_methods,
            group_carriers) in GROUPS:
        price_list, = PriceList.create([{
                    'name': list_name,
                    'company': company.id,
                    'price': 'list_price',
                    'lines': [('create', _price_list_lines(
                                    lines, categories))],
                    }])
        groups[code], = Group.create([{
                    'name': name,
                    'code': code,
                    'company': company.id,
                    'price_list': price_list.id,
                    'discount': discount,
                    'payment_methods': [('add', [
                                    methods[m].id for m in group_methods])],
                    'carriers': [('add', [
                                    carriers[c].id for c in group_carriers])],
                    }])
    return groups


def _create_configuration(groups):
    pool = Pool()
    Configuration = pool.get('b2b.configuration')
    configuration = Configuration(1)
    configuration.default_customer_group = groups['DETAL']
    configuration.self_registration = True
    configuration.shop_visibility = 'prices_after_login'
    configuration.save()


def _password_hash(password):
    "Return the hash of the web users' password, computed once"
    pool = Pool()
    WebUser = pool.get('web.user')
    return WebUser.hash_password(password)


def _create_customers(rng, used_nips, company, groups, categories,
        progress):
    pool = Pool()
    Party = pool.get('party.party')
    PriceList = pool.get('product.price_list')

    country = _get_country()
    lang = _get_lang()
    password_hash = _password_hash(DEMO_PASSWORD)
    group_codes = ['HURT', 'DETAL', 'VIP', 'HURT', 'DETAL']
    roles = ['buyer', 'buyer', 'viewer']
    values = []
    for number, name in enumerate(CUSTOMERS[:SMALL_CUSTOMERS], 1):
        city, prefix = CITIES[(number - 1) % len(CITIES)]
        domain = f'firma{number}.example'
        accounts = []
        used_emails = set()
        for index in range(1 if number == 1 else rng.randint(1, 4)):
            first, last = person(rng)
            email = f'{email_local(first, last)}@{domain}'
            if email in used_emails:
                email = f'{email_local(first, last)}{index}@{domain}'
            used_emails.add(email)
            accounts.append({
                    'email': email,
                    'password_hash': password_hash,
                    'email_valid': True,
                    'b2b_role': 'admin' if not index else rng.choice(roles),
                    })
        if number == 1:
            # The account to try the portal with
            accounts[0]['email'] = DEMO_LOGIN
            accounts.append({
                    'email': f'zakupy@{domain}',
                    'password_hash': password_hash,
                    'email_valid': True,
                    'b2b_role': 'buyer',
                    })
        address = street(rng)
        code = postal_code(rng, prefix)
        addresses = [{
                'street': address,
                'postal_code': code,
                'city': city,
                'country': country.id,
                'invoice': True,
                'delivery': True,
                }]
        if rng.random() < 0.3:
            # a second delivery place, e.g. a warehouse
            addresses.append({
                    'party_name': name + " — magazyn",
                    'street': street(rng),
                    'postal_code': postal_code(rng, prefix),
                    'city': city,
                    'country': country.id,
                    'delivery': True,
                    })
        values.append({
                'name': name,
                'lang': lang,
                'b2b_customer': True,
                'b2b_status': 'active',
                'b2b_customer_group': groups[
                    group_codes[(number - 1) % len(group_codes)]].id,
                'identifiers': [('create', [
                                tax_identifier(random_nip(rng, used_nips))])],
                'addresses': [('create', addresses)],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'biuro@{domain}',
                                }, {
                                'type': 'phone',
                                'value': '+48 %d %03d %02d %02d' % (
                                    rng.randrange(12, 99),
                                    rng.randrange(1000),
                                    rng.randrange(100),
                                    rng.randrange(100)),
                                }])],
                'b2b_accounts': [('create', accounts)],
                })
        if number in OWN_PRICE_LISTS:
            list_name, lines = OWN_PRICE_LISTS[number]
            price_list, = PriceList.create([{
                        'name': list_name,
                        'company': company.id,
                        'price': 'list_price',
                        'lines': [('create', _price_list_lines(
                                        lines, categories))],
                        }])
            values[-1]['sale_price_list'] = price_list.id
    bar = Progress("Customer companies", len(values), progress)
    size = _orm_batch(len(values))
    for start in range(0, len(values), size):
        Party.create(values[start:start + size])
        bar.update(min(start + size, len(values)))
    bar.close()


def _create_credit(rng, company, accounts, groups):
    """Trade credit (module b2b_credit): the bank account payments go to,
    a credit limit for every company, overdue invoices older than 30 days
    block deferred payment"""
    pool = Pool()
    try:
        Payment = pool.get('b2b.payment')
    except KeyError:
        return  # b2b_credit is not activated
    del Payment
    Journal = pool.get('account.journal')
    InvoiceMethod = pool.get('account.invoice.payment.method')
    Configuration = pool.get('b2b.configuration')
    Party = pool.get('party.party')
    Group = pool.get('b2b.customer.group')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    method, = InvoiceMethod.create([{
                'name': "Przelew na rachunek bankowy",
                'company': company.id,
                'journal': journal.id,
                'debit_account': accounts['bank'].id,
                'credit_account': accounts['bank'].id,
                }])
    configuration = Configuration(1)
    configuration.payment_method = method
    configuration.erp_invoice_account = accounts['revenue']
    configuration.save()
    Group.write(list(groups.values()), {'overdue_days': 30})
    parties = Party.search([('b2b_customer', '=', True)],
        order=[('id', 'ASC')])
    for party in parties:
        party.credit_limit_amount = Decimal(rng.choice(
                [10000, 20000, 30000, 50000]))
    Party.save(parties)


def _create_sales_reps(rng, company):
    pool = Pool()
    User = pool.get('res.user')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    ModelData = pool.get('ir.model.data')

    group_id = ModelData.get_id('b2b_base', 'group_b2b_salesrep')
    for number, login in enumerate(REP_LOGINS, 1):
        first, last = person(rng)
        name = f"{first} {last}"
        email = f'{email_local(first, last)}@hurtownia-demo.example'
        party, = Party.create([{
                    'name': name,
                    'lang': _get_lang(),
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': email,
                                    }, {
                                    'type': 'mobile',
                                    'value': '+48 600 100 %03d' % number,
                                    }])],
                    }])
        employee, = Employee.create([{
                    'party': party.id,
                    'company': company.id,
                    }])
        User.create([{
                    'name': name,
                    'login': login,
                    'password': REP_PASSWORD,
                    'email': email,
                    'groups': [('add', [group_id])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])


def _create_registration(rng, used_nips):
    pool = Pool()
    Registration = pool.get('b2b.registration')
    Registration.register({
            'company_name': "Nowa Firma Sp. z o.o.",
            'tax_number': random_nip(rng, used_nips),
            'street': "ul. Nowa 5",
            'postal_code': '31-154',
            'city': "Kraków",
            'country': 'PL',
            'contact_name': "Karolina Nowicka",
            'email': 'nowa@firma.example',
            'phone': '+48 12 345 67 89',
            'password': DEMO_PASSWORD,
            'language': 'pl',
            })


# Bank reconciliation demo (module b2b_bank_import): the company's account
# at ING with its statement journal, the rules of the operations that are
# not customer payments, posted invoices of three customers and a month's
# MT940 statement of the account paying them (demo_statement_bytes). The
# invoices and the file come from the data below and the demo's date: the
# loader writes the file of its month (write_statement), and a test checks
# that docs/demo-statement.sta is the file of DOCS_STATEMENT_DATE.
BANK_NAME = "ING Bank Śląski S.A."
BANK_BIC = 'INGBPLPW'
STATEMENT_JOURNAL = "ING – rachunek bieżący"
STATEMENT_FILE = 'demo-statement.sta'
DOCS_STATEMENT_DATE = dt.date(2026, 12, 21)
OPENING_BALANCE = Decimal('48215.37')
# (sort code of the bank's branch, account number): the IBANs are computed
COMPANY_ACCOUNT = ('10501214', '1000009030127845')
COMPANY_SAVINGS = ('10501214', '1000009030127853')
# the customers' accounts (mBank, PKO BP) known to the shop (bank.account)
CUSTOMER_ACCOUNTS = {
    1: ('11402004', '0000350230781445'),
    4: ('10201026', '0000122201934567'),
    }
# accounts the shop does not know: a customer's (Pekao) and the private
# account of a customer's owner (Santander)
HOTEL_ACCOUNT = ('12401037', '1111001078452211')
PRIVATE_ACCOUNT = ('10901014', '0000000154237791')
# the individual accounts of the company at ZUS (NRS) and at the tax
# office (mikrorachunek podatkowy): branch and the NIP in the number
ZUS_BRANCH = '60000002'
TAX_BRANCH = '10100071'
# (customer number in CUSTOMERS, day of the month, [(category, item,
# quantity, unit price)]), in the order of their numbers
DEMO_INVOICES = [
    (1, 1, [
            ("Spożywcze", "Mąka pszenna typ 450", 100, '3.05'),
            ("Spożywcze", "Cukier biały", 80, '4.35'),
            ("Napoje", "Sok jabłkowy 100% 1 l", 48, '4.60'),
            ]),
    (4, 2, [
            ("Gastronomia", "Serwetki gastronomiczne, 500 szt.", 20, '11.90'),
            ("Gastronomia", "Folia spożywcza 30 cm", 10, '22.90'),
            ]),
    (1, 3, [
            ("Słodycze i przekąski", "Czekolada mleczna 100 g", 96, '3.95'),
            ("Słodycze i przekąski", "Wafelki kakaowe 200 g", 48, '5.50'),
            ]),
    (1, 3, [
            ("Kawa i herbata", "Kawa mielona 500 g", 24, '22.90'),
            ("Kawa i herbata", "Herbata czarna ekspresowa 100 torebek", 12,
                '13.70'),
            ]),
    (5, 5, [
            ("Higiena", "Ręczniki papierowe ZZ 4000 szt.", 20, '72.50'),
            ("Higiena", "Mydło w płynie", 40, '6.30'),
            ("Chemia gospodarcza", "Kapsułki do zmywarki 100 szt.", 10,
                '45.90'),
            ]),
    (4, 6, [
            ("Spożywcze", "Olej rzepakowy", 60, '9.20'),
            ("Spożywcze", "Ryż długoziarnisty", 50, '6.40'),
            ]),
    (1, 8, [
            ("Chemia gospodarcza", "Płyn do mycia naczyń", 30, '3.90'),
            ("Higiena", "Papier toaletowy 8 rolek", 40, '12.80'),
            ]),
    (4, 9, [
            ("Kawa i herbata", "Kawa ziarnista", 10, '64.90'),
            ("Napoje", "Woda mineralna niegazowana 1,5 l", 120, '1.65'),
            ]),
    ]
# (name, description, amount low, amount high, account key): the operations
# of the bank that are not customers' payments, in the order they are tried
STATEMENT_RULES = [
    ("Składki ZUS",
        r'(?i)\bZUS\b|ZAK[ŁL]AD UBEZPIECZE[ŃN]|\bSK[ŁL]ADK[IA]\b',
        None, Decimal(0), 'zus'),
    ("Przelew do urzędu skarbowego",
        r'(?i)URZ[ĄA]D SKARBOWY|/TI/|\bVAT-?7|\bJPK|\bPIT-?4R?\b'
        r'|\bCIT(-?8)?\b|MIKRORACHUNEK',
        None, Decimal(0), 'tax_office'),
    ("Opłaty i prowizje bankowe",
        r'(?i)\bOP[ŁL]ATA|\bOP[ŁL]\.|\bPROWIZJ|\bPROWIZ\.',
        None, Decimal(0), 'bank_fees'),
    ("Odsetki bankowe",
        r'(?i)\bODSET(KI|EK)\b|KAPITALIZACJA',
        Decimal(0), None, 'interest'),
    ("Przelew między rachunkami własnymi",
        r'(?i)PRZELEW W[ŁL]ASNY|PRZEKSI[ĘE]GOWANIE'
        r'|MI[ĘE]DZY RACHUNKAMI W[ŁL]ASNYMI',
        None, None, 'in_transit'),
    ]
# the codes of those accounts in the demo chart (_create_accounting)
RULE_ACCOUNTS = {'zus': '229', 'tax_office': '225', 'bank_fees': '751',
    'interest': '750', 'in_transit': '141'}

# the bank's reference of an operation: its date and number in the file
OPERATION_REFERENCE = '%s%08d'


def pl_iban(sort_code, number):
    "Return the Polish IBAN of the branch's sort code and account number"
    bban = sort_code + number
    return 'PL' + stdnum_iban.calc_check_digits('PL00' + bban) + bban


def demo_company_nip():
    "Return the NIP of the demo company (the first draw of the demo's seed)"
    return random_nip(random.Random(SEED), set())


def demo_company_iban():
    return pl_iban(*COMPANY_ACCOUNT)


def _catalogue_item(category, item):
    "Return the code of the demo product of item (first brand) and its VAT"
    for index, (name, vat, items, _) in enumerate(CATALOGUE):
        if name == category:
            position = [i for i, *_ in items].index(item)
            number = index * PRODUCTS_PER_CATEGORY + position + 1
            return PRODUCT_CODE % number, 'vat8' if item in VAT8_ITEMS else vat
    raise KeyError(category)


def demo_invoices(today):
    """Return the demo invoices of the month of today: dicts of number,
    customer (name), date, lines [(product code, quantity, unit price)]
    and total; the days after today are today (an invoice is never
    dated after the demo's date, that would stop the numbering of today's
    invoices)"""
    rates = {key: rate for key, _, rate in TAXES}
    invoices = []
    for sequence, (customer, day, lines) in enumerate(DEMO_INVOICES, 1):
        bases = {}
        invoice_lines = []
        for category, item, quantity, price in lines:
            code, vat = _catalogue_item(category, item)
            price = Decimal(price)
            bases[vat] = bases.get(vat, 0) + (quantity * price).quantize(
                CENT)
            invoice_lines.append((code, quantity, price))
        # taxes rounded per invoice and rate, as Tryton does by default
        total = sum(base + (base * rates[vat]).quantize(CENT)
            for vat, base in bases.items())
        invoices.append({
                'number': 'FV/%d/%02d/%04d' % (
                    today.year, today.month, sequence),
                'customer': CUSTOMERS[customer - 1],
                'customer_number': customer,
                'date': today.replace(day=min(day, today.day)),
                'lines': invoice_lines,
                'total': total,
                })
    return invoices


def demo_operations(today):
    """Return the operations of the demo statement of the month of today,
    in the order of the file: dicts of date, amount, title, name, address,
    account, code (of the bank), operation (the bank's text), expected
    (what the import and the rules should do with it)"""
    invoices = demo_invoices(today)
    number = {n: i['number'] for n, i in enumerate(invoices, 1)}
    total = {n: i['total'] for n, i in enumerate(invoices, 1)}
    previous = (today.replace(day=1) - dt.timedelta(days=1))
    period = '%02d/%d' % (previous.month, previous.year)
    nip = demo_company_nip()

    def customer(n):
        name = CUSTOMERS[n - 1]
        city, _ = CITIES[(n - 1) % len(CITIES)]
        return {'name': name.upper(), 'address': city.upper()}

    def received(day, amount, title, payer, account, expected):
        return {'day': day, 'amount': amount, 'title': title,
            'account': account, 'code': '020',
            'operation': "IBCG PRZELEW PRZYCHODZĄCY", 'expected': expected,
            **payer}

    def sent(day, amount, title, name, address, account, expected):
        return {'day': day, 'amount': -amount, 'title': title,
            'account': account, 'code': '020', 'name': name,
            'address': address, 'operation': "IBCG PRZELEW WYCHODZĄCY",
            'expected': expected}

    def bank(day, amount, code, operation, title, expected):
        return {'day': day, 'amount': amount, 'title': title,
            'account': '', 'code': code, 'name': "ING BANK ŚLĄSKI S.A.",
            'address': "KATOWICE", 'operation': operation,
            'expected': expected}

    def rule(key):
        name, = [r[0] for r in STATEMENT_RULES if r[-1] == key]
        return f"rule {name}: account {RULE_ACCOUNTS[key]}"

    known = {n: pl_iban(*a) for n, a in CUSTOMER_ACCOUNTS.items()}
    # the payer rounded up to the next hundred
    overpaid = ((total[6] / 100).to_integral_value(
            rounding=ROUND_CEILING) * 100).quantize(CENT)
    operations = [
        received(4, total[1], f"Zapłata za fakturę {number[1]}",
            customer(1), known[1],
            f"matched: {number[1]} paid in full"),
        received(5, total[2], f"FAKTURA VAT {number[2]}",
            customer(4), known[4],
            f"matched: {number[2]} paid in full"),
        received(7, total[3] + total[4],
            f"Faktury {number[3]} i {number[4]}",
            customer(1), known[1],
            f"matched: {number[3]} and {number[4]} paid in full"),
        received(8, Decimal('1500.00'),
            f"Częściowa wpłata do {number[5]}",
            customer(5), pl_iban(*HOTEL_ACCOUNT),
            f"matched: {number[5]} paid in part (payer known by name)"),
        received(10, overpaid, f"Zapłata {number[6]}",
            customer(4), known[4],
            f"matched: {number[6]} paid, {overpaid - total[6]} left as "
            "the company's credit"),
        sent(10, Decimal('6842.17'), f"Składki ZUS za {period}",
            "ZAKŁAD UBEZPIECZEŃ SPOŁECZNYCH", "WARSZAWA",
            pl_iban(ZUS_BRANCH, '026' + nip.zfill(13)),
            rule('zus')),
        received(12, total[7], "Przelew za towar",
            customer(1), known[1],
            f"matched: {number[7]}, the payer known by its account, "
            "the only open invoice of this amount"),
        received(14, total[8], "Za towar dla restauracji Stary Młyn",
            {'name': "PIOTR MAZUR", 'address': "UL. DŁUGA 5 RADOM"},
            pl_iban(*PRIVATE_ACCOUNT),
            f"to review: unknown payer, no invoice named; assign it to "
            f"{CUSTOMERS[3]} ({number[8]})"),
        sent(15, Decimal('4812.00'),
            f"/TI/N{nip}/OKR/{previous:%y}M{previous.month:02d}/SFP/VAT-7"
            f"/TXT/JPK_V7M {period}",
            "URZĄD SKARBOWY WARSZAWA-MOKOTÓW", "UL. WIŚNIOWA 73 WARSZAWA",
            pl_iban(TAX_BRANCH, '222' + nip.zfill(13)),
            rule('tax_office')),
        sent(16, Decimal('15000.00'), "PRZELEW WŁASNY NA LOKATĘ",
            COMPANY_NAME.upper(), "WARSZAWA", pl_iban(*COMPANY_SAVINGS),
            rule('in_transit')),
        bank(19, Decimal('-38.50'), '073', "MD02OPŁATA ZA PROWADZENIE "
            "RACHUNKU", f"Opłata za prowadzenie rachunku {period}",
            rule('bank_fees')),
        bank(20, Decimal('2.37'), '082', "KA01KAPITALIZACJA ODSETEK",
            "Kapitalizacja odsetek", rule('interest')),
        ]
    for operation in operations:
        operation['date'] = today.replace(
            day=min(operation.pop('day'), today.day))
    return operations


def _mt940_amount(amount):
    return str(abs(amount)).replace('.', ',')


def _mt940_lines(tag, text, width=65):
    """The lines of a field as ING writes them: 65 characters each, the
    text cut anywhere (also inside a ~NN marker)"""
    text = f':{tag}:{text}'
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    for line in lines[1:]:
        # a continuation line must not read as a field or the end
        if line.strip() == '-' or re.match(
                r':(\d{2}[A-Z]?|NS):', line.lstrip()):
            raise ValueError(f"MT940 line reads as a field: {line!r}")
    return lines


def demo_statement_bytes(today):
    """Return the MT940 file (ING Bank Śląski: `~NN` subfields, CP852,
    CRLF) of the demo company's account for the month of today: the
    operations of demo_operations(today) after the opening balance of the
    first day of the month"""
    operations = demo_operations(today)
    first = today.replace(day=1)
    closing = OPENING_BALANCE + sum(o['amount'] for o in operations)
    last = max(o['date'] for o in operations)
    rows = [':20:MT940', ':25:/' + demo_company_iban(),
        ':28C:%05d' % today.month,
        ':60F:C%sPLN%s' % (first.strftime('%y%m%d'),
            _mt940_amount(OPENING_BALANCE))]
    for n, operation in enumerate(operations, 1):
        date = operation['date']
        amount = operation['amount']
        code = operation['code']
        rows.append(':61:%s%s%s%sS%s%s' % (date.strftime('%y%m%d'),
                date.strftime('%m%d'), 'C' if amount > 0 else 'D',
                _mt940_amount(amount), code,
                OPERATION_REFERENCE % (date.strftime('%y%m%d'), n)))
        title = operation['title']
        # the title in lines of 27 characters, the name of 35
        details = ''.join('~%d%s' % (20 + i, title[c:c + 27])
            for i, c in enumerate(range(0, len(title), 27)))
        account = operation['account']
        if account:
            nrb = account[2:]
            details += f'~29{nrb}~30{nrb[2:10]}~31{nrb[10:]}'
        # the name, then the address after a space (as ING writes it)
        details += '~32%s~33 %s~34%s' % (operation['name'][:35],
            operation['address'][:34], code)
        if account:
            details += '~38' + account
        rows.append(f':86:{code}')
        rows.extend(_mt940_lines(
                '86', f"{code}~00{operation['operation']}{details}"))
    balance = '%s%sPLN%s' % ('C' if closing >= 0 else 'D',
        last.strftime('%y%m%d'), _mt940_amount(closing))
    rows += [':62F:' + balance, ':64:' + balance, '-', '']
    return '\r\n'.join(rows).encode('cp852')


def write_statement(path, today):
    "Write the demo statement of the month of today to path"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(demo_statement_bytes(today))
    return path


def _create_bank_demo(company, accounts, terms, today):
    """The bank reconciliation demo (module b2b_bank_import): the company's
    accounts at ING, the statement journal, the rules and the posted
    invoices that the demo statement pays. Return the demo's date, or None
    when b2b_bank_import is not activated"""
    pool = Pool()
    try:
        Rule = pool.get('account.statement.rule')
        StatementJournal = pool.get('account.statement.journal')
    except KeyError:
        return None
    Party = pool.get('party.party')
    Bank = pool.get('bank')
    BankAccount = pool.get('bank.account')
    Journal = pool.get('account.journal')

    nip = demo_company_nip()
    if re.sub(r'\D', '', company.party.tax_identifier.code) != nip:
        raise ValueError(f"the demo company's NIP is not {nip}: "
            "demo_company_nip() must follow _create_company")
    bank_party, = Party.create([{
                'name': BANK_NAME,
                'lang': _get_lang(),
                'addresses': [('create', [{
                                'street': "ul. Sokolska 34",
                                'postal_code': '40-086',
                                'city': "Katowice",
                                'country': _get_country().id,
                                }])],
                }])
    bank, = Bank.create([{'party': bank_party.id, 'bic': BANK_BIC}])
    parties = {p.name: p for p in Party.search([
                ('name', 'in', [CUSTOMERS[n - 1]
                        for n in CUSTOMER_ACCOUNTS]),
                ])}
    current, *_ = BankAccount.create([{
                'bank': bank.id,
                'owners': [('add', [company.party.id])],
                'currency': company.currency.id,
                'numbers': [('create', [{
                                'type': 'iban',
                                'number': pl_iban(*account),
                                }])],
                } for account in [COMPANY_ACCOUNT, COMPANY_SAVINGS]] + [{
                'owners': [('add', [parties[CUSTOMERS[number - 1]].id])],
                'numbers': [('create', [{
                                'type': 'iban',
                                'number': pl_iban(*account),
                                }])],
                } for number, account in CUSTOMER_ACCOUNTS.items()])
    journal, = Journal.create([{
                'name': "Wyciągi bankowe ING",
                'code': 'ING',
                'type': 'statement',
                }])
    StatementJournal.create([{
                'name': STATEMENT_JOURNAL,
                'journal': journal.id,
                'currency': company.currency.id,
                'company': company.id,
                'account': accounts['bank'].id,
                'bank_account': current.id,
                'validation': 'balance',
                }])
    Rule.create([{
                'name': name,
                'sequence': 10 * sequence,
                'company': company.id,
                'description': description,
                'amount_low': low,
                'amount_high': high,
                'lines': [('create', [{
                                'amount': 'pending',
                                'account': accounts[key].id,
                                }])],
                } for sequence, (name, description, low, high, key)
            in enumerate(STATEMENT_RULES, 1)])
    _create_demo_invoices(company, terms, today)
    return today


def _create_demo_invoices(company, terms, today):
    "Post the demo invoices of demo_invoices(today), checking their numbers"
    pool = Pool()
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    Journal = pool.get('account.journal')

    planned = demo_invoices(today)
    parties = {p.name: p for p in Party.search([
                ('name', 'in', list({i['customer'] for i in planned})),
                ])}
    products = {p.code: p for p in Product.search([
                ('code', 'in', list({c for i in planned
                            for c, *_ in i['lines']})),
                ])}
    journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    invoices = []
    for values in planned:
        invoice = Invoice(type='out', company=company,
            party=parties[values['customer']], journal=journal,
            currency=company.currency, invoice_date=values['date'])
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.payment_term = terms['14days']
        lines = []
        for code, quantity, price in values['lines']:
            line = Line(invoice=invoice, type='line', company=company,
                currency=company.currency, product=products[code],
                quantity=quantity)
            line.on_change_product()
            line.unit_price = price
            lines.append(line)
        invoice.lines = lines
        invoices.append(invoice)
    Invoice.save(invoices)
    Invoice.post(invoices)
    for invoice, values in zip(invoices, planned):
        if (invoice.number, invoice.total_amount) != (
                values['number'], values['total']):
            raise ValueError(f"demo invoice {invoice.number} "
                f"{invoice.total_amount} is not {values['number']} "
                f"{values['total']}: the statement would not pay it")


LARGE_KINDS = [
    "Sklep", "Hurtownia", "Market", "Delikatesy", "Drogeria", "Restauracja",
    "Hotel", "Biuro", "Warsztat", "Piekarnia", "Kawiarnia", "Apteka",
    "Pensjonat", "Catering", "Zakład Usługowy", "Przedsiębiorstwo Handlowe",
    ]
LARGE_FORMS = ["Sp. z o.o.", "Sp. j.", "s.c.", "S.A.", ""]


def _load_large(database, extras, progress):
    "Load the large data set on top of the small one, resuming if stopped"
    start = time.monotonic()
    context = {'company': _run(database, extras, _demo_company_id)}
    message(f"Loading the large demo data into {database}…", progress)
    setup = _run(database, extras, _large_setup, context=context)

    done = _run(database, extras, _count_large_products, context=context)
    bar = Progress("Products", LARGE_PRODUCTS, progress)
    bar.update(done)
    for first in range(done, LARGE_PRODUCTS, BATCH):
        last = min(first + BATCH, LARGE_PRODUCTS)
        _run(database, extras, _insert_large_products, setup, first, last,
            context=context)
        bar.update(last)
    bar.close()

    _run(database, extras, _create_large_groups, setup, context=context)

    done = _run(database, extras, _count_large_companies, context=context)
    bar = Progress("Customer companies", LARGE_COMPANIES, progress)
    bar.update(done)
    for first in range(done, LARGE_COMPANIES, BATCH):
        last = min(first + BATCH, LARGE_COMPANIES)
        _run(database, extras, _create_large_companies, first, last,
            context=context)
        bar.update(last)
    bar.close()
    if backend.name == 'postgresql':
        # fresh statistics for the query planner of the benchmarks
        _run(database, extras, _analyze)
    message("Large demo data loaded in %.1f s." % (
            time.monotonic() - start), progress)


def _analyze():
    Transaction().connection.cursor().execute('ANALYZE')


def _large_setup():
    """Create the subcategories of the large products and return the ids
    that the large set uses"""
    pool = Pool()
    Category = pool.get('product.category')
    Uom = pool.get('product.uom')
    ModelData = pool.get('ir.model.data')

    subcategories = {}
    for name, *_ in CATALOGUE:
        parent, = Category.search([
                ('name', '=', name),
                ('parent', '=', None),
                ('accounting', '=', False),
                ], limit=1)
        names = [f"{name} — grupa {letter}" for letter in LARGE_SUBCATEGORIES]
        existing = {c.name: c.id for c in Category.search([
                    ('parent', '=', parent.id),
                    ('name', 'in', names),
                    ])}
        missing = [n for n in names if n not in existing]
        if missing:
            existing.update((c.name, c.id) for c in Category.create([
                        {'name': n, 'parent': parent.id} for n in missing]))
        subcategories[name] = {
            'parent': parent.id,
            'children': [existing[n] for n in names],
            }
    account_categories = {}
    for key, name in ACCOUNT_CATEGORIES.items():
        category, = Category.search([
                ('name', '=', name),
                ('accounting', '=', True),
                ], limit=1)
        account_categories[key] = category.id
    unit_category = Uom(ModelData.get_id('product', 'uom_unit')).category
    box, = Uom.search([
            ('name', '=', "Karton"),
            ('category', '=', unit_category.id),
            ], limit=1)
    return {
        'categories': subcategories,
        'account_categories': account_categories,
        'units': {
            'unit': ModelData.get_id('product', 'uom_unit'),
            'kg': ModelData.get_id('product', 'uom_kilogram'),
            'l': ModelData.get_id('product', 'uom_liter'),
            'box': box.id,
            },
        }


def _count_large_products():
    "Return how many large products exist (they are created in order)"
    pool = Pool()
    Template = pool.get('product.template')
    templates = Template.search([
            ('code', 'like', LARGE_PRODUCT_CODE.split('%')[0] + '%'),
            ], order=[('code', 'DESC')], limit=1)
    if not templates:
        return 0
    return int(templates[0].code.split('-')[1])


def _large_product(index, setup):
    "Return the values of the large product index (from 0)"
    rng = random.Random(SEED + index)
    category, vat, items, brands = CATALOGUE[index % len(CATALOGUE)]
    rank = index // len(CATALOGUE)
    item, unit, price = items[rank % len(items)]
    brand, factor = brands[rank // len(items) % len(brands)]
    series = index // (len(CATALOGUE) * len(items) * len(brands)) + 1
    list_price = (Decimal(price) * Decimal(factor)
        * Decimal(str(rng.uniform(0.8, 1.25)))).quantize(CENT)
    cost_price = (list_price * Decimal(str(rng.uniform(0.55, 0.75)))
        ).quantize(CENT)
    tax = 'vat8' if item in VAT8_ITEMS else vat
    children = setup['categories'][category]['children']
    return {
        'rules': _selling_rules(category, item, unit, rank),
        'code': LARGE_PRODUCT_CODE % (index + 1),
        'name': f"{item} — {brand}, seria {series}",
        'unit': setup['units'][unit],
        'category': children[rng.randrange(len(children))],
        'account_category': setup['account_categories'][tax],
        'list_price': list_price,
        'cost_price': cost_price,
        }


def _stored_fields(Model):
    "Return the names of the fields of Model stored in its table"
    return [n for n, f in Model._fields.items()
        if f.sql_type() and not isinstance(f, fields.Function)
        and n not in {
            'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}]


def _bulk_insert(Model, records, returning=None):
    """Insert the records (dictionaries of field values) into the table of
    Model as its create would: the other stored fields get their default,
    the creation user and date are set.
    Return the rows of the returning field names of the inserted records,
    in no particular order"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    table = Model.__table__()
    names = _stored_fields(Model)
    defaults = Model.default_get(names, with_rec_name=False)
    columns = [Column(table, n) for n in names]
    values = []
    for record in records:
        record = {**defaults, **record}
        values.append([Model._fields[n].sql_format(record.get(n))
                for n in names]
            + [transaction.user, CurrentTimestamp()])
    columns += [table.create_uid, table.create_date]
    if not returning:
        cursor.execute(*table.insert(columns, values))
        return []
    returned = [Column(table, n) for n in ['id'] + returning]
    if transaction.database.has_returning():
        cursor.execute(*table.insert(columns, values, returning=returned))
        return cursor.fetchall()
    # without RETURNING: the records are the newest of the table
    cursor.execute(*table.select(Max(table.id)))
    last_id, = cursor.fetchone()
    cursor.execute(*table.insert(columns, values))
    cursor.execute(*table.select(*returned,
            where=table.id > (last_id or 0)))
    return cursor.fetchall()


def _insert_large_products(setup, first, last):
    """Insert the large products first to last with SQL, as the ORM would
    create them: templates, variants, list and cost prices per company,
    cost price methods and categories"""
    pool = Pool()
    Template = pool.get('product.template')
    Product = pool.get('product.product')
    ListPrice = pool.get('product.list_price')
    CostPrice = pool.get('product.cost_price')
    CostPriceMethod = pool.get('product.cost_price_method')
    TemplateCategory = pool.get('product.template-product.category')

    company = Transaction().context['company']
    products = [_large_product(i, setup) for i in range(first, last)]
    by_code = {p['code']: p for p in products}
    templates = _bulk_insert(Template, [{
                'name': p['name'],
                'code': p['code'],
                'type': 'goods',
                'default_uom': p['unit'],
                'salable': True,
                'sale_uom': p['unit'],
                'account_category': p['account_category'],
                **p['rules'],
                } for p in products], returning=['code'])
    for template_id, code in templates:
        by_code[code]['template'] = template_id
    variants = _bulk_insert(Product, [{
                'template': p['template'],
                'code': p['code'],
                } for p in products], returning=['template'])
    by_template = {p['template']: p for p in products}
    for product_id, template_id in variants:
        by_template[template_id]['product'] = product_id
    _bulk_insert(ListPrice, [{
                'company': company,
                'template': p['template'],
                'list_price': p['list_price'],
                } for p in products])
    _bulk_insert(CostPrice, [{
                'company': company,
                'product': p['product'],
                'cost_price': p['cost_price'],
                } for p in products])
    method = Template.default_cost_price_method(company=company)
    _bulk_insert(CostPriceMethod, [{
                'company': company,
                'template': p['template'],
                'cost_price_method': method,
                } for p in products])
    _bulk_insert(TemplateCategory, [{
                'template': p['template'],
                'category': p['category'],
                } for p in products])


def _create_large_groups(setup):
    """Create the customer groups G01… with their price lists: category
    lines, quantity breaks, product lines and a default line"""
    pool = Pool()
    Group = pool.get('b2b.customer.group')
    PriceList = pool.get('product.price_list')
    PaymentMethod = pool.get('b2b.payment.method')
    Carrier = pool.get('carrier')
    Product = pool.get('product.product')

    company = Transaction().context['company']
    codes = [LARGE_GROUP_CODE % (n + 1) for n in range(LARGE_PRICE_LISTS)]
    existing = {g.code for g in Group.search([('code', 'in', codes)])}
    methods = PaymentMethod.search([])
    carriers = Carrier.search([])
    categories = list(setup['categories'].values())
    product_codes = {}
    for number, code in enumerate(codes, 1):
        rng = random.Random(SEED + 1_000_000 + number)
        product_codes[code] = [
            LARGE_PRODUCT_CODE % rng.randint(1, LARGE_PRODUCTS)
            for _ in range(4)]
    products = {p.code: p.id for p in Product.search([
                ('code', 'in', sum(product_codes.values(), [])),
                ])}
    for number, code in enumerate(codes, 1):
        if code in existing:
            continue
        rng = random.Random(SEED + 1_000_000 + number)
        lines = []
        for product_code in product_codes[code]:
            lines.append({
                    'product': products[product_code],
                    'formula': "unit_price * Decimal('0.75')",
                    })
        for category in rng.sample(categories, 6):
            if rng.random() < 0.5:
                category_id = rng.choice(category['children'])
            else:
                category_id = category['parent']
            rate = rng.randrange(70, 95)
            lines.append({
                    'category': category_id,
                    'quantity': rng.choice([10, 24, 50, 100]),
                    'formula': f"unit_price * Decimal('0.{rate - 5}')",
                    })
            lines.append({
                    'category': category_id,
                    'formula': f"unit_price * Decimal('0.{rate}')",
                    })
        rate = rng.randrange(85, 99)
        lines.append({
                'quantity': 100,
                'formula': f"unit_price * Decimal('0.{rate - 4}')",
                })
        lines.append({
                'formula': f"unit_price * Decimal('0.{rate}')",
                })
        for sequence, line in enumerate(lines, 1):
            line['sequence'] = 10 * sequence
        price_list, = PriceList.create([{
                    'name': f"Cennik grupy {code}",
                    'company': company,
                    'price': 'list_price',
                    'lines': [('create', lines)],
                    }])
        Group.create([{
                    'name': f"Grupa cenowa {number:02d}",
                    'code': code,
                    'company': company,
                    'price_list': price_list.id,
                    'discount': Decimal(rng.randrange(0, 8)),
                    'payment_methods': [('add', [
                                m.id for m in rng.sample(methods,
                                    rng.randint(2, len(methods)))])],
                    'carriers': [('add', [
                                c.id for c in rng.sample(carriers,
                                    rng.randint(1, len(carriers)))])],
                    }])


def _large_groups():
    pool = Pool()
    Group = pool.get('b2b.customer.group')
    return Group.search([
            ('code', 'in', [LARGE_GROUP_CODE % (n + 1)
                    for n in range(LARGE_PRICE_LISTS)]),
            ], order=[('code', 'ASC')])


def _count_large_companies():
    "Return how many large companies exist (they are created in order)"
    pool = Pool()
    Party = pool.get('party.party')
    return Party.search_count([
            ('b2b_customer_group', 'in', [g.id for g in _large_groups()]),
            ])


def _create_large_companies(first, last):
    pool = Pool()
    Party = pool.get('party.party')

    groups = _large_groups()
    country = _get_country()
    lang = _get_lang()
    password_hash = _password_hash(DEMO_PASSWORD)
    values = []
    for index in range(first, last):
        rng = random.Random(SEED + 2_000_000 + index)
        number = index + 1
        city, prefix = rng.choice(CITIES)
        name = " ".join(filter(None, [
                    rng.choice(LARGE_KINDS), rng.choice(LAST_NAMES),
                    f"{number:05d}", rng.choice(LARGE_FORMS)]))
        values.append({
                'name': name,
                'lang': lang,
                'b2b_customer': True,
                'b2b_status': 'active',
                'b2b_customer_group': groups[index % len(groups)].id,
                'identifiers': [('create', [
                                tax_identifier(large_nip(number))])],
                'addresses': [('create', [{
                                'street': street(rng),
                                'postal_code': postal_code(rng, prefix),
                                'city': city,
                                'country': country.id,
                                'invoice': True,
                                'delivery': True,
                                }])],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'biuro@firma-l{number:05d}.example',
                                }])],
                'b2b_accounts': [('create', [{
                                'email': LARGE_EMAIL % number,
                                'password_hash': password_hash,
                                'email_valid': True,
                                'b2b_role': 'admin',
                                }])],
                })
    size = _orm_batch(len(values))
    for start in range(0, len(values), size):
        Party.create(values[start:start + size])
