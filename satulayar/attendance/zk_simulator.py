"""A small ZKTeco machine on 127.0.0.1 speaking the binary protocol over TCP, as pyzk talks to port 4370.

Enough of it for a pull (attendance.pull): connect, the memory sizes, the user and attendance tables through
the buffered read (CMD_DATA_WRRQ fills a buffer, CMD_DATA_RDY reads a chunk of it as PREPARE_DATA + DATA +
ACK_OK, CMD_FREE_DATA frees it), clearing the attendance log, enable/disable and exit.
Used by the tests and by the demo's pull-mode machines.

Each packet is framed by an 8-byte TCP top (0x5050, 0x7D82, length) followed by the header
(command, checksum, session id, reply id; little-endian unsigned shorts) and the payload. Users are sent as
72-byte records (the ZK8 layout) and attendance as 40-byte records with the PIN as text.
"""

import contextlib
import datetime as dt
import random
import socket
import struct
import threading
from dataclasses import dataclass, field

USHRT_MAX = 65535
TOP_1, TOP_2 = 0x5050, 0x7D82
CMD_USERTEMP_RRQ, CMD_ATTLOG_RRQ, CMD_CLEAR_ATTLOG = 9, 13, 15
CMD_GET_FREE_SIZES = 50
CMD_CONNECT, CMD_EXIT, CMD_ENABLEDEVICE, CMD_DISABLEDEVICE = 1000, 1001, 1002, 1003
CMD_PREPARE_DATA, CMD_DATA, CMD_FREE_DATA, CMD_DATA_WRRQ, CMD_DATA_RDY = 1500, 1501, 1502, 1503, 1504
# 1503 (CMD_DATA_WRRQ, "prepare buffer") and 1504 (CMD_DATA_RDY, "read buffer chunk") are the numbers pyzk sends raw.
CMD_ACK_OK, CMD_ACK_ERROR, CMD_ACK_UNKNOWN = 2000, 2001, 0xFFFF
FCT_USER = 5
USER_RECORD = struct.Struct("<HB8s24sIx7sx24s")  # 72 bytes
ATT_RECORD = struct.Struct("<H24sB4sB8s")  # 40 bytes


def checksum(packet: bytes) -> int:
    """The ones'-complement sum of the packet's 16-bit words as zkemsdk computes it (checksum field zero)."""
    total = 0
    if len(packet) % 2:
        total += packet[-1]
        packet = packet[:-1]
    for (word,) in struct.iter_unpack("<H", packet):
        total += word
        if total > USHRT_MAX:
            total -= USHRT_MAX
    while total > USHRT_MAX:
        total -= USHRT_MAX
    total = ~total
    while total < 0:
        total += USHRT_MAX
    return total


def encode_time(moment: dt.datetime) -> int:
    """The machine's packed local time (zkemsdk EncodeTime): months of 31 days since 2000."""
    return ((((moment.year % 100) * 12 * 31 + (moment.month - 1) * 31 + moment.day - 1) * 86400)
            + (moment.hour * 60 + moment.minute) * 60 + moment.second)


@dataclass
class SimUser:
    uid: int
    user_id: str
    name: str = ""


@dataclass
class SimRecord:
    user_id: str
    at: dt.datetime | None = None  # the machine's local time
    raw_time: int | None = None  # a packed time as stored, for records a broken clock wrote
    status: int = 0
    punch: int = 0
    uid: int = 0

    def packed_time(self) -> int:
        return self.raw_time if self.raw_time is not None else encode_time(self.at)


@dataclass
class ZkSimulator:
    users: list[SimUser] = field(default_factory=list)
    records: list[SimRecord] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read back after start()
    commands: list[int] = field(default_factory=list)  # every command received, in order
    _server: socket.socket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "ZkSimulator":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(8)
        self._server, self.port = server, server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name=f"zk-sim-{self.port}").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None

    def __enter__(self) -> "ZkSimulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self) -> None:
        while self._server is not None:
            try:
                conn, _address = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        session = Session(self, session_id=random.randint(1, USHRT_MAX - 1))
        with conn:
            conn.settimeout(30)
            try:
                while (packet := _read_packet(conn)) is not None:
                    replies, done = session.answer(*packet)
                    conn.sendall(b"".join(replies))
                    if done:
                        return
            except OSError:
                return

    # the machine's tables as it sends them
    def user_table(self) -> bytes:
        with self._lock:
            rows = [USER_RECORD.pack(user.uid, 0, b"", user.name.encode()[:24], 0, b"1", user.user_id.encode()[:24])
                    for user in self.users]
        return struct.pack("<I", len(rows) * USER_RECORD.size) + b"".join(rows)

    def attendance_table(self) -> bytes:
        with self._lock:
            rows = [ATT_RECORD.pack(record.uid, record.user_id.encode()[:24], record.status,
                                    struct.pack("<I", record.packed_time()), record.punch, b"")
                    for record in self.records]
        return struct.pack("<I", len(rows) * ATT_RECORD.size) + b"".join(rows)

    def sizes(self) -> bytes:
        with self._lock:
            fields = [0] * 20
            fields[4], fields[8] = len(self.users), len(self.records)
            fields[14], fields[15], fields[16] = 3000, 3000, 100_000  # capacities: fingers, users, records
            fields[17], fields[18], fields[19] = 3000, 3000 - len(self.users), 100_000 - len(self.records)
        return struct.pack("<20i", *fields) + struct.pack("<3i", 0, 0, 0)

    def records_add(self, records: list[SimRecord]) -> None:
        """New punches on the machine (a demo's day going on) while clients may be reading."""
        with self._lock:
            self.records.extend(records)

    def clear_attendance(self) -> None:
        with self._lock:
            self.records.clear()


