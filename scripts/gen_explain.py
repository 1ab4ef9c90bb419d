#!/usr/bin/env python3
"""Generates static/explain.json, the field documentation `kubectl explain` prints.

Source: the k8s-openapi 0.24 crate (Kubernetes v1.32 API) in the cargo registry. Each type's
`impl schemars::JsonSchema` block holds the OpenAPI schema the API server serves: the type's
description, its properties (JSON name, type, description) and which are required. This script
reads those blocks (it does not compile anything), starts from the kinds the simulation serves and
follows every referenced type (the transitive closure), and writes a compact JSON file:

    {
      "kinds": [{"kind": "Pod", "group": "", "version": "v1", "type": "io.k8s.api.core.v1.Pod"}, ...],
      "types": {
        "io.k8s.api.core.v1.Pod": {"d": "Pod is a collection ...",
                                   "p": [["apiVersion", "string", 0, "APIVersion defines ..."], ...]},
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time": {"d": "Time is ...", "t": "string"},
        ...
      }
    }

A property is `[json name, type, required (0/1), description]` plus, when the description lists
"Possible enum values", the enum values as a fifth element (the API server's OpenAPI v3 document
carries them as `enum`, in the same sorted order). A type is `string`, `integer`, `number`,
`boolean`, `object` (free-form), `[]T`, `map[string]T`, or a full type name (a `$ref`). `t` marks a
referenced type whose schema is a primitive (`Time` is a `string`), which kubectl shows by that
primitive's name.

Fixups, to match the API server's document rather than k8s-openapi's Rust types:
  - k8s-openapi marks `metadata` required on top-level kinds (so the Rust field is not an
    Option); the API server does only where the Go field has no `omitempty` (core/v1 Event).
  - `Quantity` and `IntOrString` are `oneOf` string/number (int/string) in OpenAPI v3, without a
    `type`: kubectl shows them by name, so they get no `t`.

Usage: python3 scripts/gen_explain.py [K8S_OPENAPI_SRC_DIR] > static/explain.json
(default: the newest ~/.cargo/registry/src/*/k8s-openapi-0.24.*/src/v1_32).
"""

import glob
import json
import os
import re
import sys

# (kind, group, version, Rust module path under src/v1_32) for every kind the simulation serves.
KINDS = [
    ("Pod", "", "v1", "api/core/v1/pod.rs"),
    ("ReplicaSet", "apps", "v1", "api/apps/v1/replica_set.rs"),
    ("Deployment", "apps", "v1", "api/apps/v1/deployment.rs"),
    ("StatefulSet", "apps", "v1", "api/apps/v1/stateful_set.rs"),
    ("DaemonSet", "apps", "v1", "api/apps/v1/daemon_set.rs"),
    ("ControllerRevision", "apps", "v1", "api/apps/v1/controller_revision.rs"),
    ("Job", "batch", "v1", "api/batch/v1/job.rs"),
    ("CronJob", "batch", "v1", "api/batch/v1/cron_job.rs"),
    ("Service", "", "v1", "api/core/v1/service.rs"),
    ("EndpointSlice", "discovery.k8s.io", "v1", "api/discovery/v1/endpoint_slice.rs"),
    ("Endpoints", "", "v1", "api/core/v1/endpoints.rs"),
    ("ConfigMap", "", "v1", "api/core/v1/config_map.rs"),
    ("Secret", "", "v1", "api/core/v1/secret.rs"),
    ("ServiceAccount", "", "v1", "api/core/v1/service_account.rs"),
    ("Namespace", "", "v1", "api/core/v1/namespace.rs"),
    ("Node", "", "v1", "api/core/v1/node.rs"),
    ("Event", "", "v1", "api/core/v1/event.rs"),
    ("PersistentVolumeClaim", "", "v1", "api/core/v1/persistent_volume_claim.rs"),
    ("PersistentVolume", "", "v1", "api/core/v1/persistent_volume.rs"),
    ("StorageClass", "storage.k8s.io", "v1", "api/storage/v1/storage_class.rs"),
]

# Types whose OpenAPI v3 schema has no `type` (oneOf): shown by name, never as a primitive.
ONE_OF = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
}

PRIMITIVES = {"String": "string", "Integer": "integer", "Number": "number", "Boolean": "boolean"}


def find_src():
    if len(sys.argv) > 1:
        return sys.argv[1]
    pattern = os.path.expanduser("~/.cargo/registry/src/*/k8s-openapi-0.24.*/src/v1_32")
    found = sorted(glob.glob(pattern))
    if not found:
        sys.exit(f"k8s-openapi 0.24 source not found ({pattern}); run `cargo fetch` first")
    return found[-1]


def rust_string(text, i):
    """The Rust string literal starting at text[i] == '"': (value, index after it)."""
    assert text[i] == '"'
    out = []
    i += 1
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "0": "\0"}
    while text[i] != '"':
        c = text[i]
        if c == "\\":
            n = text[i + 1]
            if n in escapes:
                out.append(escapes[n])
                i += 2
            elif n == "u":
                close = text.index("}", i)
                out.append(chr(int(text[i + 3 : close], 16)))
                i = close + 1
            elif n == "\n":  # line continuation: skip the newline and leading whitespace
                i += 2
                while text[i] in " \t\n":
                    i += 1
            else:
                raise ValueError(f"unknown escape \\{n}")
        else:
            out.append(c)
            i += 1
    return "".join(out), i + 1


