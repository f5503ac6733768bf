"""A stand-in for HashiCorp Vault's HTTP API, for the parts sops and chaos use.

Vault itself cannot be built here (its module has replace directives `go install` refuses), so
the Vault tests run against this: the transit engine's encrypt and decrypt, which sops calls
for `hc_vault` keys (Vault API docs, "Transit Secrets Engine": `POST|PUT /v1/:mount/encrypt/:name`
with `{"plaintext": base64}` returning `{"data": {"ciphertext": "vault:v1:..."}}`, and decrypt
the reverse), `GET /v1/sys/seal-status`, and `GET /v1/auth/token/lookup-self`. Every request must
carry the one valid token in `X-Vault-Token`, else 403 `{"errors": ["permission denied"]}` as
Vault answers. The ciphertext really is encrypted (XOR with a per-key stream from a secret only
the server holds), so a file encrypted through it cannot be opened without asking it.

    with FakeVault(token="hvs.test") as vault:
        uri = vault.key_uri("sops")      # http://127.0.0.1:PORT/v1/transit/keys/sops
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class FakeVault:
    def __init__(self, token: str, mount: str = "transit") -> None:
        self.token = token
        self.mount = mount
        self.secret = os.urandom(32)
        self.requests: list[dict] = []  # method, path and whether the token was right
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def key_uri(self, name: str) -> str:
        return f"{self.address}/v1/{self.mount}/keys/{name}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _stream(self, key: str, length: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < length:
            block = f"{key}:{counter}".encode()
            out += hashlib.sha256(self.secret + block).digest()
            counter += 1
        return out[:length]

    def _transit(self, op: str, key: str, body: dict) -> tuple[int, dict]:
        if op == "encrypt":
            plain = base64.b64decode(body.get("plaintext", ""), validate=True)
            sealed = bytes(a ^ b for a, b in zip(plain, self._stream(key, len(plain)), strict=True))
            return 200, {
                "data": {
                    "ciphertext": "vault:v1:" + base64.b64encode(sealed).decode(),
                    "key_version": 1,
                }
            }
        ciphertext = str(body.get("ciphertext", ""))
        if not ciphertext.startswith("vault:v1:"):
            return 400, {"errors": ["invalid ciphertext: no prefix"]}
        sealed = base64.b64decode(ciphertext[len("vault:v1:") :])
        plain = bytes(a ^ b for a, b in zip(sealed, self._stream(key, len(sealed)), strict=True))
        return 200, {"data": {"plaintext": base64.b64encode(plain).decode()}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        vault = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet: the tests read vault.requests
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                authorised = self.headers.get("X-Vault-Token") == vault.token
                vault.requests.append(
                    {"method": self.command, "path": self.path, "authorised": authorised}
                )
                if self.path == "/v1/sys/seal-status":  # unauthenticated in Vault too
                    return self._reply(
                        200,
                        {"type": "shamir", "initialized": True, "sealed": False, "t": 1, "n": 1},
                    )
                if not authorised:
                    return self._reply(403, {"errors": ["permission denied"]})
                if self.path == "/v1/auth/token/lookup-self" and self.command == "GET":
                    return self._reply(200, {"data": {"policies": ["default"], "ttl": 3600}})
                parts = self.path.strip("/").split("/")
                if (
                    len(parts) == 4
                    and parts[0] == "v1"
                    and parts[1] == vault.mount
                    and parts[2] in ("encrypt", "decrypt")
                ):
                    if self.command not in ("PUT", "POST"):
                        return self._reply(405, {"errors": ["unsupported operation"]})
                    try:
                        body = json.loads(raw or b"{}")
                        status, payload = vault._transit(parts[2], parts[3], body)
                    except (ValueError, TypeError) as e:
                        status, payload = 400, {"errors": [f"invalid request: {e}"]}
                    return self._reply(status, payload)
                return self._reply(404, {"errors": []})

            do_GET = do_PUT = do_POST = _handle

        return Handler
