# This file is part of the B2B wholesale suite.
"""Export the translation template of a Tryton module, or check a po file
against it.

The database must have the module activated (a throwaway SQLite database is
enough).  Nothing is committed to it.  Example:

    mkdir -p /tmp/po && touch /tmp/po/potmp.sqlite
    printf 'admin\\n' > /tmp/po/pass
    export TRYTOND_DATABASE__URI=sqlite:// TRYTOND_DATABASE__PATH=/tmp/po
    TRYTONPASSFILE=/tmp/po/pass trytond-admin -d potmp -u b2b_base \\
        --activate-dependencies --email admin@example.com
    python -m b2b_suite.po_export -d potmp -m b2b_base -l pl \\
        -o /tmp/po/b2b_base.pot
    python -m b2b_suite.po_export -d potmp -m b2b_base -l pl \\
        --check modules/b2b_base/locale/pl.po

Run ``trytond-admin -d potmp -u b2b_base`` again after the module changed.
"""
import argparse
import sys


def export(database, module, lang, template=True):
    """Return the po file (bytes) of the module's translatable strings in
    lang; with template the msgstr are left empty"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(database).init()
    with Transaction().start(database, 0, readonly=False) as transaction:
        try:
            pool = Pool()
            Lang = pool.get('ir.lang')
            Translation = pool.get('ir.translation')
            for name, state, values in [
                    ('ir.translation.set', 'set_', {}),
                    ('ir.translation.clean', 'clean', {}),
                    ('ir.translation.update', 'update', None),
                    ]:
                Wizard = pool.get(name, type='wizard')
                if values is None:
                    language, = Lang.search([('code', '=', lang)])
                    values = {'start': {'language': language.id}}
                session_id, _, _ = Wizard.create()
                Wizard.execute(session_id, values, state)
                Wizard.delete(session_id)
            if template:
                translations = Translation.search([
                        ('lang', '=', lang),
                        ('module', '=', module),
                        ])
                Translation.write(translations, {
                        'value': '',
                        'value_1': None,
                        'value_2': None,
                        'value_3': None,
                        'fuzzy': False,
                        })
            content = Translation.translation_export(lang, module)
        finally:
            transaction.rollback()
    return content or b''


def _entries(pofile):
    return {(e.msgctxt, e.msgid): e for e in pofile if not e.obsolete}


def check(template, path):
    """Return the problems of the po file at path compared to the template
    (bytes): missing, unknown, untranslated and fuzzy entries and python
    placeholders that differ"""
    import re

    import polib

    placeholder = re.compile(r'%\([^)]*\)[a-z]|%%|%[a-z]')
    expected = _entries(polib.pofile(template.decode('utf-8')))
    actual = _entries(polib.pofile(path))
    problems = []
    for key in sorted(expected.keys() - actual.keys()):
        problems.append('missing: %s %r' % key)
    for key in sorted(actual.keys() - expected.keys()):
        problems.append('unknown: %s %r' % key)
    for key in sorted(expected.keys() & actual.keys()):
        entry = actual[key]
        if not entry.msgstr:
            problems.append('untranslated: %s %r' % key)
        elif 'fuzzy' in entry.flags:
            problems.append('fuzzy: %s %r' % key)
        elif (sorted(placeholder.findall(entry.msgid))
                != sorted(placeholder.findall(entry.msgstr))):
            problems.append('placeholders differ: %s %r' % key)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', help="trytond configuration file")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('-m', '--module', required=True)
    parser.add_argument('-l', '--language', default='pl')
    parser.add_argument('-o', '--output',
        help="file to write the template to (default: standard output)")
    parser.add_argument('--keep', action='store_true',
        help="keep the translations loaded in the database as msgstr")
    parser.add_argument('--check', metavar='PO',
        help="compare this po file with the template instead of exporting")
    options = parser.parse_args(argv)

    from trytond import config
    config.update_etc(options.config)

    content = export(options.database, options.module, options.language,
        template=not options.keep)
    if options.check:
        problems = check(content, options.check)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    if options.output:
        with open(options.output, 'wb') as fp:
            fp.write(content)
    else:
        sys.stdout.buffer.write(content)
    return 0


if __name__ == '__main__':
    sys.exit(main())
