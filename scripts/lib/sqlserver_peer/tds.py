"""TDS packet framing and the server's token stream (MS-TDS 2.2.3 and 2.2.7)."""
import struct

# Packet types, MS-TDS 2.2.3.1.1
SQL_BATCH = 0x01
RPC = 0x03
REPLY = 0x04
ATTENTION = 0x06
BULK = 0x07
TRANSACTION_MANAGER = 0x0E
LOGIN7 = 0x10
PRELOGIN = 0x12

STATUS_EOM = 0x01
STATUS_RESET = 0x08

# Token types, MS-TDS 2.2.7
TOKEN_COLMETADATA = 0x81
TOKEN_ROW = 0xD1
TOKEN_NBCROW = 0xD2
TOKEN_DONE = 0xFD
TOKEN_DONEPROC = 0xFE
TOKEN_DONEINPROC = 0xFF
TOKEN_RETURNSTATUS = 0x79
TOKEN_RETURNVALUE = 0xAC
TOKEN_ERROR = 0xAA
TOKEN_INFO = 0xAB
TOKEN_LOGINACK = 0xAD
TOKEN_ENVCHANGE = 0xE3

# DONE status bits, MS-TDS 2.2.7.6
DONE_FINAL = 0x00
DONE_MORE = 0x01
DONE_ERROR = 0x02
DONE_INXACT = 0x04
DONE_COUNT = 0x10
DONE_ATTN = 0x20
DONE_SRVERROR = 0x100

# ENVCHANGE types, MS-TDS 2.2.7.9
ENV_DATABASE = 1
ENV_LANGUAGE = 2
ENV_PACKETSIZE = 4
ENV_COLLATION = 7
ENV_BEGIN_TRAN = 8
ENV_COMMIT_TRAN = 9
ENV_ROLLBACK_TRAN = 10
ENV_RESET_ACK = 18

# SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, flags IgnoreCase|IgnoreKana|IgnoreWidth,
# sort id 52 (MS-TDS 2.2.5.1.2 collation rule definition).
DEFAULT_COLLATION = bytes([0x09, 0x04, 0xD0, 0x00, 0x34])

SERVER_NAME = "sqlserver-peer"


class ConnectionClosed(Exception):
    pass


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionClosed()
        buf += chunk
    return bytes(buf)


def read_packet(sock):
    """One packet: (type, status, payload)."""
    header = recv_exact(sock, 8)
    ptype, status, length = header[0], header[1], struct.unpack(">H", header[2:4])[0]
    if length < 8:
        raise ConnectionClosed()
    return ptype, status, recv_exact(sock, length - 8)


def read_message(sock):
    """A message is packets up to the one with EOM status (MS-TDS 2.2.3.1.2)."""
    ptype, status, payload = read_packet(sock)
    data = bytearray(payload)
    reset = bool(status & STATUS_RESET)
    while not status & STATUS_EOM:
        t2, status, payload = read_packet(sock)
        if t2 == ATTENTION:
            # An attention in the middle of a message cancels it.
            return ATTENTION, b"", False
        data += payload
    return ptype, bytes(data), reset


def send_message(sock, ptype, data, packet_size, spid=0):
    """Split a message into packets of the negotiated size, header included."""
    room = packet_size - 8
    out = bytearray()
    pos = 0
    packet_id = 1
    while True:
        chunk = data[pos:pos + room]
        pos += len(chunk)
        last = pos >= len(data)
        # the header carries the session's SPID (MS-TDS 2.2.3.1.5)
        out += struct.pack(">BBHHBB", ptype, STATUS_EOM if last else 0, len(chunk) + 8, spid, packet_id % 256, 0)
        out += chunk
        packet_id += 1
        if last:
            break
    sock.sendall(bytes(out))


def b_varchar(s):
    raw = s.encode("utf-16-le")
    return bytes([len(raw) // 2]) + raw


def us_varchar(s):
    raw = s.encode("utf-16-le")
    return struct.pack("<H", len(raw) // 2) + raw


class TokenWriter:
    """Accumulates a reply's tokens."""

    def __init__(self, tds_version=0x74000004):
        self.buf = bytearray()
        self.tds_version = tds_version
        self.last_done = None   # offset of the DONE-family token that ends the buffer, if one does

    def raw(self, b):
        self.buf += b
        self.last_done = None

    def envchange(self, kind, new, old):
        if isinstance(new, str):
            body = bytes([kind]) + b_varchar(new) + b_varchar(old)
        else:
            body = bytes([kind, len(new)]) + new + bytes([len(old)]) + old
        self.buf += bytes([TOKEN_ENVCHANGE]) + struct.pack("<H", len(body)) + body
        self.last_done = None

    def message(self, token, number, state, severity, text, line, proc=""):
        body = (struct.pack("<iBB", number, state, severity) + us_varchar(text)
                + b_varchar(SERVER_NAME) + b_varchar(proc) + struct.pack("<i", line))
        self.buf += bytes([token]) + struct.pack("<H", len(body)) + body
        self.last_done = None

    def error(self, err):
        self.message(TOKEN_ERROR, err.number, err.state, err.severity, err.message, err.line)

    def info(self, number, text, state=1, severity=0, line=1):
        self.message(TOKEN_INFO, number, state, severity, text, line)

    def loginack(self, prog_name, version):
        body = bytes([1]) + struct.pack(">I", self.tds_version) + b_varchar(prog_name) + bytes(version)
        self.buf += bytes([TOKEN_LOGINACK]) + struct.pack("<H", len(body)) + body
        self.last_done = None

    def done(self, token, status, curcmd=0, rowcount=0):
        pos = len(self.buf)
        self._done(token, status, curcmd, rowcount)
        self.last_done = pos

    def _done(self, token, status, curcmd, rowcount):
        if self.tds_version >= 0x72000000:
            self.buf += struct.pack("<BHHQ", token, status, curcmd, rowcount)
        else:
            self.buf += struct.pack("<BHHI", token, status, curcmd, rowcount)

    def returnstatus(self, value):
        self.buf += struct.pack("<Bi", TOKEN_RETURNSTATUS, value)
        self.last_done = None
