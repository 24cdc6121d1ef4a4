#!/usr/bin/env python3
"""Reads back what SensorStation uploaded, with boto3 (an independent client), as JSON on stdout.

usage: readback.py --endpoint URL --access-key K --secret-key S COMMAND ...
  s3-list BUCKET PREFIX            → [{"key", "size"}]
  s3-lines BUCKET PREFIX           → {key: [decoded JSON lines]} for every object under PREFIX
  s3-get BUCKET KEY                → {"raw_b64": gzip bytes, "lines": [decoded JSON lines]}
  ddb-scan TABLE                   → [items as plain JSON (boto3 TypeDeserializer)]
  ddb-day TABLE THING DAY          → [one station's items of one UTC day (YYYY-MM-DD), in key order,
                                      by the query docs/upload.md gives]
  kinesis-read STREAM              → [{"partition_key", "data": decoded JSON or text}]
  sqs-drain QUEUE_URL              → [SNS envelopes {"Message", "Subject", "MessageAttributes", …}],
                                     every message received and deleted
  sqs-peek QUEUE                   → the same, the messages left in the queue (QUEUE: a URL or a name)
  shadow-get THING                 → the thing's Device Shadow document, or null when it has none
  shadow-desire THING JSON         → sets JSON (an object) as the shadow's desired state (merged, a
                                     null removes a key); the service's answer
"""
import argparse
import base64
import decimal
import gzip
import json
import sys

import boto3
from boto3.dynamodb.types import TypeDeserializer


def plain(v):
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, set, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    return v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("command")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    kw = dict(endpoint_url=a.endpoint, region_name=a.region, aws_access_key_id=a.access_key,
              aws_secret_access_key=a.secret_key)
    if a.command == "s3-list":
        s3 = boto3.client("s3", **kw)
        out, token = [], None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            r = s3.list_objects_v2(Bucket=a.args[0], Prefix=a.args[1] if len(a.args) > 1 else "", **extra)
            out += [{"key": o["Key"], "size": o["Size"]} for o in r.get("Contents", [])]
            if not r.get("IsTruncated"):
                break
            token = r["NextContinuationToken"]
        print(json.dumps(out))
    elif a.command == "s3-get":
        s3 = boto3.client("s3", **kw)
        raw = s3.get_object(Bucket=a.args[0], Key=a.args[1])["Body"].read()
        text = gzip.decompress(raw).decode()
        print(json.dumps({"raw_b64": base64.b64encode(raw).decode(),
                          "lines": [json.loads(line) for line in text.splitlines() if line]}))
    elif a.command == "s3-lines":
        # Every JSON line of every object under PREFIX: {"key": [lines…]} (one boto3 start).
        s3 = boto3.client("s3", **kw)
        out, token = {}, None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            r = s3.list_objects_v2(Bucket=a.args[0], Prefix=a.args[1], **extra)
            for o in r.get("Contents", []):
                raw = s3.get_object(Bucket=a.args[0], Key=o["Key"])["Body"].read()
                out[o["Key"]] = [json.loads(x) for x in gzip.decompress(raw).decode().splitlines() if x]
            if not r.get("IsTruncated"):
                break
            token = r["NextContinuationToken"]
        print(json.dumps(out))
    elif a.command == "ddb-scan":
        ddb = boto3.client("dynamodb", **kw)
        d = TypeDeserializer()
        items, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            r = ddb.scan(TableName=a.args[0], **extra)
            items += [plain({k: d.deserialize(v) for k, v in it.items()}) for it in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        print(json.dumps(items))
    elif a.command == "ddb-day":
        # serial_number = THING AND timestamp BETWEEN DAY AND the next day: the sort key starts
        # with the ISO time, so the day's items are one contiguous range.
        import datetime
        table, thing, day = a.args[0], a.args[1], a.args[2]
        nxt = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
        ddb = boto3.client("dynamodb", **kw)
        d = TypeDeserializer()
        items, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            r = ddb.query(TableName=table,
                          KeyConditionExpression="serial_number = :t AND #ts BETWEEN :a AND :b",
                          ExpressionAttributeNames={"#ts": "timestamp"},
                          ExpressionAttributeValues={":t": {"S": thing}, ":a": {"S": day}, ":b": {"S": nxt}},
                          **extra)
            items += [plain({k: d.deserialize(v) for k, v in it.items()}) for it in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        print(json.dumps(items))
    elif a.command == "kinesis-read":
        k = boto3.client("kinesis", **kw)
        out = []
        for shard in k.list_shards(StreamName=a.args[0])["Shards"]:
            it = k.get_shard_iterator(StreamName=a.args[0], ShardId=shard["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = k.get_records(ShardIterator=it, Limit=10000)
                for rec in r["Records"]:
                    try:
                        data = json.loads(rec["Data"])
                    except ValueError:
                        data = rec["Data"].decode(errors="replace")
                    out.append({"partition_key": rec["PartitionKey"], "data": data})
                if not r["Records"] or r.get("MillisBehindLatest", 0) == 0:
                    break
                it = r.get("NextShardIterator")
        print(json.dumps(out))
    elif a.command == "sqs-drain":
        sqs = boto3.client("sqs", **kw)
        out = []
        while True:
            r = sqs.receive_message(QueueUrl=a.args[0], MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = r.get("Messages", [])
            if not messages:
                break
            for m in messages:
                out.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=a.args[0], ReceiptHandle=m["ReceiptHandle"])
        print(json.dumps(out))
    elif a.command == "sqs-peek":
        # Received with a visibility timeout of 0, so they stay for the next look.
        sqs = boto3.client("sqs", **kw)
        queue = a.args[0] if a.args[0].startswith("http") else sqs.get_queue_url(QueueName=a.args[0])["QueueUrl"]
        seen = {}
        for _ in range(5):
            r = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0)
            new = [m for m in r.get("Messages", []) if m["MessageId"] not in seen]
            if not new:
                break
            for m in new:
                seen[m["MessageId"]] = json.loads(m["Body"])
        print(json.dumps(list(seen.values())))
    elif a.command == "shadow-get":
        data = boto3.client("iot-data", **kw)
        try:
            print(data.get_thing_shadow(thingName=a.args[0])["payload"].read().decode())
        except data.exceptions.ResourceNotFoundException:
            print("null")
    elif a.command == "shadow-desire":
        data = boto3.client("iot-data", **kw)
        payload = json.dumps({"state": {"desired": json.loads(a.args[1])}})
        print(data.update_thing_shadow(thingName=a.args[0], payload=payload)["payload"].read().decode())
    else:
        print(f"unknown command {a.command}", file=sys.stderr)
        sys.exit(64)


if __name__ == "__main__":
    main()
