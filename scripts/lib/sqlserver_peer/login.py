"""PRELOGIN (MS-TDS 2.2.6.5) and LOGIN7 (MS-TDS 2.2.6.4)."""
import struct

from . import errors

# PRELOGIN option tokens
PL_VERSION, PL_ENCRYPTION, PL_INSTOPT, PL_THREADID, PL_MARS, PL_TRACEID, PL_FEDAUTH, PL_TERMINATOR = 0, 1, 2, 3, 4, 5, 6, 0xFF
ENCRYPT_OFF, ENCRYPT_ON, ENCRYPT_NOT_SUP, ENCRYPT_REQ = 0, 1, 2, 3


def parse_prelogin(data):
    opts = {}
    i = 0
    while i < len(data) and data[i] != PL_TERMINATOR:
        token = data[i]
        off, length = struct.unpack(">HH", data[i + 1:i + 5])
        opts[token] = data[off:off + length]
        i += 5
    return opts


def build_prelogin(encryption):
    options = [(PL_VERSION, bytes([16, 0]) + struct.pack(">H", 1000) + b"\x00\x00"),
               (PL_ENCRYPTION, bytes([encryption])),
               (PL_INSTOPT, b"\x00"),
               (PL_THREADID, b""),
               (PL_MARS, b"\x00")]
    header_len = 5 * len(options) + 1
    head, body = bytearray(), bytearray()
    for token, value in options:
        head += struct.pack(">BHH", token, header_len + len(body), len(value))
        body += value
    return bytes(head) + b"\xff" + bytes(body)


def client_wants_encryption(opts):
    enc = opts.get(PL_ENCRYPTION, b"\x00")
    return bool(enc) and enc[0] in (ENCRYPT_ON, ENCRYPT_REQ)


def unscramble(raw):
    """LOGIN7 password: each byte had its nibbles swapped then was XORed with 0xA5."""
    out = bytearray()
    for b in raw:
        b ^= 0xA5
        out.append(((b & 0x0F) << 4) | (b >> 4))
    return bytes(out).decode("utf-16-le", "surrogatepass")


class Login7:
    def __init__(self, data):
        if len(data) < 94:
            raise errors.SqlError(17832, "The login packet used to open the connection is structurally invalid; the connection has been closed.", 20, 2)
        (self.length, self.tds_version, self.packet_size, _prog, _pid, _cid, self.flags1, self.flags2,
         self.type_flags, self.flags3, _tz, _lcid) = struct.unpack("<IIIIIIBBBBiI", data[:36])

        def field(pos, password=False):
            off, n = struct.unpack("<HH", data[pos:pos + 4])
            raw = data[off:off + n * 2]
            return unscramble(raw) if password else raw.decode("utf-16-le", "surrogatepass")

        self.hostname = field(36)
        self.username = field(40)
        self.password = field(44, password=True)
        self.appname = field(48)
        self.servername = field(52)
        self.library = field(60)
        self.language = field(64)
        self.database = field(68)
        sspi_len = struct.unpack("<H", data[80:82])[0]
        self.sspi = sspi_len > 0 or bool(self.flags2 & 0x80)
        # OptionFlags3 fExtension: ibExtension points to a DWORD offset of the
        # FeatureExt list (MS-TDS 2.2.6.4); record which features were asked for.
        self.features = []
        self.extension = bool(self.flags3 & 0x10)
        if self.extension:
            off, n = struct.unpack("<HH", data[56:60])
            if n >= 4 and off + 4 <= len(data):
                pos = struct.unpack("<I", data[off:off + 4])[0]
                while 0 < pos < len(data) and data[pos] != 0xFF:
                    if pos + 5 > len(data):
                        break
                    fid = data[pos]
                    flen = struct.unpack("<I", data[pos + 1:pos + 5])[0]
                    self.features.append(fid)
                    pos += 5 + flen
