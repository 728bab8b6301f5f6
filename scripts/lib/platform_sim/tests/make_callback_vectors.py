"""Run from the repository root with .venv-platform-sim/bin/python (scripts/platform-sim-test makes it).

Makes the callback test vectors in Tests/ChatDirectoriesTests/CallbackVectors.swift with
clients scimsync did not write: wechatpy 2.0.0a26's WeChatCrypto (WeCom's scheme, which DingTalk
shares) encrypts and signs; Feishu's ciphertext comes from the simulator's crypto.lark_encrypt and
is checked here with lark-oapi 1.7.5's AESCipher and signature check (lark-oapi only decrypts)."""
import base64, hashlib, json, re, sys
sys.path.insert(0, "scripts/lib")
from wechatpy.work.crypto import WeChatCrypto
from lark_oapi.core.utils.decryptor import AESCipher
from platform_sim import crypto

KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TOKEN = "vector-token"
CORP = "ww0123456789abcdef"
APP = "dingvectorappkey0001"

def parts(reply):
    get = lambda tag: re.search(rf"<{tag}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</{tag}>", reply).group(1)
    return get("Encrypt"), get("MsgSignature"), get("TimeStamp"), get("Nonce")

def swift(name, value):
    print(f"    static let {name} = {json.dumps(value, ensure_ascii=False)}")

wecom_event = ("<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
               "<CreateTime>1764806400</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"
               "<ChangeType><![CDATA[update_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID>"
               "<NewUserID><![CDATA[zhang.san]]></NewUserID><Name><![CDATA[张三 &amp; <b>]]></Name></xml>")
e, s, t, n = parts(WeChatCrypto(TOKEN, KEY, CORP).encrypt_message(wecom_event, "wxnonce1", "1764806400"))
swift("wecomEventEncrypt", e); swift("wecomEventSignature", s); swift("wecomEventTimestamp", t); swift("wecomEventNonce", n)
swift("wecomEventMessage", wecom_event)

e, s, t, n = parts(WeChatCrypto(TOKEN, KEY, CORP).encrypt_message("5927782489442352469", "wxnonce2", "1764806401"))
swift("wecomEchoEncrypt", e); swift("wecomEchoSignature", s); swift("wecomEchoTimestamp", t); swift("wecomEchoNonce", n)

ding_event = json.dumps({"EventType": "org_dept_remove", "EventTime": 1764806400000, "CorpId": "dingcorp",
                         "BizId": "1764806400000000001", "eventId": "3f2a9c1e7b", "deptId": [12345, 678]},
                        separators=(",", ":"))
e, s, t, n = parts(WeChatCrypto(TOKEN, KEY, APP).encrypt_message(ding_event, "dtnonce1", "1764806400000"))
swift("dingTalkEventEncrypt", e); swift("dingTalkEventSignature", s); swift("dingTalkEventTimestamp", t)
swift("dingTalkEventNonce", n); swift("dingTalkEventMessage", ding_event)

FEISHU_KEY = "vector-encrypt-key"
feishu_event = json.dumps({"schema": "2.0", "header": {"event_id": "5e3702a84e847582be8db7fb73283c02", "token": "vector-verification",
                           "create_time": "1764806400000", "event_type": "contact.user.deleted_v3", "tenant_key": "t1",
                           "app_id": "cli_vector"}, "event": {"object": {"open_id": "ou_1", "user_id": "li.si", "name": "李四"}}},
                          ensure_ascii=False, separators=(",", ":"))
encrypted = crypto.lark_encrypt(FEISHU_KEY, feishu_event.encode(), iv=bytes(range(16)))
assert AESCipher(FEISHU_KEY).decrypt_str(encrypted) == feishu_event
body = json.dumps({"encrypt": encrypted}, separators=(",", ":"))
timestamp, nonce = "1764806400", "fsnonce1"
signature = hashlib.sha256((timestamp + nonce + FEISHU_KEY).encode() + body.encode()).hexdigest()
# lark-oapi's own check of the signature (EventDispatcherHandler._verify_sign raises on a mismatch).
from lark_oapi.event.dispatcher_handler import EventDispatcherHandler
from lark_oapi.core.model import RawRequest
from lark_oapi.core.const import LARK_REQUEST_TIMESTAMP, LARK_REQUEST_NONCE, LARK_REQUEST_SIGNATURE
raw = RawRequest(); raw.headers = {LARK_REQUEST_TIMESTAMP: timestamp, LARK_REQUEST_NONCE: nonce, LARK_REQUEST_SIGNATURE: signature}
raw.body = body.encode()
EventDispatcherHandler._verify_sign(None, raw, FEISHU_KEY)
swift("feishuEventBody", body); swift("feishuEventSignature", signature); swift("feishuEventMessage", feishu_event)