def matching(text, i):
    """Index of the bracket closing the one at text[i], skipping string literals."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[text[i]]]
    i += 1
    while stack:
        c = text[i]
        if c == '"':
            _, i = rust_string(text, i)
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if c != stack.pop():
                raise ValueError("unbalanced brackets")
        i += 1
    return i - 1


class Source:
    def __init__(self, root):
        self.root = root
        self.names = {}  # Rust path (crate::...) -> OpenAPI name

    def file_for(self, rust_path):
        # crate::api::core::v1::PodSpec -> api/core/v1/pod_spec.rs
        parts = rust_path.split("::")[1:]
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", parts[-1])
        snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", snake).lower()
        path = os.path.join(self.root, *parts[:-1], snake + ".rs")
        if os.path.exists(path):
            return path
        # Fall back: find the file that defines the struct.
        folder = os.path.join(self.root, *parts[:-1])
        for f in sorted(os.listdir(folder)):
            p = os.path.join(folder, f)
            with open(p) as fh:
                if re.search(rf"pub struct {parts[-1]}\b", fh.read()):
                    return p
        raise FileNotFoundError(rust_path)

    def schema_block(self, path):
        with open(path) as fh:
            text = fh.read()
        m = re.search(r'fn schema_name\(\) -> String \{\s*"([^"]+)"', text)
        start = text.index("fn json_schema(")
        body_open = text.index("{", start)
        return m.group(1), text[body_open : matching(text, body_open) + 1]


def parse_schema(s):
    """A schemars schema expression -> (type, description)."""
    desc = None
    m = re.search(r'description: Some\(', s)
    if m:
        desc, _ = rust_string(s, m.end())
    ref = re.match(r"\s*\{?\s*(?:let mut schema_obj = )?__gen\.subschema_for::<([\w:]+)>\(\)", s)
    if ref:
        return ("ref", ref.group(1)), desc
    it = re.search(r"InstanceType::(\w+)", s)
    if not it:
        return "object", desc
    kind = it.group(1)
    if kind in PRIMITIVES:
        return PRIMITIVES[kind], desc
    if kind == "Array":
        i = s.index("items: Some(")
        inner_open = s.index("Box::new(", i) + len("Box::new")
        inner = s[inner_open + 1 : matching(s, inner_open)]
        t, _ = parse_schema(inner)
        return ("array", t), desc
    if kind == "Object":
        i = s.find("additional_properties: Some(Box::new(")
        if i >= 0:
            inner_open = s.index("Box::new(", i) + len("Box::new")
            inner = s[inner_open + 1 : matching(s, inner_open)]
            t, _ = parse_schema(inner)
            return ("map", t), desc
        return "object", desc
    raise ValueError(f"unknown instance type {kind}")


def parse_type(block):
    """A type's json_schema body -> (description, instance type, [(name, type, desc)], required)."""
    head = block[: block.find("object: Some(") if "object: Some(" in block else len(block)]
    m = re.search(r'description: Some\(', head)
    desc = rust_string(head, m.end())[0] if m else None
    it = re.search(r"InstanceType::(\w+)", head)
    props = []
    p = block.find("properties: [")
    if p >= 0:
        open_ = block.index("[", p)
        close = matching(block, open_)
        i = open_ + 1
        while True:
            m = re.compile(r'\(\s*"').search(block, i, close)
            if not m:
                break
            tuple_open = m.start()
            tuple_close = matching(block, tuple_open)
            name, after = rust_string(block, m.end() - 1)
            comma = block.index(",", after)
            t, d = parse_schema(block[comma + 1 : tuple_close])
            props.append((name, t, d))
            i = tuple_close + 1
    required = []
    r = block.find("required: [")
    if r >= 0:
        open_ = block.index("[", r)
        required = re.findall(r'"([^"]+)"', block[open_ : matching(block, open_)])
    return desc, (it.group(1) if it else None), props, required


ENUM_LINE = re.compile(r'^ - `"(.*?)"`', re.M)


def enum_values(desc):
    if not desc or "Possible enum values:" not in desc:
        return None
    tail = desc[desc.index("Possible enum values:") :]
    return ENUM_LINE.findall(tail)


def main():
    src = Source(find_src())
    types = {}
    kinds = []
    todo = []
    for kind, group, version, rel in KINDS:
        name, _ = src.schema_block(os.path.join(src.root, rel))
        kinds.append({"kind": kind, "group": group, "version": version, "type": name})
        todo.append((os.path.join(src.root, rel), True))
    seen_files = set()
    while todo:
        path, top = todo.pop()
        if path in seen_files:
            continue
        seen_files.add(path)
        name, block = src.schema_block(path)
        desc, itype, props, required = parse_type(block)
        if top and name != "io.k8s.api.core.v1.Event":
            required = [r for r in required if r != "metadata"]
        entry = {"d": desc or ""}
        if itype in PRIMITIVES and name not in ONE_OF:
            entry["t"] = PRIMITIVES[itype]
        fields = []

        def show(t):
            if isinstance(t, str):
                return t
            if t[0] == "ref":
                path_ = src.file_for(t[1])
                todo.append((path_, False))
                return src.schema_block(path_)[0]
            if t[0] == "array":
                return "[]" + show(t[1])
            return "map[string]" + show(t[1])

        for pname, t, d in props:
            f = [pname, show(t), 1 if pname in required else 0, d or ""]
            e = enum_values(d)
            if e:
                f.append(e)
            fields.append(f)
        if fields:
            entry["p"] = fields
        types[name] = entry
    json.dump({"kinds": kinds, "types": dict(sorted(types.items()))}, sys.stdout,
              separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
