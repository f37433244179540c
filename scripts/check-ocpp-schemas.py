#!/usr/bin/env python3
"""Validate every OCPP message in the valid fixtures against the official JSON schemas.

The schemas come from PyPI's `ocpp` package (ocpp/v16/schemas, ocpp/v201/schemas), so that our fixtures and our
decoder cannot agree on a wrong format. CALLs are checked against the action's request schema, CALLRESULTs against
its response schema (correlated by message id, as the tap does). Fixture files named ocpp16-* hold OCPP 1.6J,
ocpp201-* hold OCPP 2.0.1; malformed.jsonl is skipped on purpose.

Usage: check-ocpp-schemas.py FIXTURE... ; exits 1 when a message does not validate.
"""
import base64
import json
import os
import sys

import jsonschema
import ocpp

SCHEMAS = os.path.join(os.path.dirname(ocpp.__file__))


def schema(version, action, response):
    if version == "v16":
        name = action + ("Response" if response else "") + ".json"
    else:
        name = action + ("Response" if response else "Request") + ".json"
    with open(os.path.join(SCHEMAS, version, "schemas", name)) as f:
        return json.load(f)


def main(paths):
    checked = 0
    failures = []
    for path in paths:
        base = os.path.basename(path)
        version = "v201" if base.startswith("ocpp201") else "v16" if base.startswith("ocpp16") else None
        if version is None:
            continue
        pending = {}
        for number, raw in enumerate(open(path, encoding="utf-8"), 1):
            raw = raw.strip()
            if not raw or raw.startswith("#"):
                continue
            record = json.loads(raw)
            payload = record.get("payload")
            if payload is None:
                payload = base64.b64decode(record["payload_base64"]).decode("utf-8")
            frame = json.loads(payload)
            kind, uid = frame[0], frame[1]
            if kind == 2:
                action, body, response = frame[2], frame[3], False
                pending[(record["topic"].rsplit("/", 1)[0], uid)] = action
            elif kind == 3:
                action = pending.pop((record["topic"].rsplit("/", 1)[0], uid), None)
                if action is None:
                    failures.append(f"{path}:{number}: CALLRESULT {uid} answers no CALL in the fixture")
                    continue
                body, response = frame[2], True
            else:
                continue
            validator_class = jsonschema.validators.validator_for(schema(version, action, response))
            validator = validator_class(schema(version, action, response), format_checker=jsonschema.FormatChecker())
            errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
            for error in errors:
                where = "/".join(str(p) for p in error.path)
                failures.append(f"{path}:{number}: {action}{' result' if response else ''} {where}: {error.message}")
            checked += 1
    for failure in failures:
        print(failure)
    print(f"checked {checked} OCPP messages against the official schemas: {len(failures)} problems")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
