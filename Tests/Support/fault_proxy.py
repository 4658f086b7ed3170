"""A fault-injecting HTTP proxy for Slipway's registry tests.

Usage: fault_proxy.py LISTEN_PORT UPSTREAM_PORT FAULT_SHARE SEED [MODE]
Forwards every request to 127.0.0.1:UPSTREAM_PORT, except a share of them (chosen with a fixed
seed), which get a 503 or have their connection dropped without an answer (MODE "mixed", the
default: half each; "503": always a 503; "drop": always dropped). Two modes refuse one kind of
request instead, as some registries do: "refuse-mount" answers every cross-repository mount
(POST ...?mount=) with 403 DENIED, "refuse-oci" every PUT of an OCI manifest with 400
MANIFEST_INVALID. Location headers are
rewritten to point back at the proxy. Stops when its standard input closes, then prints its
counts as JSON on standard error.
"""
import http.client
import json
import http.server
import random
import socketserver
import sys
import threading

listen, upstream, share, seed = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
mode = sys.argv[5] if len(sys.argv) > 5 else "mixed"
cut = {"mixed": share / 2, "503": share, "drop": 0.0}.get(mode, 0.0)
if mode.startswith("refuse-"):
    share = 0.0
rng = random.Random(seed)
lock = threading.Lock()
stats = {"forwarded": 0, "503": 0, "dropped": 0, "refused": 0}


def refusal(command, path, headers):
    """The (status, code) a refuse-* mode answers this request with, or None."""
    if mode == "refuse-mount" and command == "POST" and "mount=" in path:
        return 403, "DENIED"
    content_type = headers.get("Content-Type") or ""
    if mode == "refuse-oci" and command == "PUT" and "/manifests/" in path and "vnd.oci.image.manifest" in content_type:
        return 400, "MANIFEST_INVALID"
    return None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        refused = refusal(self.command, self.path, self.headers)
        if refused:
            status, code = refused
            data = json.dumps({"errors": [{"code": code, "message": "refused by fault_proxy (%s)" % mode}]}).encode()
            with lock:
                stats["refused"] += 1
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        with lock:
            roll = rng.random()
        if roll < cut:
            with lock:
                stats["503"] += 1
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if roll < share:
            with lock:
                stats["dropped"] += 1
            self.close_connection = True
            self.connection.close()
            return
        conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST", "PATCH") else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            if key.lower() == "location":
                value = value.replace(f"127.0.0.1:{upstream}", f"127.0.0.1:{listen}")
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        with lock:
            stats["forwarded"] += 1

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", listen), Proxy)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
print(json.dumps(stats), file=sys.stderr, flush=True)
