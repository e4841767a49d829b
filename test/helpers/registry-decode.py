"""
An independent reader of Schema Registry framed messages, for the integration tests: Python's
fastavro (Avro) and jsonschema (JSON Schema), with each writer schema fetched from the registry by
the id in the frame. Nothing of the connector's code is used.

    python registry-decode.py <registry url>  < {"value_b64": "..."} per line
    → {"schema_id": n, "schema_type": "AVRO"|"JSON", "value": <decoded>} per line

Avro values come out as JSON: dates, times and timestamps in ISO 8601, UUIDs as strings, integers
exact (Python ints). JSON Schema payloads are validated against their schema (draft 7) and given
back parsed, with "valid" and the first error if any.
"""
import base64
import datetime
import io
import json
import struct
import sys
import urllib.request
import uuid

import fastavro
import jsonschema

registry = sys.argv[1].rstrip("/")
schemas = {}


def schema_by_id(schema_id):
    if schema_id not in schemas:
        with urllib.request.urlopen(f"{registry}/schemas/ids/{schema_id}", timeout=10) as response:
            body = json.load(response)
        schema_type = body.get("schemaType", "AVRO")
        text = json.loads(body["schema"])
        parsed = fastavro.parse_schema(text) if schema_type == "AVRO" else text
        schemas[schema_id] = (schema_type, parsed)
    return schemas[schema_id]


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot print {type(value)}")


for line in sys.stdin:
    if not line.strip():
        continue
    framed = base64.b64decode(json.loads(line)["value_b64"])
    magic, schema_id = struct.unpack(">bI", framed[:5])
    if magic != 0:
        raise SystemExit(f"magic byte {magic}, not 0")
    schema_type, schema = schema_by_id(schema_id)
    out = {"schema_id": schema_id, "schema_type": schema_type}
    if schema_type == "AVRO":
        payload = io.BytesIO(framed[5:])
        out["value"] = fastavro.schemaless_reader(payload, schema)
        out["rest"] = len(payload.read())
    else:
        value = json.loads(framed[5:])
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(value), key=str)
        out["value"] = value
        out["valid"] = not errors
        out["error"] = errors[0].message if errors else None
    print(json.dumps(out, default=plain), flush=True)
