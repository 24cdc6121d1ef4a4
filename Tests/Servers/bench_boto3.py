#!/usr/bin/env python3
"""The boto3 side of `sensorstation-bench upload`: the same uploads as the Swift client, to the same
moto, measured the same way (wall time, and this process's user+system CPU time).

usage: bench_boto3.py --endpoint URL --access-key K --secret-key S --records N
         --bucket B --table T --stream S
Prints one JSON object: {"s3": {...}, "dynamodb": {...}, "kinesis": {...}} with wall_s and cpu_s each.
"""
import argparse
import gzip
import json
import resource
import time

import boto3


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def records(n):
    # The same shape as the Swift benchmark's rows (a weather reading as the station logs it).
    return [{"kind": "weather", "id": i, "time": f"2026-11-23T06:{(i // 60) % 60:02d}:{i % 60:02d}.000Z",
             "sensor": "bme280", "temperature_c": 20 + (i % 10) / 10, "humidity_pct": 50.0,
             "pressure_pa": 101325.0 + i} for i in range(1, n + 1)]


def measure(fn):
    c0, t0 = cpu(), time.perf_counter()
    fn()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": cpu() - c0}


def main():
    p = argparse.ArgumentParser()
    for a in ("endpoint", "access-key", "secret-key", "bucket", "table", "stream"):
        p.add_argument("--" + a, required=True)
    p.add_argument("--records", type=int, default=10000)
    a = p.parse_args()
    kw = dict(endpoint_url=a.endpoint, region_name="us-east-1", aws_access_key_id=a.access_key,
              aws_secret_access_key=a.secret_key)
    s3, ddb, kin = boto3.client("s3", **kw), boto3.client("dynamodb", **kw), boto3.client("kinesis", **kw)
    rows = records(a.records)

    def do_s3():
        for i in range(0, len(rows), 500):
            batch = rows[i:i + 500]
            body = gzip.compress("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in batch).encode(), mtime=0)
            s3.put_object(Bucket=a.bucket, Key=f"bench-boto3/{batch[0]['id']}-{batch[-1]['id']}.jsonl.gz", Body=body,
                          ContentType="application/x-ndjson", ContentEncoding="gzip")

    def item(r):
        out = {"serial_number": {"S": "BenchThing"}, "timestamp": {"S": r["time"] + str(r["id"])}}
        for k, v in r.items():
            if k in ("time",):
                continue
            out[k] = {"N": str(v)} if isinstance(v, (int, float)) else {"S": str(v)}
        return out

    def do_ddb():
        for i in range(0, len(rows), 25):
            req = {a.table: [{"PutRequest": {"Item": item(r)}} for r in rows[i:i + 25]]}
            while req:
                req = ddb.batch_write_item(RequestItems=req).get("UnprocessedItems") or None

    def do_kinesis():
        for i in range(0, len(rows), 500):
            entries = [{"Data": json.dumps(r, separators=(",", ":")).encode(), "PartitionKey": "BenchThing"}
                       for r in rows[i:i + 500]]
            while entries:
                res = kin.put_records(StreamName=a.stream, Records=entries)
                entries = [e for e, r in zip(entries, res["Records"]) if "ErrorCode" in r]

    print(json.dumps({"s3": measure(do_s3), "dynamodb": measure(do_ddb), "kinesis": measure(do_kinesis)}))


if __name__ == "__main__":
    main()
