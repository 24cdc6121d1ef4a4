#!/usr/bin/env python3
"""moto (S3, DynamoDB, Kinesis, SNS, SQS, IoT data plane, IAM, STS) behind a small proxy, for SensorStation's tests.

1. Starts moto's server in this process on an internal loopback port.
2. Sets up, unauthenticated: an IAM user with an access key and an allow-all inline policy, a role
   the user may assume (what the IoT credentials endpoint assumes), an S3 bucket, two DynamoDB
   tables keyed like the AWS IoT thermostat example (serial_number HASH, timestamp RANGE, both
   strings), a Kinesis stream, two SNS topics (standard and FIFO) each with an SQS queue
   subscribed, and IoT things (--things) for the Device Shadow tests.
3. Switches signature checking on (POST /moto-api/reset-auth, body 0).
4. Serves a forwarding proxy on the public port. Restarting moto loses its data, so outages are
   simulated here instead: while an outage is on, the proxy closes every new connection at once.

Control (plain HTTP, 127.0.0.1:<control_port>):
    POST /outage {"on": true|false}       GET /stats {"forwarded": n, "refused": n, "killed": n}
    POST /kill-after {"action": "Publish", "pid": N}
        once: the next request whose form body has Action=<action> goes to moto; when moto
        accepted it (2xx), process N gets SIGKILL and the connection closes without an answer.
        What the client sees is a crash right after its request was carried out.
Prints one JSON line: {"port", "control_port", "moto_port", "user": {accessKeyId, secretAccessKey},
"role_arn", "bucket", "weather_table", "impact_table", "stream", "topic_arn", "queue_url",
"fifo_topic_arn", "fifo_queue_url"}. The same JSON is written to
--state-file if given.

About the raw-path S3 signature bug (moto 5.2.1, see docs/upload.md): with moto 5.2.5 and
Werkzeug 3.1 a correctly signed PutObject whose key contains = + , : succeeds; the Swift tests keep
such keys (date partitions `year=YYYY`) and a wrong-secret rejection test, so a regression shows.
"""
import argparse
import http.client
import http.server
import json
import os
import signal
import socket
import threading

import boto3
import requests
from moto.server import ThreadedMotoServer

from parent_watch import exit_with_parent

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


def fix_moto_iotdata_get_signature():
    """moto 5.2.6 checks the signature of a body-less request to the IoT data plane (GetThingShadow)
    over its parsed form data instead of the empty body, so every correctly signed GET fails with
    SignatureDoesNotMatch, boto3's included (seen with readback.py shadow-get). Check it over the
    empty body the client signed; a wrong signature still fails."""
    from moto.iam import access_control

    original = access_control.IAMRequestBase._create_aws_request

    def create_aws_request(self):
        if self._service == "iotdata" and not self._body:
            saved, self._data = self._data, b""
            try:
                return original(self)
            finally:
                self._data = saved
        return original(self)

    access_control.IAMRequestBase._create_aws_request = create_aws_request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def setup(url, args):
    kw = dict(endpoint_url=url, region_name=args.region, aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    user = iam.create_user(UserName="sensorstation-test")["User"]
    iam.put_user_policy(UserName="sensorstation-test", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="sensorstation-test")["AccessKey"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": user["Arn"], "Service": "credentials.iot.amazonaws.com"}}]}
    role = iam.create_role(RoleName="sensorstation-device", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName="sensorstation-device", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    boto3.client("s3", **kw).create_bucket(Bucket=args.bucket)
    ddb = boto3.client("dynamodb", **kw)
    for table in (args.weather_table, args.impact_table):
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "serial_number", "KeyType": "HASH"},
                                    {"AttributeName": "timestamp", "KeyType": "RANGE"}],
                         AttributeDefinitions=[{"AttributeName": "serial_number", "AttributeType": "S"},
                                               {"AttributeName": "timestamp", "AttributeType": "S"}])
    boto3.client("kinesis", **kw).create_stream(StreamName=args.stream, ShardCount=1)
    # Impact alerts: an SNS topic (and a FIFO one) with an SQS queue subscribed to each, which the
    # tests read to see exactly what a person's phone or mailbox would be sent.
    sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
    alerts = {}
    for kind, suffix, attributes in (("", "", {}), ("fifo_", ".fifo", {"FifoTopic": "true"})):
        topic = sns.create_topic(Name=args.topic + suffix, Attributes=attributes)["TopicArn"]
        queue_attributes = {"FifoQueue": "true"} if suffix else {}
        queue = sqs.create_queue(QueueName=args.topic + "-queue" + suffix, Attributes=queue_attributes)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        alerts[kind + "topic_arn"], alerts[kind + "queue_url"] = topic, queue
    # Device Shadows (docs/shadow.md): the things whose shadows the tests read and write.
    iot = boto3.client("iot", **kw)
    for thing in args.things.split(","):
        iot.create_thing(thingName=thing)
    r = requests.post(url + "/moto-api/reset-auth", data=b"0")
    r.raise_for_status()
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}, role["Arn"], alerts


