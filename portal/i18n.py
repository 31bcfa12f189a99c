# This file is part of the B2B wholesale suite.
"""Languages of the portal: Polish (default) and English.

The locale is the `lang` cookie set by the language switcher, else the
browser's Accept-Language, else Polish. Money, numbers and dates follow
the locale (Babel, by the modules' one way of writing them:
b2b_base.formats). The catalogs are .po files in translations/; their
.mo files are compiled at start when missing or older than the .po, so
that no binary is kept in git."""
import shutil
import tempfile
import unicodedata
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request
from flask_babel import Babel, get_locale

from b2b_base import formats

LANGUAGES = ['pl', 'en']
DEFAULT_LANGUAGE = 'pl'
LANGUAGE_NAMES = {'pl': "Polski", 'en': "English"}
COOKIE = 'lang'
TRANSLATIONS = Path(__file__).parent / 'translations'


def select_locale():
    "Return the language of the request"
    if request.cookies.get(COOKIE) in LANGUAGES:
        return request.cookies[COOKIE]
    return request.accept_languages.best_match(
        LANGUAGES, default=DEFAULT_LANGUAGE)


def language():
    "Return the code of the current language (for Tryton's context too)"
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def compile_catalogs(directory=TRANSLATIONS):
    """Compile each .po file of the directory to its .mo when the .mo is
    missing or older; return the paths compiled"""
    compiled = []
    for po_path in sorted(Path(directory).glob('*/LC_MESSAGES/*.po')):
        mo_path = po_path.with_suffix('.mo')
        if (mo_path.exists()
                and mo_path.stat().st_mtime >= po_path.stat().st_mtime):
            continue
        with po_path.open('rb') as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        # write to a temporary file first: several processes may start
        tmp_path = mo_path.with_suffix(f'.mo.{id(catalog)}.tmp')
        with tmp_path.open('wb') as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)
        compiled.append(mo_path)
    return compiled


def currency():
    """Return the ISO code of the currency of the amounts: the currency of
    the portal's company (PORTAL_CURRENCY, read at start)"""
    return current_app.config['PORTAL_CURRENCY']


def money(value, unit_price=False):
    """Format an amount in the company's currency in the current language
    with 2 decimals; a unit price below 1 keeps up to 4 (Tryton's price
    digits): 0,0725 zł a piece, but 68,91 zł (the modules' formats)"""
    return formats.money(value, currency(), language(),
        unit_price=unit_price)


def number(value):
    """Format a quantity as people write it: 0,25 in Polish, 0.25 in
    English, 50 (never 5E+1), 1 250 000"""
    return formats.number(value, language())


def date(value):
    "Format a date: 02.12.2026 in Polish, 2 Dec 2026 in English"
    return formats.date(value, language())


def address(record):
    """An address on one line in the current language: name, street,
    postal code and city, and the country by Babel's name (Tryton's
    full_address writes the country in capitals in the party's language)"""
    if not record:
        return ''
    parts = [record.party_name] if record.party_name else []
    parts += [line.strip() for line in (record.street or '').splitlines()
        if line.strip()]
    place = ' '.join(filter(None, [record.postal_code, record.city]))
    if place:
        parts.append(place)
    if record.country:
        names = Locale.parse(language()).territories
        parts.append(names.get(record.country.code, record.country.name))
    return ', '.join(parts)


def countries(records):
    """Return (code, name) of the country records sorted by their name in
    the current language (Babel's names of the territories, else the
    record's)"""
    names = Locale.parse(language()).territories
    pairs = [(c.code, names.get(c.code, c.name)) for c in records]
    return sorted(pairs, key=lambda pair: _name_key(pair[1]))


def _name_key(text):
    "A sort key of a name that ignores case and accents (Ś among the S)"
    return unicodedata.normalize('NFKD', text.casefold()).encode(
        'ascii', 'ignore').decode(), text


def _catalogs():
    """Return the directory of the compiled catalogs: translations/, or a
    temporary copy when the package is not writable (installed wheel)"""
    try:
        compile_catalogs(TRANSLATIONS)
        return TRANSLATIONS
    except OSError:
        target = Path(tempfile.mkdtemp(prefix='b2b-portal-i18n-'))
        shutil.copytree(TRANSLATIONS, target, dirs_exist_ok=True)
        compile_catalogs(target)
        return target


def init_app(app):
    app.config.setdefault('BABEL_DEFAULT_LOCALE', DEFAULT_LANGUAGE)
    app.config.setdefault('BABEL_TRANSLATION_DIRECTORIES', str(_catalogs()))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(money=money, number=number, date=date,
        address=address)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=language, currency=currency)


def extract():
    "Return the catalog of the texts of the portal's code and templates"
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    root = Path(__file__).parent
    catalog = Catalog(project="B2B Wholesale portal")
    method_map = [
        ('tests/**', 'ignore'),
        ('**.py', 'python'),
        ('templates/**.html', 'jinja2'),
        ]
    options_map = {'templates/**.html': {
            'extensions': 'jinja2.ext.i18n',
            'trimmed': 'false',
            }}
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map):
        catalog.add(message, None, [(filename, lineno)],
            auto_comments=comments, context=context)
    return catalog


def update(language='pl'):
    """Add the new texts of the code and templates to the language's .po
    (untranslated) and drop the ones no longer used"""
    from babel.messages.pofile import write_po
    po_path = TRANSLATIONS / language / 'LC_MESSAGES' / 'messages.po'
    template = extract()
    if po_path.exists():
        with po_path.open('rb') as po_file:
            catalog = read_po(po_file, locale=language)
        # the date stays, so that a run that finds nothing new changes nothing
        template.creation_date = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
    else:
        from babel.messages.catalog import Catalog
        catalog = Catalog(locale=language, project=template.project)
        catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open('wb') as po_file:
        write_po(po_file, catalog, width=79, include_lineno=False)
    return [m.id for m in catalog if m.id and not m.string]


if __name__ == '__main__':
    # python -m portal.i18n: refresh translations/pl/LC_MESSAGES/messages.po
    untranslated = update()
    print(f"{len(untranslated)} texts to translate")
