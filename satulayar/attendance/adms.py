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


def handshake_options(*, serial: str, attlog_stamp: str, operlog_stamp: str, utc_offset: dt.timedelta) -> str:
    hours = utc_offset.total_seconds() / 3600
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
        f"TimeZone={hours:g}",
        f"ServerVer={SERVER_VERSION}",
        f"PushProtVer={SERVER_VERSION}",
    ])


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
