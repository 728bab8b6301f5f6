import Foundation

/// Callback test vectors made by clients scimsync did not write, by
/// scripts/lib/platform_sim/tests/make_callback_vectors.py (run once with the simulators' venv):
/// the WeCom and DingTalk messages were encrypted and signed by wechatpy 2.0.0a26's
/// `WeChatCrypto.encrypt_message` (16 random bytes of its own); Feishu's body was encrypted by
/// the simulator's `crypto.lark_encrypt` (lark-oapi 1.7.5 only decrypts) with IV 00 01 … 0f, and
/// both its ciphertext and its signature were checked with lark-oapi 1.7.5 (`AESCipher`,
/// `EventDispatcherHandler._verify_sign`) before being written here.
enum CallbackVectors {
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let token = "vector-token"
    static let corpID = "ww0123456789abcdef"
    static let appKey = "dingvectorappkey0001"
    static let feishuEncryptKey = "vector-encrypt-key"
    static let feishuVerificationToken = "vector-verification"
    /// The vectors' timestamps: 2025-12-04 00:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_764_806_400)

    static let wecomEventEncrypt = "myDsxVfAu8QxLe22GEfW9KnrXq88vOv9FNd86LG+Jn+1lmCTNrF7RAzlQo/J/msRQpPysFLwcQsT1FVIZEr1u6dZc7sk8y81jdoaknFOj8xiljRGg5aNtB9B8U77iMs7RpLXoxODUrq0T8w5WSwfoAxyU5ZKryaLi3lw5CGYg/b+qWK66eebewKn0yfIYo7GV9nX6IA88EMO/zPZmelIX3haKyqOCLffGgpqieZknUAAGR0o7ub3mu9Z/AgsIZbY2Y0ZosNewnS6S+dyWehFjBGv5vfd4Jr3W6b+JonAciVBjbyJ2wGItKla0q+F05yDmgJTCGZKvmC2xw3+3H1stf+gPGL2lIK2/1UaH0U73xIqLJ5IbyiRfZHFcF/7Su+85CeL8qmPg9Z2Yhferkp36WP+4ct/oNvVYO+uaMPb4OkXCGSbtpya+lsM4IIAb3+qEcz3rdbtrSl83Sj1U25NYIb1kDL9P3G4kA1jP/7dTF1yzTA0J72rhZHoAqZwpkoqni4beYAuJ7R6nhvnDSGzsHqfjHGumcAGWh/ie/3WtMaP24hoe8ZJFOeEzD+FAyi151K+EWBnOhEwWXl2i4urhw=="
    static let wecomEventSignature = "27b28d21ed045e09a9649386dee87775e64bfba1"
    static let wecomEventTimestamp = "1764806400"
    static let wecomEventNonce = "wxnonce1"
    static let wecomEventMessage = "<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1764806400</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[update_user]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><NewUserID><![CDATA[zhang.san]]></NewUserID><Name><![CDATA[张三 &amp; <b>]]></Name></xml>"
    static let wecomEchoEncrypt = "LSG85j1V7gzDNMmaneStNhDoGc3RMAMpSUvVkINYhslKAabWEzhciLff7A+5hzcBX/dnKe/B2B5LOzEKPzEqJw=="
    static let wecomEchoSignature = "377da944ae0803a6f402f17f4d085ea2483b306c"
    static let wecomEchoTimestamp = "1764806401"
    static let wecomEchoNonce = "wxnonce2"
    static let dingTalkEventEncrypt = "kOw5RhJIt1jhd4mfO0Z/g63BM8OrwS6yTVCYiCs3JOdtZXmurVP1CWkPRpAKs48EcN4FmmHcGUP/B9NFBQv1/8KnoqbcrcBhZaM8IflbegefdmBfeM0xNGjWaEEfiABNz5Vy5lz1lWKJ2ug3BMfj3P5ZVZvLncoDPXnCcHg6I7WUkDx4zDU0OW5jB33s5oPTsP/+XBKzBtAdtUv2zAz76lHSGUIZQKO4MJX4ZSsZoRZJb0jI+j6GsbVKCxrrtQIp"
    static let dingTalkEventSignature = "b2ffb91994dd2dbd50f83a12a5e2733cd32b1d91"
    static let dingTalkEventTimestamp = "1764806400000"
    static let dingTalkEventNonce = "dtnonce1"
    static let dingTalkEventMessage = "{\"EventType\":\"org_dept_remove\",\"EventTime\":1764806400000,\"CorpId\":\"dingcorp\",\"BizId\":\"1764806400000000001\",\"eventId\":\"3f2a9c1e7b\",\"deptId\":[12345,678]}"
    static let feishuEventBody = "{\"encrypt\":\"AAECAwQFBgcICQoLDA0OD3IaNflcN+6Pa8bND1QDgb65KxrCAzX3q3yVIRKvWBGROXVQR8BzqQHS4Io3vPz6gLFlOm0o52ya76hbEvuhZ3rAbTb5vb/VVLbx5dJeXCR/coUFnXYDkh0HYLuIpBXdQtArdwAYBWf5o+ozvl5OOhy0cSnk277Q7vUK8OdD5eTsbG8Xa7927m45JL7VrtfHbRS0g8aX9TD5nZh4D5j6Pi+MsE0G5Vfm4Tpr51RQlSsiIlylfX2yJHoArXuu4f1FtL4Wkj4yk1cHXRXVsmk42alFDNyNj0eKki+Wxv7O85VtmyEf7n+rK0Zj3dDQqyZcd/4U5+sKfCzg/O9vpJ0C1Va7hxAWEzoKj73/xvY9ef66znykrfDK6zN3rcaGp9xqyA==\"}"
    static let feishuEventSignature = "29765d50c791f864113126cf8f7cabeff44ec21ebe567f232149c6800b9d081f"
    static let feishuEventMessage = "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"5e3702a84e847582be8db7fb73283c02\",\"token\":\"vector-verification\",\"create_time\":\"1764806400000\",\"event_type\":\"contact.user.deleted_v3\",\"tenant_key\":\"t1\",\"app_id\":\"cli_vector\"},\"event\":{\"object\":{\"open_id\":\"ou_1\",\"user_id\":\"li.si\",\"name\":\"李四\"}}}"
    /// DingTalk's answer to a push at `now`, with random bytes 01 02 … (the tests' fixed source):
    /// made by the simulator's crypto.wx_encrypt and wx_signature, and accepted by
    /// scripts/lib/platform_sim/dingtalk.py's check_callback_answer.
    static let dingTalkAnswer = #"{"msg_signature":"1b202925b161fef52c240a6d45f2e06d6de23f9d","timeStamp":"1764806400000","nonce":"01020304","encrypt":"lNDYCzNcl6Nef3loRh3gcBOAAjyA5dDr1J/LGsukGgY3ZA+ORQwTKaQrZzZ0IISmNdUOjshbo5Zggnh2f8Lmow=="}"#
}
