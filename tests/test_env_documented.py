"""Every environment variable the code reads is documented: in .env.example and in the README's table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r"""(?:env_str|env_int|env_bool|env_list|os\.environ\.get|os\.getenv|os\.environ\[)"""
                   r"""\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
NAMED = re.compile(r"""^[A-Z_]+_ENV\s*=\s*["']([A-Z][A-Z0-9_]+)["']""", re.M)  # a name kept in a constant
# Set by Python or the launcher for the processes it starts, not by whoever installs Satu Layar.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "SATULAYAR_DEMO_SEED", "SATULAYAR_DEMO_SERVER"}


def variables_read() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / "satulayar").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in READS.findall(text) + NAMED.findall(text):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_the_settings():
    found = variables_read()
    assert {"DATABASE_URL", "SECRET_KEY", "OUTBOUND_ALLOWED_NETWORKS", "CCTV_GRAB_TIMEOUT_S"} <= set(found)


def test_every_variable_read_is_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = {name: sorted(where) for name, where in variables_read().items()
               if name not in documented and name not in NOT_SETTINGS}
    assert not missing, f"read in code but not in .env.example: {missing}"


def test_every_variable_read_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = {name: sorted(where) for name, where in variables_read().items()
               if f"`{name}`" not in readme and name not in NOT_SETTINGS}
    assert not missing, f"read in code but not in the README's configuration table: {missing}"


def test_variables_are_read_in_settings_only():
    """Settings are read once, in settings.py; other modules read `django.conf.settings`."""
    allowed = {"satulayar/settings.py", "satulayar/env.py"}
    outside = {name: sorted(where - allowed) for name, where in variables_read().items()
               if where - allowed and name not in NOT_SETTINGS}
    assert not outside, f"read outside settings.py: {outside}"
