# This file is part of the B2B wholesale suite.
"""The trytond configuration used by the `b2b` command.

trytond applies the TRYTOND_<SECTION>__<OPTION> environment variables
*before* it reads the configuration file, so a value in the file wins over
the environment. The `b2b` command wants the opposite (the file holds the
demo defaults, the environment overrides them) and wants the relative paths
of the file to mean "relative to the file", not "relative to the current
directory". So it reads the file, resolves its paths, lays the environment
over it and hands trytond the merged result as a temporary file."""
import configparser
import contextlib
import os
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / 'trytond.conf'
# options holding a path, resolved relative to the configuration file
PATH_OPTIONS = [
    ('database', 'path'), ('web', 'root'), ('password', 'forbidden')]


def config_file():
    "Return the configuration file: $TRYTOND_CONFIG or the repository's"
    return Path(os.environ.get('TRYTOND_CONFIG') or DEFAULT_CONFIG).resolve()


def environ_options(environ=None):
    "Yield (section, option, value) set by TRYTOND_* variables"
    environ = os.environ if environ is None else environ
    if (environ.get('TRYTOND_DATABASE_URI')
            and not environ.get('TRYTOND_DATABASE__URI')):
        yield 'database', 'uri', environ['TRYTOND_DATABASE_URI']
    for key, value in environ.items():
        if not key.startswith('TRYTOND_') or '__' not in key:
            continue
        section, option = key[len('TRYTOND_'):].lower().split('__', 1)
        if section.startswith('wsgi_'):
            section = section.replace('wsgi_', 'wsgi ')
        yield section, option, value


def load(path=None, environ=None):
    """Return the merged configuration as a ConfigParser:
    the file (paths resolved against its directory), then the environment
    (paths resolved against the current directory)"""
    path = Path(path) if path else config_file()
    if not path.is_file():
        raise FileNotFoundError(f"Configuration file {path} not found")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding='utf-8')
    for section, option in PATH_OPTIONS:
        if parser.has_option(section, option):
            value = Path(parser.get(section, option)).expanduser()
            parser.set(section, option, str(path.parent / value))
    for section, option, value in environ_options(environ):
        if (section, option) in PATH_OPTIONS:
            value = str(Path(value).expanduser().absolute())
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, option, value)
    for section, option in PATH_OPTIONS:
        if parser.has_option(section, option):
            value = os.path.normpath(parser.get(section, option))
            parser.set(section, option, value)
    if not parser.has_option('database', 'uri'):
        if not parser.has_section('database'):
            parser.add_section('database')
        parser.set('database', 'uri', 'sqlite://')
    return parser


@contextlib.contextmanager
def written(parser):
    "Write the configuration to a temporary file and yield its path"
    with tempfile.TemporaryDirectory(prefix='b2b-config-') as directory:
        path = Path(directory) / 'trytond.conf'
        with path.open('w', encoding='utf-8') as file:
            parser.write(file)
        yield path


def backend(parser):
    "Return the backend name of the database URI: sqlite or postgresql"
    return urllib.parse.urlsplit(parser.get('database', 'uri')).scheme


def safe_uri(uri):
    "Return the URI without its password, to print it"
    password = urllib.parse.urlsplit(uri).password
    if password:
        return uri.replace(f':{password}@', ':***@', 1)
    return uri
