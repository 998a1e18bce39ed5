import re
from pathlib import Path

KVOTE = Path(__file__).resolve().parents[2]
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def _templates() -> list[Path]:
    return sorted(p for p in KVOTE.rglob("templates/**/*.html"))


def test_every_post_form_carries_a_csrf_token() -> None:
    missing = []
    for path in _templates():
        for form in POST_FORM.findall(path.read_text(encoding="utf-8")):
            if "{% csrf_token %}" not in form:
                missing.append(str(path.relative_to(KVOTE)))
    assert len(_templates()) > 10
    assert missing == []


def test_templates_load_no_script_or_style_from_another_host() -> None:
    offenders = [
        str(p.relative_to(KVOTE))
        for p in _templates()
        if re.search(r"(src|href)=\"(https?:)?//", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- Where a template lives (README, Layout) -----------------------------------------------------
# A page is <app>/templates/<app>/<page>.html and extends base.html; a piece other templates
# include is includes/<name>.html; a fragment an htmx endpoint answers with on its own is
# partials/<name>.html (pages may include it too); an email is email/<name>. The project's own
# templates/ holds base.html (and bare.html, the layout of a page drawn without a request), the
# error pages under the names Django's handlers look for, the shared includes/, and registration/
# (Django's auth names). An app's back-office pages are admin/<app>/<model>/<name>.html, where
# Django's admin looks for them.
NAME = re.compile(r"[a-z0-9][a-z0-9_]*\.(html|txt)")
PIECES = {"includes", "partials", "email"}
LAYOUTS = {"base.html", "bare.html"}
ERROR_PAGES = {"400.html", "403.html", "403_csrf.html", "404.html", "500.html"}


def _all_templates() -> list[Path]:
    return sorted(p for p in KVOTE.rglob("templates/**/*") if p.is_file())


def _kind(path: Path) -> str | None:
    """What the convention makes of a template's place, or None when it allows no such place."""
    parts = path.relative_to(KVOTE).parts
    if parts[0] == "templates":  # the project's own
        inner = parts[1:]
        if len(inner) == 1 and inner[0] in LAYOUTS:
            return "layout"
        if len(inner) == 1 and inner[0] in ERROR_PAGES:
            return "error"
        if len(inner) == 2 and inner[0] in ("includes", "registration"):
            return inner[0]
        return None
    app, *inner = parts
    if inner[:3] == ["templates", "admin", app] and len(inner) == 5:
        return "back office"  # Django's admin looks for admin/<app>/<model>/<name>.html
    if len(inner) < 3 or inner[:2] != ["templates", app]:  # each app's templates carry its name
        return None
    inner = inner[2:]
    if len(inner) == 1 and path.suffix == ".html":
        return "page"
    if len(inner) == 2 and inner[0] in PIECES:
        return inner[0]
    return None


def _name(path: Path) -> str:
    """A template's name as views and {% include %} give it."""
    parts = path.relative_to(KVOTE).parts
    return "/".join(parts[1:] if parts[0] == "templates" else parts[2:])


def _python_sources() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in KVOTE.rglob("*.py") if "tests" not in p.parts
    )


def test_every_template_sits_where_the_convention_puts_it() -> None:
    misplaced = [
        str(p.relative_to(KVOTE))
        for p in _all_templates()
        if _kind(p) is None or not NAME.fullmatch(p.name)
    ]
    assert len(_all_templates()) > 40
    assert misplaced == [], "see README, Layout: pages, includes/, partials/, email/; no _names"


def test_pages_extend_the_layout_and_pieces_do_not() -> None:
    sources = _python_sources()
    for path in _all_templates():
        kind, text = _kind(path), path.read_text(encoding="utf-8")
        name = _name(path)
        extends = "{% extends " in text
        if kind == "page":
            assert '{% extends "base.html" %}' in text, f"{name}: a page extends base.html"
        if kind in ("includes", "partials"):
            assert not extends, f"{name}: a piece of a page extends nothing"
        if kind == "partials":
            assert f'"{name}"' in sources, f"{name}: no view answers with it: move it to includes/"
        if kind == "includes":
            assert f'"{name}"' not in sources, f"{name}: a view answers with it: partials/"
