"""A minimal hand-written TDS client for cases the real clients cannot produce
(LOGIN7 with a FeatureExt list). Built from MS-TDS 2.2.6.4, not from the server's code."""
import socket
import struct


def _packet(ptype, payload):
    return struct.pack(">BBHHBB", ptype, 1, len(payload) + 8, 0, 1, 0) + payload


def _read_message(sock):
    data = b""
    while True:
        head = b""
        while len(head) < 8:
            chunk = sock.recv(8 - len(head))
            if not chunk:
                return data
            head += chunk
        length = struct.unpack(">H", head[2:4])[0] - 8
        body = b""
        while len(body) < length:
            body += sock.recv(length - len(body))
        data += body
        if head[1] & 1:
            return data


def _scramble(pw):
    out = bytearray()
    for b in pw.encode("utf-16-le"):
        b = ((b << 4) & 0xF0) | (b >> 4)
        out.append(b ^ 0xA5)
    return bytes(out)


def login(port, user, password, features=b""):
    """Sends PRELOGIN and LOGIN7 (with FeatureExt when features is given); returns the reply bytes."""
    sock = socket.create_connection(("127.0.0.1", port), 5)
    try:
        pre = [(0, b"\x0b\x00\x00\x00\x00\x00"), (1, b"\x02")]
        head, body = bytearray(), bytearray()
        for tok, val in pre:
            head += struct.pack(">BHH", tok, 5 * len(pre) + 1 + len(body), len(val))
            body += val
        sock.sendall(_packet(0x12, bytes(head) + b"\xff" + bytes(body)))
        _read_message(sock)
        fields = ["host", user, None, "raw", "server", None, "lib", "", ""]
        fixed_len = 94
        var = bytearray()
        offsets = []
        for i, f in enumerate(fields):
            if i == 2:
                raw = _scramble(password)
                offsets.append((fixed_len + len(var), len(password)))
                var += raw
            elif i == 5:
                # ibExtension: points at a DWORD holding the FeatureExt offset
                if features:
                    offsets.append((fixed_len + len(var), 4))
                    var += b"\x00\x00\x00\x00"
                else:
                    offsets.append((0, 0))
            else:
                raw = f.encode("utf-16-le")
                offsets.append((fixed_len + len(var), len(f)))
                var += raw
        if features:
            ext_ptr = offsets[5][0] - fixed_len
            var[ext_ptr:ext_ptr + 4] = struct.pack("<I", fixed_len + len(var))
            var += features + b"\xff"
        flags3 = 0x10 if features else 0
        fixed = struct.pack("<IIIIIIBBBBiI", 0, 0x74000004, 4096, 7, 0, 0, 0xE0, 0x03, 0, flags3, 0, 0x0409)
        for off, n in offsets:
            fixed += struct.pack("<HH", off, n)
        fixed += b"\x00" * 6 + struct.pack("<HHHHHHHHI", 0, 0, 0, 0, 0, 0, 0, 0, 0)[:20]
        fixed = fixed[:fixed_len]
        msg = bytearray(fixed + bytes(var))
        msg[0:4] = struct.pack("<I", len(msg))
        sock.sendall(_packet(0x10, bytes(msg)))
        return _read_message(sock)
    finally:
        sock.close()
