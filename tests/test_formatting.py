"""The one formatting module: the server's (core/formatting.py) and the browser's (static/satulayar/format.js) write
every number, count, minute and date the same way."""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from satulayar.core import formatting

FORMAT_JS = Path(__file__).resolve().parent.parent / "satulayar/core/static/satulayar/format.js"
NBSP = "\u00a0"

CASES = [  # (function, args, Indonesian, English)
    ("number", [1234.56, 1], "1.234,6", "1,234.6"),
    ("number", [1234567, 0], "1.234.567", "1,234,567"),
    ("number", [1.005, 2], "1,01", "1.01"),
    ("number", [-1234.5, 1], "-1.234,5", "-1,234.5"),
    ("number", [2641.0, 1, True], "2.641", "2,641"),
    ("number", [12.5, 1, True], "12,5", "12.5"),
    ("number", [None, 1], "–", "–"),
    ("count", [2641.0, "kunjungan"], f"2.641{NBSP}kunjungan", f"2,641{NBSP}kunjungan"),
    ("count", [95.0, "rit"], f"95{NBSP}rit", f"95{NBSP}rit"),
    ("minutes", [242], f"242{NBSP}mnt", f"242{NBSP}min"),
    ("percent", [98.75], f"98,8{NBSP}%", f"98.8{NBSP}%"),
    ("long_date", ["2018-01-02"], "Selasa, 2 Januari 2018", "Tuesday, 2 January 2018"),
]


def _python(name, args, lang):
    if name == "number":
        value, digits, *trim = args
        return formatting.number(value, digits, trim=bool(trim), lang=lang)
    if name == "long_date":
        return formatting.long_date(dt.date.fromisoformat(args[0]), lang=lang)
    return getattr(formatting, name)(*args, lang=lang)


@pytest.mark.parametrize(("name", "args", "indonesian", "english"), CASES)
def test_server_formats(name, args, indonesian, english):
    assert _python(name, args, "id") == indonesian
    assert _python(name, args, "en") == english


def test_template_filters_use_the_module():
    template = Template("{% load satulayar %}{{ a|ringkas }} {{ b|ringkas }} {{ c|jumlah:'kunjungan' }} "
                        "{{ d|menit }} {{ e|angka:1 }} {{ f|tanggal }}")
    with translation.override("id"):
        text = template.render(Context({"a": 2641.0, "b": 12.25, "c": 2641, "d": 242, "e": 98.75,
                                        "f": dt.date(2018, 1, 2)}))
    assert text == f"2.641 12,3 2.641{NBSP}kunjungan 242{NBSP}mnt 98,8 Selasa, 2 Januari 2018"


JS_CALLS = [  # the same cases as CASES, as format.js is called (L: the language option)
    "number(1234.56, 1, L)", "number(1234567, 0, L)", "number(1.005, 2, L)", "number(-1234.5, 1, L)",
    "number(2641.0, 1, Object.assign({trim: true}, L))", "number(12.5, 1, Object.assign({trim: true}, L))",
    "number(null, 1, L)", "count(2641.0, 'kunjungan', L)", "count(95.0, 'rit', L)", "minutes(242, L)",
    "percent(98.75, 1, L)", "longDate('2018-01-02', L)",
]


@pytest.mark.skipif(shutil.which("node") is None,
                    reason="Node is not installed here (.ci/run installs it): format.js needs it outside a browser")
def test_browser_formats_match_the_server():
    script = (f"const F = require({json.dumps(str(FORMAT_JS))}); const out = {{}};"
              "for (const lang of ['id', 'en']) { const L = {lang: lang}; out[lang] = ["
              + ", ".join(f"F.{call}" for call in JS_CALLS) + "]; } console.log(JSON.stringify(out));")
    result = json.loads(subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout)
    assert result["id"] == [case[2] for case in CASES]
    assert result["en"] == [case[3] for case in CASES]
