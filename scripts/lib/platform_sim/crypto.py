"""The event-callback encryption schemes of the platforms.

DingTalk and WeCom share WeCom's "WXBizMsgCrypt" scheme: the key is the 43-character
EncodingAESKey decoded as base64 with "=" appended (32 bytes); AES-256-CBC with the key's first
16 bytes as IV; PKCS#7 padding to a 32-byte block; the plaintext is 16 random bytes, the
message's length as 4 bytes in network order, the message, then the receiver id (the corp id,
or DingTalk's app key / suite key); the signature is the SHA-1 of the token, timestamp, nonce and
ciphertext sorted and joined.

Feishu (Lark): the key is the SHA-256 of the app's Encrypt Key; AES-256-CBC with a random IV
sent as the ciphertext's first 16 bytes; PKCS#7 padding to 16 bytes; base64. A request's
signature header `X-Lark-Signature` is the hex SHA-256 of timestamp + nonce + encrypt key +
body.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CryptoError(Exception):
    pass


def _pkcs7_pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def _pkcs7_unpad(data: bytes, block: int) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    n = data[-1]
    if n < 1 or n > block or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


def _cbc(key: bytes, iv: bytes):
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def wx_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("an EncodingAESKey has 43 characters")
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise CryptoError("an EncodingAESKey decodes to 32 bytes")
    return key


def wx_encrypt(encoding_aes_key: str, receive_id: str, message: bytes, random16: bytes | None = None) -> str:
    key = wx_key(encoding_aes_key)
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(message)) + message + receive_id.encode()
    enc = _cbc(key, key[:16]).encryptor()
    return base64.b64encode(enc.update(_pkcs7_pad(plain, 32)) + enc.finalize()).decode()


def wx_decrypt(encoding_aes_key: str, encrypted: str) -> tuple[bytes, str]:
    """Returns the message and the receiver id it names."""
    key = wx_key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except ValueError as error:
        raise CryptoError("ciphertext is not base64") from error
    if not data or len(data) % 16:
        raise CryptoError("ciphertext is not whole AES blocks")
    dec = _cbc(key, key[:16]).decryptor()
    plain = _pkcs7_unpad(dec.update(data) + dec.finalize(), 32)
    if len(plain) < 20:
        raise CryptoError("plaintext too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise CryptoError("message length beyond the plaintext")
    return plain[20 : 20 + length], plain[20 + length :].decode()


def wx_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def lark_encrypt(encrypt_key: str, message: bytes, iv: bytes | None = None) -> str:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = iv or os.urandom(16)
    enc = _cbc(key, iv).encryptor()
    return base64.b64encode(iv + enc.update(_pkcs7_pad(message, 16)) + enc.finalize()).decode()


def lark_decrypt(encrypt_key: str, encrypted: str) -> bytes:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    data = base64.b64decode(encrypted)
    if len(data) < 32 or len(data) % 16:
        raise CryptoError("ciphertext is not an IV and whole AES blocks")
    dec = _cbc(key, data[:16]).decryptor()
    return _pkcs7_unpad(dec.update(data[16:]) + dec.finalize(), 16)


def lark_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()
