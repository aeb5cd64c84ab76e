"""A learner who chose any interface language reads no English interface string: every message
of the public templates and of the modules that word values for learners has a translation in
each language. (tests/catalogue/test_every_page_translated.py checks the rendered pages.)"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import trans_real
from django.utils.translation.template import templatize

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PUBLIC_TEMPLATES = [
    *sorted((TEMPLATES / "catalogue").glob("*.html")),
    *sorted((TEMPLATES / "recognition").glob("*.html")),
    TEMPLATES / "base.html",
]
LEARNER_MODULES = [
    Path(settings.BASE_DIR) / name
    for name in ("catalogue/learner.py", "recognition/conditions.py", "catalogue/filters.py")
]
GETTEXT_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)")
LITERAL = re.compile(r"u'(?:[^'\\]|\\.)*'")
PY_GETTEXT = {
    "_": "gettext",
    "gettext": "gettext",
    "gettext_lazy": "gettext",
    "ngettext": "ngettext",
    "ngettext_lazy": "ngettext",
    "pgettext": "pgettext",
    "pgettext_lazy": "pgettext",
}


def _message(function: str, strings: list[str]) -> tuple[str, str]:
    """(context, msgid) of a call: ngettext's first string is the msgid."""
    if function.startswith("np") or function == "pgettext":
        return strings[0], strings[1]
    return "", strings[0]


def template_messages(path: Path):
    for match in GETTEXT_CALL.finditer(templatize(path.read_text(), origin=str(path))):
        strings = [ast.literal_eval(literal) for literal in LITERAL.findall(match.group(2))]
        yield _message(match.group(1), strings)


def module_messages(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in PY_GETTEXT
            and node.args
            and all(isinstance(arg, ast.Constant) for arg in node.args[:2])
        ):
            strings = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            yield _message(PY_GETTEXT[node.func.id], strings)


def untranslated(messages, catalog) -> list[str]:
    missing = []
    for context, msgid in messages:
        key = f"{context}\x04{msgid}" if context else msgid
        if key not in catalog and (key, 0) not in catalog:
            missing.append(msgid)
    return missing


@pytest.fixture(
    scope="module",
    params=[code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
)
def catalog(request):
    return trans_real.translation(request.param)._catalog


@pytest.fixture(scope="module")
def italian():
    return trans_real.translation("it")._catalog


@pytest.mark.parametrize("path", PUBLIC_TEMPLATES, ids=lambda path: path.name)
def test_public_template_is_translated(path, catalog):
    assert untranslated(template_messages(path), catalog) == []


@pytest.mark.parametrize("path", LEARNER_MODULES, ids=lambda path: path.name)
def test_learner_wording_is_translated(path, catalog):
    assert untranslated(module_messages(path), catalog) == []


def test_the_check_notices_a_missing_translation(tmp_path, italian):
    template = tmp_path / "new.html"
    template.write_text('{% load i18n %}{% translate "A string nobody translated yet" %}')
    assert untranslated(template_messages(template), italian) == ["A string nobody translated yet"]
