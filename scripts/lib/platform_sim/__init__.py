"""Contract simulators of chat-platform directories (DingTalk, WeCom, Feishu).

These are not the platforms. Each simulator serves the documented endpoints scimsync uses, with
the platform's request and answer shapes, error codes, paging, token expiry, rate limits and
signed, encrypted event callbacks, over a directory held in memory. The shared parts live here:
`core` (the HTTP server, routing, tokens, rate limits, the control API) and `crypto` (the
callback encryption schemes).
"""