def _read_exactly(conn: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = conn.recv(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_packet(conn: socket.socket) -> tuple[int, int, bytes] | None:
    """(command, reply id, payload) of the next packet, or None once the client has gone."""
    top = _read_exactly(conn, 8)
    if top is None:
        return None
    first, second, length = struct.unpack("<HHI", top)
    if (first, second) != (TOP_1, TOP_2) or length < 8:
        return None
    body = _read_exactly(conn, length)
    if body is None:
        return None
    command, _checksum, _session, reply_id = struct.unpack("<4H", body[:8])
    return command, reply_id, body[8:]


@dataclass
class Session:
    machine: ZkSimulator
    session_id: int
    connected: bool = False
    buffer: bytes = b""

    def packet(self, command: int, reply_id: int, payload: bytes = b"") -> bytes:
        unsigned = struct.pack("<4H", command, 0, self.session_id, reply_id) + payload
        body = struct.pack("<4H", command, checksum(unsigned), self.session_id, reply_id) + payload
        return struct.pack("<HHI", TOP_1, TOP_2, len(body)) + body

    def answer(self, command: int, reply_id: int, payload: bytes) -> tuple[list[bytes], bool]:
        """The packets the machine sends back, and whether it then closes the connection."""
        self.machine.commands.append(command)
        ok = [self.packet(CMD_ACK_OK, reply_id)]
        if command == CMD_CONNECT:
            self.connected = True
            return ok, False
        if not self.connected:
            return [self.packet(CMD_ACK_ERROR, reply_id)], True
        if command == CMD_EXIT:
            return ok, True
        if command in (CMD_ENABLEDEVICE, CMD_DISABLEDEVICE):
            return ok, False
        if command == CMD_GET_FREE_SIZES:
            return [self.packet(CMD_ACK_OK, reply_id, self.machine.sizes())], False
        if command == CMD_DATA_WRRQ:
            return [self._prepare_buffer(reply_id, payload)], False
        if command == CMD_DATA_RDY:
            return self._read_buffer(reply_id, payload), False
        if command == CMD_FREE_DATA:
            self.buffer = b""
            return ok, False
        if command == CMD_CLEAR_ATTLOG:
            self.machine.clear_attendance()
            return ok, False
        return [self.packet(CMD_ACK_UNKNOWN, reply_id)], False

    def _prepare_buffer(self, reply_id: int, payload: bytes) -> bytes:
        """Fills the read buffer with a whole table; answers its size (byte 0 a flag, bytes 1-4 the size)."""
        if len(payload) < 11:
            return self.packet(CMD_ACK_ERROR, reply_id)
        _flag, table, fct, _ext = struct.unpack("<bhii", payload[:11])
        if table == CMD_ATTLOG_RRQ:
            self.buffer = self.machine.attendance_table()
        elif table == CMD_USERTEMP_RRQ and fct == FCT_USER:
            self.buffer = self.machine.user_table()
        else:
            return self.packet(CMD_ACK_ERROR, reply_id)
        return self.packet(CMD_ACK_OK, reply_id, struct.pack("<BI", 0, len(self.buffer)) + b"\x00" * 4)

    def _read_buffer(self, reply_id: int, payload: bytes) -> list[bytes]:
        """One chunk of the buffer: PREPARE_DATA with its size, the DATA packet, then ACK_OK."""
        start, size = struct.unpack("<ii", payload[:8])
        chunk = self.buffer[start:start + size]
        return [self.packet(CMD_PREPARE_DATA, reply_id, struct.pack("<II", len(chunk), 0)),
                self.packet(CMD_DATA, reply_id, chunk), self.packet(CMD_ACK_OK, reply_id)]
