#!/usr/bin/env python3
"""Reads the station's S3 objects where they land, with DuckDB (httpfs pointed at moto, hive
partitioning), as docs/upload.md's "Query the data where it lands" says to, and prints per-day
aggregates of one numeric column as JSON lines:

    duckdb_query.py --endpoint http://127.0.0.1:PORT --access-key K --secret-key S \\
        --bucket B --prefix P --thing T --kind weather --column temperature_c [--max-id N]

→ {"day": "2026-11-23", "rows": n, "min": x, "max": y, "mean": z} per day, in day order. Rows with
an id above --max-id (a batch that may be in S3 without being confirmed) are left out.
"""
import argparse
import json
import pathlib
import urllib.parse

import duckdb
import duckdb_extension_httpfs

a = argparse.ArgumentParser()
for k in ["endpoint", "access-key", "secret-key", "bucket", "prefix", "thing", "kind", "column"]:
    a.add_argument("--" + k, required=True)
a.add_argument("--max-id", type=int, default=None)
args = a.parse_args()

con = duckdb.connect()
version = con.sql("PRAGMA version").fetchone()[0]
ext = pathlib.Path(duckdb_extension_httpfs.__file__).parent / "extensions" / version / "httpfs.duckdb_extension"
con.sql(f"LOAD '{ext}'")
url = urllib.parse.urlparse(args.endpoint)
con.execute(
    "CREATE SECRET moto (TYPE s3, KEY_ID ?, SECRET ?, REGION 'us-east-1', ENDPOINT ?, URL_STYLE 'path', USE_SSL ?)",
    [args.access_key, args.secret_key, url.netloc, url.scheme == "https"])
column = '"' + args.column.replace('"', '""') + '"'
where = "" if args.max_id is None else f"WHERE id <= {int(args.max_id)}"
glob = f"s3://{args.bucket}/{args.prefix}/{args.thing}/{args.kind}/*/*/*/*.jsonl.gz"
rows = con.execute(f"""
    SELECT concat_ws('-', year, month, day) AS d, count(*), min({column}), max({column}), avg({column})
    FROM read_json(?, format = 'newline_delimited', hive_partitioning = true)
    {where}
    GROUP BY d ORDER BY d
""", [glob]).fetchall()
for d, n, lo, hi, mean in rows:
    print(json.dumps({"day": d, "rows": n, "min": lo, "max": hi, "mean": mean}))