class Proxy:
    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.outage = False
        self.forwarded = 0
        self.refused = 0
        self.killed = 0
        self.kill_after = None  # (action bytes, pid)
        self.lock = threading.Lock()


def make_proxy_handler(proxy):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def hang_up(self):
            """Closes the client's connection without an answer."""
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def handle_one_request(self):
            if proxy.outage:
                with proxy.lock:
                    proxy.refused += 1
                self.hang_up()
                return
            super().handle_one_request()

        def forward(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
            # self.path is the raw request target, byte for byte as the client sent it.
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if self.kill_armed(body, resp.status):
                conn.close()
                self.hang_up()
                return
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP and k.lower() != "content-length" and k.lower() not in ("server", "date"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()
            with proxy.lock:
                proxy.forwarded += 1

        def kill_armed(self, body, status):
            with proxy.lock:
                if proxy.kill_after is None or not (200 <= status < 300):
                    return False
                action, pid = proxy.kill_after
                if b"&Action=" + action + b"&" not in b"&" + (body or b"") + b"&":
                    return False
                proxy.kill_after = None
                proxy.killed += 1
            os.kill(pid, signal.SIGKILL)
            return True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward
    return Handler


def make_control_handler(proxy):
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
            with proxy.lock:
                self.reply({"forwarded": proxy.forwarded, "refused": proxy.refused, "outage": proxy.outage,
                            "killed": proxy.killed})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if self.path == "/outage":
                proxy.outage = bool(body.get("on"))
            elif self.path == "/kill-after":
                with proxy.lock:
                    proxy.kill_after = (str(body["action"]).encode(), int(body["pid"]))
            self.reply({"ok": True, "outage": proxy.outage})
    return Control


def main():
    exit_with_parent()
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--control-port", type=int, default=0)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--bucket", default="sensorstation-test")
    p.add_argument("--weather-table", default="sensorstation-weather")
    p.add_argument("--impact-table", default="sensorstation-impacts")
    p.add_argument("--stream", default="sensorstation-live")
    p.add_argument("--topic", default="sensorstation-alerts")
    p.add_argument("--things", default="TestThing,ShadowThing")
    p.add_argument("--state-file")
    args = p.parse_args()

    fix_moto_iotdata_get_signature()
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{moto_port}"
    user, role_arn, alerts = setup(url, args)

    proxy = Proxy(moto_port)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_proxy_handler(proxy))
    server.daemon_threads = True
    control = http.server.ThreadingHTTPServer(("127.0.0.1", args.control_port), make_control_handler(proxy))
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, daemon=True).start()
    state = {"port": server.server_address[1], "control_port": control.server_address[1], "moto_port": moto_port,
             "user": user, "role_arn": role_arn, "region": args.region, "bucket": args.bucket,
             "weather_table": args.weather_table, "impact_table": args.impact_table, "stream": args.stream,
             "things": args.things.split(","), **alerts}
    if args.state_file:
        with open(args.state_file, "w") as f:
            json.dump(state, f)
    print(json.dumps(state), flush=True)
    try:
        server.serve_forever()
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
