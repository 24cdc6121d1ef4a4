#!/usr/bin/env python3
"""A local stand-in for the AWS IoT credentials provider, for SensorStation's tests.

HTTPS with client-certificate verification (mutual TLS, TLS 1.2+) against a test CA. On
`GET /role-aliases/<alias>/credentials` with `x-amzn-iot-thingname`, it checks that the alias is
known and that the thing is attached to the presented certificate (here: the certificate's CN is
the thing name and the thing is in --things), then mints REAL temporary credentials by calling STS
AssumeRole on a moto server with an IAM user's keys, and answers in the documented shape:

    {"credentials":{"accessKeyId":…,"secretAccessKey":…,"sessionToken":…,"expiration":…}}

Failures use the documented bodies ({"message": …}) and x-amzn-ErrorType. A plain-HTTP control
port on 127.0.0.1 lets a test queue failures and change the lifetime:
    POST /fail      {"status": 503, "message": "…", "count": 2}    next 2 answers are that failure
    POST /fail      {"action": "reset", "count": 1}                  next answer: the TCP connection is reset (RST)
    POST /fail      {"action": "hang", "seconds": 30, "count": 1}    next answer: nothing for 30 s, then close
    POST /lifetime  {"seconds": 45}                                   expiration = now + 45 s (negative: in the past)
    POST /skew      {"seconds": 3600}                                 the endpoint's clock runs 3600 s ahead of this
                                                                      machine's: the Date header and the expiration
    GET  /stats     {"requests": n, "issued": n, "thing_names": [...], "queued": failures not yet used}

On start it prints one line of JSON to stdout: {"port": P, "control_port": C}.
usage: credentials_endpoint.py --cert server.pem --key server.key --ca ca.pem --moto URL
         --user-keys keys.json --role-arn ARN [--port 0] [--control-port 0] [--host 127.0.0.1]
         [--role-alias sensorstation] [--things TestThing] [--revoked-cn CN] [--lifetime S]
"""
import argparse
import datetime
import email.utils
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time

import boto3

from parent_watch import exit_with_parent

DOCUMENTED = {
    "certificate": (403, "Certificate is invalid on this endpoint", "ForbiddenException"),
    "thing": (403, "Invalid thing name passed", "ForbiddenException"),
    "access": (403, "Access Denied", "AccessDeniedException"),
    "alias": (404, "Role alias does not exist", "ResourceNotFoundException"),
    "assume": (400, "Unable to assume the role, or the role to assume does not exist", "InvalidRequestException"),
    "duration": (400, "The requested CredentialDurationSeconds exceeds the MaxSessionDuration set for the role",
                 "InvalidRequestException"),
}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.failures = []  # [(status, message, error_type, action, seconds)]
        self.skew = 0
        self.lifetime = args.lifetime
        self.requests = 0
        self.issued = 0
        self.thing_names = []
        keys = json.load(open(args.user_keys))
        self.sts = boto3.client("sts", endpoint_url=args.moto, region_name="us-east-1",
                                aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"])


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeIoTCredentials/1"

        def log_message(self, fmt, *a):
            sys.stderr.write("credentials_endpoint: " + (fmt % a) + "\n")

        def date_time_string(self, timestamp=None):
            return email.utils.formatdate((timestamp or time.time()) + state.skew, usegmt=True)

        def answer(self, status, body, error_type=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(data)

        def fail(self, key):
            status, message, etype = DOCUMENTED[key]
            self.answer(status, {"message": message}, etype)

        def do_GET(self):
            with state.lock:
                state.requests += 1
                queued = state.failures.pop(0) if state.failures else None
                lifetime = state.lifetime
            if queued:
                status, message, etype, action, seconds = queued
                if action == "hang":
                    time.sleep(seconds)
                    self.close_connection = True
                    return
                if action == "reset":  # SO_LINGER 0: close() sends a RST instead of a FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                return self.answer(status, {"message": message}, etype)
            parts = self.path.split("?")[0].split("/")
            if len(parts) != 4 or parts[1] != "role-aliases" or parts[3] != "credentials":
                return self.answer(404, {"message": "Not Found"}, "ResourceNotFoundException")
            if parts[2] != state.args.role_alias:
                return self.fail("alias")
            cert = self.connection.getpeercert()
            cn = next((v for rdn in cert.get("subject", ()) for (k, v) in rdn if k == "commonName"), None)
            if cn in state.args.revoked_cn:
                return self.fail("certificate")
            thing = self.headers.get("x-amzn-iot-thingname")
            with state.lock:
                state.thing_names.append(thing)
            if thing is None or thing not in state.args.things or cn != thing:
                return self.fail("thing")
            try:
                r = state.sts.assume_role(RoleArn=state.args.role_arn, RoleSessionName=thing, DurationSeconds=900)
            except Exception as e:  # moto unreachable or refusing: a 500, as AWS would
                return self.answer(500, {"message": f"Internal error: {type(e).__name__}"}, "InternalFailure")
            c = r["Credentials"]
            expiration = c["Expiration"]
            if lifetime is not None:
                expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
            expiration += datetime.timedelta(seconds=state.skew)  # the endpoint's clock runs ahead: all of its times
            with state.lock:
                state.issued += 1
            self.answer(200, {"credentials": {
                "accessKeyId": c["AccessKeyId"],
                "secretAccessKey": c["SecretAccessKey"],
                "sessionToken": c["SessionToken"],
                "expiration": expiration.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }})
    return Handler


def make_control(state):
    class Control(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def reply(self, obj):
            data = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with state.lock:
                self.reply({"requests": state.requests, "issued": state.issued, "thing_names": state.thing_names,
                            "queued": len(state.failures)})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            with state.lock:
                if self.path == "/fail":
                    status = int(body.get("status", 0))
                    etype = body.get("error_type", "ThrottlingException" if status == 429 else "InternalFailure")
                    state.failures += [(status, body.get("message", "injected"), etype, body.get("action"),
                                        float(body.get("seconds", 0)))] * int(body.get("count", 1))
                elif self.path == "/skew":
                    state.skew = float(body.get("seconds", 0))
                elif self.path == "/lifetime":
                    state.lifetime = body.get("seconds")
            self.reply({"ok": True})
    return Control


def main():
    exit_with_parent()
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--control-port", type=int, default=0)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--moto", required=True)
    p.add_argument("--user-keys", required=True)
    p.add_argument("--role-arn", required=True)
    p.add_argument("--role-alias", default="sensorstation")
    p.add_argument("--things", nargs="*", default=["TestThing"])
    p.add_argument("--revoked-cn", nargs="*", default=[])
    p.add_argument("--lifetime", type=int, default=None)
    args = p.parse_args()
    state = State(args)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.load_verify_locations(args.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED

    server = http.server.ThreadingHTTPServer((args.host, args.port), make_handler(state))
    server.daemon_threads = True
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    control = http.server.ThreadingHTTPServer(("127.0.0.1", args.control_port), make_control(state))
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1], "control_port": control.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
