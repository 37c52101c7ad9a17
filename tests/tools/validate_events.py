#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check every line of credgate JSON Lines event files against the JSON
Schema of its kind (docs/schemas/KIND.schema.json).

    validate_events.py [--schemas DIR] [--allow-empty] FILE...

Each line must be one JSON object whose first key names a known kind.
Prints one line per problem (FILE:LINE: ...) and exits 1 if there was any,
2 on a usage error. Needs python3-jsonschema (Debian package).
"""
import argparse
import json
import os
import sys

import jsonschema

KINDS = ("process_kprobe", "credgate_decision", "process_exec", "credgate_lost")
MAX_LINE = 1024 * 1024


def load_schemas(directory):
    store = {}
    validators = {}
    for name in os.listdir(directory):
        if name.endswith(".schema.json"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            store[schema["$id"]] = schema
    cls = jsonschema.validators.validator_for(store["urn:credgate:schema:common"])
    try:  # jsonschema >= 4.18 resolves references through "referencing"
        from referencing import Registry, Resource
        registry = Registry().with_resources((i, Resource.from_contents(s)) for i, s in store.items())
        make = lambda schema: cls(schema, registry=registry)
    except ImportError:  # Debian 12's 4.10
        make = lambda schema: cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
    for kind in KINDS:
        schema = store.get("urn:credgate:schema:" + kind)
        if schema is None:
            raise SystemExit("no schema for %s in %s" % (kind, directory))
        cls.check_schema(schema)
        validators[kind] = make(schema)
    return validators


def check_file(path, validators):
    problems = 0
    counts = {}
    with open(path, encoding="utf-8", errors="strict") as f:
        for number, line in enumerate(f, 1):
            where = "%s:%d" % (path, number)
            if len(line) > MAX_LINE:
                print("%s: line longer than %d bytes" % (where, MAX_LINE))
                problems += 1
                continue
            try:
                event = json.loads(line)
            except ValueError as e:
                print("%s: not JSON: %s" % (where, e))
                problems += 1
                continue
            kinds = [k for k in event if k in KINDS] if isinstance(event, dict) else []
            if len(kinds) != 1:
                print("%s: expected exactly one of %s, got keys %s" % (where, ", ".join(KINDS),
                      list(event) if isinstance(event, dict) else type(event).__name__))
                problems += 1
                continue
            kind = kinds[0]
            counts[kind] = counts.get(kind, 0) + 1
            for error in sorted(validators[kind].iter_errors(event), key=lambda e: list(e.path)):
                path_text = "/".join(str(p) for p in error.absolute_path) or "(top)"
                print("%s: %s: %s: %s" % (where, kind, path_text, error.message))
                problems += 1
    return problems, counts


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", default=os.path.join(here, "..", "..", "docs", "schemas"))
    parser.add_argument("--allow-empty", action="store_true", help="a file without events is fine")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    validators = load_schemas(args.schemas)
    problems = 0
    for path in args.files:
        n, counts = check_file(path, validators)
        problems += n
        total = sum(counts.values())
        if total == 0 and not args.allow_empty:
            print("%s: no events" % path)
            problems += 1
        summary = ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))
        print("%s: %d events (%s), %d problems" % (path, total, summary or "none", n))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
