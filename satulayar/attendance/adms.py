"""The ZKTeco ADMS ("iclock") push protocol: reading what devices send and writing what they expect.

Pure functions without the database; the views feed them request text and `devices.py` acts on the
result. Field notes on the protocol: docs in shared/notes/adms-push-protocol.md.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _

SERVER_VERSION = "2.4.1"
SERIAL_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The first word of every command we let an admin queue; `Shell` would run anything on the device and
# `CLEAR` wipes its logs, so neither is here.
ALLOWED_COMMAND_VERBS = {"INFO", "CHECK", "LOG", "DATA", "REBOOT", "SET", "RELOAD"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}:\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
_SMALLINT = range(-32768, 32768)
MIN_ATTLOG_FIELDS = 3  # PIN, date-time, status; verify, work code and reserved fields are optional
ERROR_TEXT_LIMIT = 200
MAX_COMMAND_LENGTH = 500  # DeviceCommand.command


@dataclass(slots=True)
class AttLogLine:
    number: int  # 1-based line number in the body
    text: str
    pin: str
    local_time: dt.datetime  # naive: the device's wall clock
    status: int | None
    verify: int | None


@dataclass(frozen=True, slots=True)
class LineError:
    number: int
    text: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.number, "text": self.text[:ERROR_TEXT_LIMIT], "reason": self.reason}


@dataclass
class CommandResult:
    command_id: int
    return_code: int
    command: str
    detail: list[str] = field(default_factory=list)  # the lines after the result line (INFO sends key=value)


class _BadLine(ValueError):
    pass


def body_lines(body: str) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers; \\r\\n and \\n both end a line."""
    return [(number, line) for number, line in enumerate(body.splitlines(), 1) if line.strip()]


def _attlog_fields(text: str) -> list[str]:
    fields = text.strip().split("\t") if "\t" in text else text.split()
    # Firmware that separates with spaces splits the date-time in two.
    if len(fields) > 2 and len(fields[1]) == 10 and _DATE.match(fields[1]) and _TIME.match(fields[2]):
        fields[1:3] = [f"{fields[1]} {fields[2]}"]
    return fields


def _local_time(value: str) -> dt.datetime:
    if not _DATETIME.match(value):
        raise _BadLine(_("Format waktu %(value)s tidak dikenal (harus YYYY-MM-DD HH:MM:SS).") % {"value": value})
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise _BadLine(_("Tanggal/waktu %(value)s tidak mungkin ada.") % {"value": value}) from None


def _small_int(value: str, field: str) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number not in _SMALLINT:
        label = _("Status") if field == "status" else _("Mode verifikasi")
        raise _BadLine(_("%(label)s %(value)s bukan angka yang sah.") % {"label": label, "value": value})
    return number


def parse_attlog_line(number: int, text: str) -> AttLogLine:
    fields = _attlog_fields(text)
    if len(fields) < MIN_ATTLOG_FIELDS:
        raise _BadLine(_("Jumlah kolom salah: %(count)d, minimal %(min)d (PIN, waktu, status).")
                       % {"count": len(fields), "min": MIN_ATTLOG_FIELDS})
    pin = fields[0].strip()
    if not pin:
        raise _BadLine(_("PIN kosong."))
    return AttLogLine(
        number=number, text=text, pin=pin, local_time=_local_time(fields[1].strip()),
        status=_small_int(fields[2].strip(), "status"),
        verify=_small_int(fields[3].strip(), "verify") if len(fields) > 3 else None,
    )


def parse_attlog(body: str) -> tuple[list[AttLogLine], list[LineError]]:
    """Every line either parses or gets its reason; one bad line never spoils the others."""
    lines, errors = [], []
    for number, text in body_lines(body):
        try:
            lines.append(parse_attlog_line(number, text))
        except _BadLine as exc:
            errors.append(LineError(number, text, str(exc)))
    return lines, errors


