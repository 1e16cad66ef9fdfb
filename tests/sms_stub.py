"""A local stand-in for Tencent Cloud's SMS endpoint (sms.tencentcloudapi.com): it checks the TC3-HMAC-SHA256
signature the way the provider documents it, records each request and answers as the provider does."""

import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_ID, SECRET_KEY = "AKIDstubsecretid", "stub-secret-key"


def _expected_signature(headers, body):
    timestamp = int(headers["X-TC-Timestamp"])
    day = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['Content-Type']}\nhost:{headers['Host']}\n\ncontent-type;host\n"
        + hashlib.sha256(body).hexdigest()
    )
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{day}/sms/tc3_request\n" + hashlib.sha256(canonical.encode()).hexdigest()
    key = ("TC3" + SECRET_KEY).encode()
    for part in (day, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class SmsStub:
    def __init__(self, fail_first=0):
        self.requests, self.fail_first = [], fail_first
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                auth = self.headers.get("Authorization", "")
                signed = auth.endswith("Signature=" + _expected_signature(self.headers, body)) and f"Credential={SECRET_ID}/" in auth
                payload = json.loads(body)
                stub.requests.append({"action": self.headers.get("X-TC-Action"), "signed": signed, "payload": payload})
                if not signed:
                    answer = {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}
                elif len(stub.requests) <= stub.fail_first:
                    answer = {"Error": {"Code": "InternalError.Timeout", "Message": "try again"}}
                else:
                    answer = {"SendStatusSet": [{"Code": "Ok", "PhoneNumber": payload["PhoneNumberSet"][0]}]}
                data = json.dumps({"Response": {**answer, "RequestId": "stub"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def options(self):
        return {"secret_id": SECRET_ID, "secret_key": SECRET_KEY, "sdk_app_id": "1400000000", "region": "ap-guangzhou", "endpoint": self.url}
