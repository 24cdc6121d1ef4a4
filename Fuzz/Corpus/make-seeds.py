#!/usr/bin/env python3
"""Writes the generated seed files of Fuzz/Corpus (the hand-picked ones are committed as they are).

Run from the repository root: python3 Fuzz/Corpus/make-seeds.py. Sources of the bytes:
- BME280: the calibration and ADC values of Tests/DriversTests (datasheet-typical trimming
  t1=27504 ... h6=30, adcT=519888 -> 25.08 degC, adcP=415148 -> 100653.25 Pa).
- Accelerometers: each chip's WHO_AM_I/DEVID value (ADXL345 0xE5, LIS3DH 0x33, LIS331 0x32,
  MPU-6050 0x68) followed by the register answers each driver reads, in its order, for a chip at
  rest (+1 g on z).
- Waveform: an encoded capture made with the same layout as Detection/WaveformCodec.swift.
"""
import os, struct, zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)))

def write(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# --- FuzzDrivers: [selector, variant] + tape -------------------------------------------------
def le16(v): return struct.pack("<H", v & 0xFFFF)
cal = dict(t1=27504, t2=26435, t3=-1000, p1=36477, p2=-10685, p3=3024, p4=2855, p5=140, p6=-7,
           p7=15500, p8=-14600, p9=6000, h1=75, h2=362, h3=0, h4=313, h5=50, h6=30)
b1 = b"".join(le16(cal[k]) for k in ["t1", "t2", "t3", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"])
b1 += bytes([0x00, cal["h1"]])
h4, h5 = cal["h4"] & 0xFFF, cal["h5"] & 0xFFF
b2 = le16(cal["h2"]) + bytes([cal["h3"], h4 >> 4, (h4 & 0x0F) | ((h5 & 0x0F) << 4), h5 >> 4, cal["h6"] & 0xFF])
def bme_data(p=415148, t=519888, h=30000):
    return bytes([p >> 12 & 0xFF, p >> 4 & 0xFF, (p & 0x0F) << 4, t >> 12 & 0xFF, t >> 4 & 0xFF, (t & 0x0F) << 4, h >> 8, h & 0xFF])
bme_init = bytes([0x60, 0x01, 0x00]) + b1 + b2
write("FuzzDrivers", "bme280-forced", bytes([0x00, 0x00]) + bme_init + (bytes([0x00]) + bme_data()) * 8)
write("FuzzDrivers", "bme280-normal", bytes([0x01, 0x01]) + bme_init + bme_data() * 8)
write("FuzzDrivers", "bmp280-forced", bytes([0x00, 0x00, 0x58, 0x00]) + b1 + (bytes([0x00]) + bme_data()[:6]) * 8)
write("FuzzDrivers", "bme280-floating-bus", bytes([0x10, 0x00, 0x60, 0x00]) + b"\xff" * 33)
adxl_frame = le16(0) + le16(0) + le16(256)  # +1 g on z at 3.9 mg/LSB
write("FuzzDrivers", "adxl345-fifo", bytes([0x02, 0x03, 0xE5]) + (bytes([0x02]) + adxl_frame * 2) * 8)
write("FuzzDrivers", "adxl345-polled", bytes([0x02, 0x07, 0xE5]) + (bytes([0x80]) + adxl_frame) * 8)
write("FuzzDrivers", "adxl375-fifo", bytes([0x03, 0x00, 0xE5]) + (bytes([0x01]) + le16(0) + le16(0) + le16(20)) * 8)
lis_frame = le16(0) + le16(0) + le16(1000 << 4)  # 12-bit left-justified, 1 mg/digit at ±2 g
write("FuzzDrivers", "lis3dh-fifo", bytes([0x04, 0x00, 0x33]) + (bytes([0x02]) + lis_frame * 2) * 8)
write("FuzzDrivers", "lis3dh-polled", bytes([0x04, 0x04, 0x33]) + (bytes([0x08]) + lis_frame) * 8)
write("FuzzDrivers", "h3lis331dl", bytes([0x25, 0x00, 0x32]) + (bytes([0x08]) + le16(0) + le16(0) + le16(20 << 4)) * 8)
write("FuzzDrivers", "lis331hh", bytes([0x06, 0x00, 0x32]) + (bytes([0x08]) + le16(0) + le16(0) + le16(333 << 4)) * 8)
write("FuzzDrivers", "mpu6050", bytes([0x37, 0x03, 0x68]) + (bytes([0x01]) + bytes([0, 0, 0, 0, 0x08, 0x00])) * 8)
write("FuzzDrivers", "bme280-calibration-and-frame", b1 + b2 + bme_data())

# --- FuzzWaveform: WaveformCodec format version 1 --------------------------------------------
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: return bytes(out)
def zz(n): return (n << 1) ^ (n >> 63) if n >= 0 else ((-n) << 1) - 1
def waveform(samples):
    out = bytearray(b"SSWF\x01") + varint(len(samples))
    if samples:
        t0 = samples[0][0]
        out += struct.pack("<d", t0)
        pm, px, py, pz = 0, 0, 0, 0
        for t, x, y, z, sat in samples:
            m = round((t - t0) * 1e6); q = [round(v / 1e-4) for v in (x, y, z)]
            out += varint(zz(m - pm) << 1 | sat)
            out += varint(zz(q[0] - px)) + varint(zz(q[1] - py)) + varint(zz(q[2] - pz))
            pm, (px, py, pz) = m, q
    out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF)
    return bytes(out)
import math
pulse = [(1000.0 + i / 800, 0.01 * i % 0.05, -0.02, 1.0 + 6.0 * max(0.0, math.sin(math.pi * (i - 20) / 40)) if 20 <= i < 60 else 1.0, 1 if 38 <= i <= 41 else 0) for i in range(80)]
write("FuzzWaveform", "impact-80-samples", waveform(pulse))
write("FuzzWaveform", "empty-waveform", waveform([]))
write("FuzzWaveform", "raw-batch-2-samples", struct.pack("<q", 1795416886000000)
      + struct.pack("<ifffB", 0, 0.0, 0.0, 1.0, 0) + struct.pack("<ifffB", 1250, 0.01, -0.02, 5.9, 1))

# --- FuzzServiceAnswers: [selector] + status, headers, body --------------------------------------
# Shapes from the AWS API references' examples (SNS Publish, DynamoDB BatchWriteItem, Kinesis
# PutRecords, S3 and SNS error bodies) and from what moto answers.
def answer(selector, status, headers, body):
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return bytes([selector]) + f"{status}\n{head}\n".encode() + body.encode()
write("FuzzServiceAnswers", "sns-publish-ok", answer(1, 200, [("Content-Type", "text/xml")],
      '<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
      '<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata>'
      '<RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>'))
write("FuzzServiceAnswers", "sns-publish-fifo-ok", answer(1, 200, [("Content-Type", "text/xml")],
      '<PublishResponse><PublishResult><SequenceNumber>10000000000000003000</SequenceNumber>'
      '<MessageId>f2b6e4c3-1a2b-4c5d-8e9f-0a1b2c3d4e5f</MessageId></PublishResult></PublishResponse>'))
write("FuzzServiceAnswers", "sns-error-not-found", answer(0, 404, [("Content-Type", "text/xml")],
      '<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>'
      '<Code>NotFound</Code><Message>Topic does not exist</Message></Error>'
      '<RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId></ErrorResponse>'))
write("FuzzServiceAnswers", "sns-error-authorization", answer(0, 403, [],
      '<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>User: '
      'arn:aws:sts::123456789012:assumed-role/sensorstation/helmet-01 is not authorized to perform: '
      'SNS:Publish on resource: arn:aws:sns:eu-west-1:123456789012:impact-alerts</Message></Error></ErrorResponse>'))
write("FuzzServiceAnswers", "s3-slow-down", answer(0, 503, [("Content-Type", "application/xml")],
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your '
      'request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>'))
write("FuzzServiceAnswers", "dynamodb-throttled", answer(0, 400,
      [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", "ProvisionedThroughputExceededException:")],
      '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":'
      '"The level of configured provisioned throughput for the table was exceeded."}'))
write("FuzzServiceAnswers", "kinesis-expired-token", answer(0, 400, [("x-amzn-ErrorType", "ExpiredTokenException")],
      '{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}'))
write("FuzzServiceAnswers", "dynamodb-unprocessed", answer(2, 200, [("Content-Type", "application/x-amz-json-1.0")],
      '{"UnprocessedItems":{"sensorstation-weather":[{"PutRequest":{"Item":{"serial_number":{"S":"helmet-01"},'
      '"timestamp":{"S":"2026-11-23T00:00:00.000Z"},"temperature_c":{"N":"21.5"}}}}]}}'))
write("FuzzServiceAnswers", "dynamodb-all-written", answer(2, 200, [], '{"UnprocessedItems":{}}'))
write("FuzzServiceAnswers", "kinesis-partial", answer(3 | (3 << 2), 200, [("Content-Type", "application/x-amz-json-1.1")],
      '{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49543463076548007577105092703039560359975228518395019266",'
      '"ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":'
      '"Rate exceeded for shard shardId-000000000001 in stream exampleStreamName under account 111111111111."},'
      '{"SequenceNumber":"49543463076570308322303623326179887152428262250726293588","ShardId":"shardId-000000000000"}]}'))
