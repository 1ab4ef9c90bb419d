#!/usr/bin/env python3
"""Checks kubeplay's `kubectl explain` against a real kubectl, byte for byte.

A real `kubectl explain` needs an API server. This script serves a minimal one on 127.0.0.1:
discovery (/api, /apis) for the kinds kubeplay serves, and OpenAPI v3 documents built from
static/explain.json in the shape the API server gives them (a field naming another type is
`allOf: [{$ref}]` beside its description; Quantity and IntOrString have no `type`; kinds carry
`x-kubernetes-group-version-kind`; paths carry the same in their `get` operations). It then runs
the real kubectl and `kubeplay run` on the same explain commands and prints any difference.

It checks the rendering (layout, wrapping, types, recursion, errors) given the same data; where
explain.json's text differs from a real cluster's document (see scripts/gen_explain.py), so will
both outputs. Needs a real kubectl (1.32) on PATH and a built kubeplay (cargo build).

Usage: python3 scripts/explain_check.py [KUBEPLAY_BINARY]
Exit status 1 when any command differs.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = json.load(open(os.path.join(ROOT, "static", "explain.json")))

RESOURCES = {
    # kind: (plural, short names, namespaced)
    "Pod": ("pods", ["po"], True),
    "ReplicaSet": ("replicasets", ["rs"], True),
    "Deployment": ("deployments", ["deploy"], True),
    "StatefulSet": ("statefulsets", ["sts"], True),
    "DaemonSet": ("daemonsets", ["ds"], True),
    "ControllerRevision": ("controllerrevisions", [], True),
    "Job": ("jobs", [], True),
    "CronJob": ("cronjobs", ["cj"], True),
    "Service": ("services", ["svc"], True),
    "EndpointSlice": ("endpointslices", [], True),
    "Endpoints": ("endpoints", ["ep"], True),
    "ConfigMap": ("configmaps", ["cm"], True),
    "Secret": ("secrets", [], True),
    "ServiceAccount": ("serviceaccounts", ["sa"], True),
    "Namespace": ("namespaces", ["ns"], False),
    "Node": ("nodes", ["no"], False),
    "Event": ("events", ["ev"], True),
    "PersistentVolumeClaim": ("persistentvolumeclaims", ["pvc"], True),
    "PersistentVolume": ("persistentvolumes", ["pv"], False),
    "StorageClass": ("storageclasses", ["sc"], False),
}

PRIMS = {"string", "integer", "number", "boolean"}


def item_schema(ty):
    if ty.startswith("[]"):
        return {"type": "array", "items": item_schema(ty[2:])}
    if ty.startswith("map[string]"):
        return {"type": "object", "additionalProperties": item_schema(ty[len("map[string]"):])}
    if ty in PRIMS:
        return {"type": ty, "default": ""}
    if ty == "object":
        return {"type": "object"}
    return {"allOf": [{"$ref": "#/components/schemas/" + ty}], "default": {}}


def field_schema(ty, desc, enum):
    if ty.startswith("[]"):
        s = {"type": "array", "items": item_schema(ty[2:])}
    elif ty.startswith("map[string]"):
        s = {"type": "object", "additionalProperties": item_schema(ty[len("map[string]"):])}
    elif ty in PRIMS:
        s = {"type": ty}
    elif ty == "object":
        s = {"type": "object"}
    else:
        s = {"allOf": [{"$ref": "#/components/schemas/" + ty}]}
    if desc:
        s["description"] = desc
    if enum:
        s["enum"] = enum
    return s


def schemas():
    out = {}
    gvk = {k["type"]: k for k in DATA["kinds"]}
    for name, t in DATA["types"].items():
        s = {}
        if t.get("d"):
            s["description"] = t["d"]
        if name.endswith((".Quantity", ".IntOrString")):
            s["oneOf"] = [{"type": "string"}, {"type": "number"}]
        elif "t" in t:
            s["type"] = t["t"]
        else:
            s["type"] = "object"
        if t.get("p"):
            s["properties"] = {f[0]: field_schema(f[1], f[3], f[4] if len(f) > 4 else None) for f in t["p"]}
            req = [f[0] for f in t["p"] if f[2]]
            if req:
                s["required"] = req
        if name in gvk:
            k = gvk[name]
            s["x-kubernetes-group-version-kind"] = [
                {"group": k["group"], "kind": k["kind"], "version": k["version"]}]
        out[name] = s
    return out


def gv_path(group, version):
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def documents():
    comps = schemas()
    docs = {}
    for k in DATA["kinds"]:
        plural, _, namespaced = RESOURCES[k["kind"]]
        gv = gv_path(k["group"], k["version"])
        doc = docs.setdefault(gv, {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
                                    "paths": {}, "components": {"schemas": comps}})
        base = "/" + gv + ("/namespaces/{namespace}/" if namespaced else "/") + plural
        op = {"get": {"x-kubernetes-group-version-kind": {"group": k["group"], "kind": k["kind"],
                                                           "version": k["version"]}}}
        doc["paths"][base] = op
        doc["paths"][base + "/{name}"] = op
    return docs


DOCS = documents()


def resource_list(gv):
    res = []
    for k in DATA["kinds"]:
        if gv_path(k["group"], k["version"]) != gv:
            continue
        plural, short, namespaced = RESOURCES[k["kind"]]
        r = {"name": plural, "singularName": k["kind"].lower(), "namespaced": namespaced,
             "kind": k["kind"], "verbs": ["get", "list", "create", "delete"]}
        if short:
            r["shortNames"] = short
        res.append(r)
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": gv.split("/", 1)[1] if gv.startswith("apis/") else "v1", "resources": res}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, obj, code=200):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        groups = sorted({k["group"] for k in DATA["kinds"] if k["group"]})
        if path == "/api":
            return self.send({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
        if path == "/apis":
            return self.send({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}} for g in groups]})
        if path.strip("/") in DOCS and path.startswith(("/api/", "/apis/")):
            return self.send(resource_list(path.strip("/")))
        if path == "/openapi/v3":
            return self.send({"paths": {gv: {"serverRelativeURL": f"/openapi/v3/{gv}?hash=0"} for gv in DOCS}})
        if path.startswith("/openapi/v3/"):
            gv = path[len("/openapi/v3/"):]
            if gv in DOCS:
                return self.send(DOCS[gv])
        if path == "/version":
            return self.send({"major": "1", "minor": "32", "gitVersion": "v1.32.2"})
        self.send({"kind": "Status", "status": "Failure", "code": 404, "reason": "NotFound"}, 404)


COMMANDS = [
    "explain po.spec.containers.image",
    "explain deployments.apps.spec.strategy.rollingUpdate",
    "explain secret --recursive",
    "explain cj.spec.jobTemplate.spec.template.spec.containers.ports.containerPort",
    "explain svc.spec.ports --recursive",
    "explain pods",
    "explain po.spec",
    "explain deploy",
    "explain deployment.spec.template.spec.containers.livenessProbe",
    "explain deployments.apps.spec.strategy",
    "explain svc.spec.ports",
    "explain svc.spec.ports.port",
    "explain pods.spec.containers.resources.limits",
    "explain pod.metadata.creationTimestamp",
    "explain cm",
    "explain sa",
    "explain serviceaccount.imagePullSecrets",
    "explain secret.data",
    "explain ns --recursive",
    "explain cronjob.spec.jobTemplate --recursive",
    "explain endpointslice",
    "explain pvc.spec",
    "explain node.status",
    "explain ev",
    "explain sts.spec.updateStrategy",
    "explain ds.spec.template.metadata",
    "explain job.spec.podFailurePolicy --recursive",
    "explain deploy --api-version=apps/v1",
    "explain deploy.spec --recursive",
    "explain pods --recursive",
    "explain Pod.",
    "explain foo",
    "explain Foo.bar",
    "explain DEPLOYMENTS.apps",
    "explain deploy.apps",
    "explain deploy --recursive=false",
    "explain svc --recursive=T",
    "explain pods --recursive=maybe",
    "explain pods --api-version",
    "explain deploy --output=yaml",
    "explain deploy --output=yaml --api-version=apps/v2",
    "explain deploy --output=yaml --api-version=v1",
    "explain deploy --api-version=a/b/c",
    "explain deployments.apps.spec --api-version=apps/v1",
    "explain pods.spec.nope",
    "explain pods.nope.deeper",
    "explain pod.spec.containers.name.x",
    "explain deploy --api-version=v1",
    "explain pods --api-version=apps/v1",
    "explain deploy --api-version=apps/v2",
    "explain pods deploy",
    "explain",
]


def main():
    kubeplay = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "kubeplay")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "config")
    with open(cfg, "w") as fh:
        fh.write(f"""apiVersion: v1
kind: Config
clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: u, user: {{}}}}]
contexts: [{{name: x, context: {{cluster: c, user: u}}}}]
current-context: x
""")
    env = dict(os.environ, KUBECONFIG=cfg, HOME=tmp)
    failed = 0
    for cmd in COMMANDS:
        real = subprocess.run(["kubectl"] + cmd.split(), env=env, capture_output=True, text=True)
        ours = subprocess.run([kubeplay, "run", "-"], input="kubectl " + cmd + "\n",
                              capture_output=True, text=True)
        # `kubeplay run` echoes `$ line` first.
        ours_out = ours.stdout.split("\n", 1)[1] if ours.stdout.startswith("$ ") else ours.stdout
        if real.stdout != ours_out or real.stderr != ours.stderr:
            failed += 1
            print(f"DIFF: {cmd}")
            for name, a, b in (("stdout", real.stdout, ours_out), ("stderr", real.stderr, ours.stderr)):
                if a != b:
                    import difflib
                    d = difflib.unified_diff(a.splitlines(True), b.splitlines(True), "kubectl", "kubeplay", n=1)
                    sys.stdout.writelines(list(d)[:40])
        else:
            print(f"same: {cmd}")
    server.shutdown()
    print(f"{len(COMMANDS) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