def parse_key_values(body: str) -> dict[str, str]:
    """Device information from `table=options`, `c=registry` or an INFO result: `key=value` by commas or lines."""
    info = {}
    for part in re.split(r"[,\r\n]+", body):
        key, sep, value = part.strip().lstrip("~").partition("=")
        if sep and key:
            info[key.strip()] = value.strip()
    return info


def parse_command_results(body: str) -> list[CommandResult]:
    """`ID=1&Return=0&CMD=INFO` lines, each possibly followed by detail lines that belong to it."""
    results: list[CommandResult] = []
    for _number, line in body_lines(body):
        fields = dict(parse_qsl(line.strip(), keep_blank_values=True)) if line.startswith("ID=") else {}
        try:
            results.append(CommandResult(int(fields["ID"]), int(fields["Return"]), fields.get("CMD", "")))
        except (KeyError, ValueError):
            if results:
                results[-1].detail.append(line.strip())
    return results


def handshake_options(*, serial: str, attlog_stamp: str, operlog_stamp: str, utc_offset: dt.timedelta,
                      timezone_minutes: bool = False) -> str:
    return "\n".join([
        f"GET OPTION FROM: {serial}",
        f"ATTLOGStamp={attlog_stamp or 0}",
        f"OPERLOGStamp={operlog_stamp or 0}",
        "ATTPHOTOStamp=0",
        "ErrorDelay=60",
        "Delay=10",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog\tOpLog",
        "Realtime=1",
        "Encrypt=0",
        f"TimeZone={timezone_option(utc_offset, minutes=timezone_minutes)}",
        f"ServerVer={SERVER_VERSION}",
        f"PushProtVer={SERVER_VERSION}",
    ])


def stamp_advances(*, current: str, offered: str) -> bool:
    """Whether an upload's Stamp moves the server's cursor forward.

    A device retries a failed upload with the Stamp it had then; taking that older Stamp back would make the
    device resend everything after it. Stamps are counters: anything but digits never moves the cursor.
    """
    if not offered.isdigit():
        return False
    return not current.isdigit() or int(offered) > int(current)


def format_commands(commands: list[tuple[int, str]]) -> str:
    return "\n".join(f"C:{command_id}:{command}" for command_id, command in commands) or "OK"


def format_accepted(count: int) -> str:
    return f"OK: {count}"


def reupload_command(*, start: dt.datetime, end: dt.datetime) -> str:
    """Ask the device to send its ATTLOG again for a period, in the device's wall-clock time."""
    return f"DATA QUERY ATTLOG StartTime={start:%Y-%m-%d %H:%M:%S}\tEndTime={end:%Y-%m-%d %H:%M:%S}"


def command_problem(command: str) -> str | None:
    """Why a command may not be queued, or None when it may."""
    if not command.strip():
        return _("Perintah kosong.")
    if "\n" in command or "\r" in command:
        return _("Perintah hanya boleh satu baris.")
    if len(command) > MAX_COMMAND_LENGTH:
        return _("Perintah terlalu panjang (maksimal %(max)d karakter).") % {"max": MAX_COMMAND_LENGTH}
    verb = command.split()[0].upper()
    if verb == "SHELL":
        return _("Perintah Shell tidak pernah diizinkan: ia menjalankan program apa pun di mesin.")
    if verb not in ALLOWED_COMMAND_VERBS:
        return _("Perintah %(verb)s tidak diizinkan; yang boleh: %(allowed)s.") % {
            "verb": verb, "allowed": ", ".join(sorted(ALLOWED_COMMAND_VERBS))}
    return None


