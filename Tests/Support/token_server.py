"""A token server for Slipway's registry tests (distribution's token auth, docs/spec/auth/token.md).

Usage: token_server.py PORT KEY.pem CERT.pem ISSUER SERVICE USER PASSWORD
GET /token?service=...&scope=repository:NAME:pull,push with Basic USER:PASSWORD answers
{"token": JWT, "expires_in": 60}; the JWT is RS256-signed with KEY.pem (signed by `openssl dgst`)
and carries CERT.pem in its x5c header, which the registry trusts through rootcertbundle.
Anonymous or wrong credentials get 401. Stops when its standard input closes.
"""
import base64
import http.server
import json
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

port, key, cert, issuer, service, user, password = sys.argv[1:8]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout
x5c = [base64.b64encode(der).decode()]
issued = {"count": 0}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"alg": "RS256", "typ": "JWT", "x5c": x5c}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                               capture_output=True, check=True).stdout
    return signing_input + "." + b64(signature)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if url.path != "/token" or self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
            return
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        token = sign({"iss": issuer, "sub": user, "aud": query.get("service", [service])[0], "exp": now + 60,
                      "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access})
        issued["count"] += 1
        body = json.dumps({"token": token, "expires_in": 60, "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", int(port)), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
print(f"tokens issued: {issued['count']}", file=sys.stderr, flush=True)
