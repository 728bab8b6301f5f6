"""The callback schemes agree with clients we did not write: wechatpy's WeChatCrypto (WeCom's
scheme, which DingTalk shares) and lark-oapi's AESCipher (Feishu)."""

import base64
import os
import unittest

from platform_sim import crypto

# Installed by scripts/platform-sim-test (scripts/lib/platform-sim-clients.sh): a missing
# client fails these tests rather than skipping them.
from lark_oapi.core.utils.decryptor import AESCipher
from wechatpy.work.crypto import WeChatCrypto

AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
TOKEN = "callback-token"
CORP = "ww0123456789abcdef"


class WXBizMsgCryptTests(unittest.TestCase):
    def test_our_ciphertext_decrypts_in_wechatpy(self):
        message = "<xml><ToUserName><![CDATA[ww]]></ToUserName><Event><![CDATA[change_contact]]></Event>\u4e2d</xml>"
        encrypted = crypto.wx_encrypt(AES_KEY, CORP, message.encode())
        signature = crypto.wx_signature(TOKEN, "1700000000", "nonce1", encrypted)
        envelope = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        plain = WeChatCrypto(TOKEN, AES_KEY, CORP).decrypt_message(envelope, signature, "1700000000", "nonce1")
        self.assertEqual(plain, message)

    def test_wechatpy_ciphertext_decrypts_here(self):
        reply = WeChatCrypto(TOKEN, AES_KEY, CORP).encrypt_message("<xml>success</xml>", "n2", "1700000001")
        encrypted = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
        signature = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        self.assertEqual(crypto.wx_signature(TOKEN, "1700000001", "n2", encrypted), signature)
        message, receiver = crypto.wx_decrypt(AES_KEY, encrypted)
        self.assertEqual((message, receiver), (b"<xml>success</xml>", CORP))

    def test_tampered_ciphertext_is_refused(self):
        encrypted = bytearray(base64.b64decode(crypto.wx_encrypt(AES_KEY, CORP, b"x" * 40)))
        encrypted[-1] ^= 0x55
        with self.assertRaises(crypto.CryptoError):
            crypto.wx_decrypt(AES_KEY, base64.b64encode(bytes(encrypted)).decode())


class LarkCipherTests(unittest.TestCase):
    def test_our_ciphertext_decrypts_in_lark_oapi(self):
        body = '{"schema":"2.0","header":{"event_type":"contact.user.created_v3"},"event":{"name":"\u674e"}}'
        encrypted = crypto.lark_encrypt("encrypt-key-1", body.encode())
        self.assertEqual(AESCipher("encrypt-key-1").decrypt_str(encrypted), body)

    def test_signature_is_sha256_of_timestamp_nonce_key_body(self):
        import hashlib
        body = b'{"encrypt":"abc"}'
        self.assertEqual(crypto.lark_signature("1700000000", "n", "k", body),
                         hashlib.sha256(b"1700000000nk" + body).hexdigest())


if __name__ == "__main__":
    unittest.main()
