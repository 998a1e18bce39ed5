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