# --- User and template tables: USERINFO, FINGERTMP, FACE, BIODATA (pushed alone or inside OPERLOG) ---------------
# What a machine sends, one record per line, tab-separated key=value after an optional record word:
#   USER PIN=11\tName=Siti\tPri=0\tPasswd=\tCard=\tGrp=1          (OPERLOG, or table=USERINFO without the word)
#   FP PIN=11\tFID=6\tSize=1184\tValid=1\tTMP=<base64>             (OPERLOG, or table=FINGERTMP without the word)
#   FACE PIN=11\tFID=0\tSIZE=2048\tVALID=1\tTMP=<base64>           (table=FACE)
#   BIODATA Pin=11\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=<base64>
# Keys are matched without regard to case. OPLOG lines (operation log) are counted and skipped.
RECORD_WORDS = {"USER": "user", "FP": "finger", "FACE": "face", "BIODATA": "bio"}
TABLE_RECORDS = {"USERINFO": "user", "USER": "user", "FINGERTMP": "finger", "FACE": "face", "BIODATA": "bio"}
USER_TABLES = {"USERINFO", "FINGERTMP", "FACE", "BIODATA", "OPERLOG"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_KEY_VALUES = re.compile(r"(\w+)=(.*?)(?=\s+\w+=|$)")
MAX_TEMPLATE_CHARS = 64 * 1024
MAX_PIN_LENGTH = 24


@dataclass(slots=True)
class UserLine:
    number: int
    pin: str
    name: str
    privilege: int
    card: str


@dataclass(slots=True)
class TemplateLine:
    number: int
    text: str
    pin: str
    kind: str  # finger, face, bio
    bio_type: int
    index: int
    size: int
    fields: dict  # every key as the machine sent it (the template under TMP/Tmp): sealed before it is stored


def _record_fields(text: str) -> dict[str, str]:
    if "\t" in text:
        pairs = [part.partition("=") for part in text.split("\t") if part.strip()]
        return {key.strip(): value.strip() for key, sep, value in pairs if sep and key.strip()}
    return {key: value.strip() for key, value in _KEY_VALUES.findall(text)}


def _field(fields: dict[str, str], *names: str) -> str | None:
    lowered = {key.lower(): value for key, value in fields.items()}
    return next((lowered[name] for name in names if name in lowered), None)


def _int_field(fields: dict[str, str], name: str, *, default: int | None = None, low: int = 0,
               high: int = 32767) -> int:
    value = _field(fields, name)
    if value in (None, ""):
        if default is None:
            raise _BadLine(_("Kolom %(name)s tidak ada.") % {"name": name.upper()})
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise _BadLine(_("%(name)s=%(value)s bukan angka yang sah.") % {"name": name.upper(), "value": value[:20]})
    return number


def _pin(fields: dict[str, str]) -> str:
    pin = (_field(fields, "pin") or "").strip()
    if not pin:
        raise _BadLine(_("PIN kosong."))
    if len(pin) > MAX_PIN_LENGTH or not pin.isalnum():
        raise _BadLine(_("PIN %(pin)s tidak sah (huruf/angka, maksimal %(max)d).") % {"pin": pin[:30],
                                                                                      "max": MAX_PIN_LENGTH})
    return pin


def _template(fields: dict[str, str]) -> str:
    template = _field(fields, "tmp") or ""
    if not template:
        raise _BadLine(_("Templat (TMP) kosong."))
    if len(template) > MAX_TEMPLATE_CHARS:
        raise _BadLine(_("Templat lebih dari %(max)d karakter.") % {"max": MAX_TEMPLATE_CHARS})
    if not _BASE64.match(template):
        raise _BadLine(_("Templat bukan base64 yang sah."))
    return template


def parse_user_line(number: int, text: str, *, table: str) -> UserLine | TemplateLine | None:
    """One line of a user/template table; None for lines that are no user or template (OPLOG…)."""
    word, rest = [*re.split(r"\s+", text.strip(), maxsplit=1), ""][:2]
    record = RECORD_WORDS.get(word.upper())
    if record is None:
        if "=" in word and table in TABLE_RECORDS:
            record, rest = TABLE_RECORDS[table], text.strip()
        else:
            return None
    fields = _record_fields(rest)
    pin = _pin(fields)
    if record == "user":
        name = (_field(fields, "name") or "")[:100]
        return UserLine(number=number, pin=pin, name=name, privilege=_int_field(fields, "pri", default=0, high=15),
                        card=(_field(fields, "card") or "")[:32])
    _template(fields)
    if record == "bio":
        bio_type = _int_field(fields, "type", low=0, high=99)
        index = _int_field(fields, "no", default=0, high=99)
    else:
        bio_type, index = 0, _int_field(fields, "fid", default=0, high=99)
    size = _int_field(fields, "size", default=0, high=MAX_TEMPLATE_CHARS * 2)
    return TemplateLine(number=number, text=text, pin=pin, kind=record, bio_type=bio_type, index=index, size=size,
                        fields=fields)


def parse_user_table(table: str, body: str) -> tuple[list[UserLine], list[TemplateLine], list[LineError], int]:
    """Users, templates, bad lines with their reason, and how many other lines (OPLOG…) there were."""
    users, templates, errors, other = [], [], [], 0
    for number, text in body_lines(body):
        try:
            line = parse_user_line(number, text, table=table.upper())
        except _BadLine as exc:
            errors.append(LineError(number, _shown(text), str(exc)))
            continue
        if line is None:
            other += 1
        elif isinstance(line, UserLine):
            users.append(line)
        else:
            templates.append(line)
    return users, templates, errors, other


def _shown(text: str) -> str:
    """A line as an admin may see it: a template's body is never shown."""
    return re.sub(r"((?:^|\s)tmp=)\S+", r"\1…", text, flags=re.IGNORECASE)


def template_body(fields: dict[str, str]) -> str:
    return _field(fields, "tmp") or ""


def user_update_command(*, pin: str, name: str, privilege: int, card: str) -> str:
    name = re.sub(r"[\t\r\n]", " ", name)[:24]
    return f"DATA UPDATE USERINFO PIN={pin}\tName={name}\tPri={privilege}\tCard={card}\tGrp=1"


def user_delete_command(*, pin: str) -> str:
    return f"DATA DELETE USERINFO PIN={pin}"


def template_update_command(*, pin: str, kind: str, fields: dict[str, str], shown: bool = False) -> str:
    """The DATA UPDATE for a template under another machine's PIN; `shown` leaves the template itself out."""
    template = "…" if shown else _field(fields, "tmp")
    if kind == "bio":
        keys = ["No", "Index", "Valid", "Duress", "Type", "MajorVer", "MinorVer", "Format"]
        parts = [f"Pin={pin}", *(f"{key}={_field(fields, key.lower()) or 0}" for key in keys), f"Tmp={template}"]
        return "DATA UPDATE BIODATA " + "\t".join(parts)
    table = "FACE" if kind == "face" else "FINGERTMP"
    parts = [f"PIN={pin}", f"FID={_field(fields, 'fid') or 0}", f"Size={_field(fields, 'size') or 0}",
             f"Valid={_field(fields, 'valid') or 1}", f"TMP={template}"]
    return f"DATA UPDATE {table} " + "\t".join(parts)


# --- Device clock ------------------------------------------------------------------------------------------------
def timezone_option(utc_offset: dt.timedelta, *, minutes: bool) -> str:
    """TimeZone= for the handshake: hours (+8) for most firmware, minutes (480) for those that take minutes."""
    if minutes:
        return f"{int(utc_offset.total_seconds() // 60)}"
    return f"{utc_offset.total_seconds() / 3600:g}"


def push_version_at_least(version: str, floor: str) -> bool:
    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", text)[:3]) or (0,)
    return bool(version) and parts(version) >= parts(floor)


def zk_time(local: dt.datetime) -> int:
    """A wall-clock time in the machines' own encoding (as SET OPTIONS DateTime= takes it)."""
    days = ((local.year % 100) * 12 + (local.month - 1)) * 31 + local.day - 1
    return (days * 24 + local.hour) * 3600 + local.minute * 60 + local.second


def clock_set_command(local: dt.datetime) -> str:
    return f"SET OPTIONS DateTime={zk_time(local)}"
