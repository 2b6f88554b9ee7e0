#!/usr/bin/env python3
"""Validates real responses of every route against docs/openapi.json (SPEC §10).

Starts the real herald binary on loopback with a SQLite file in a temporary
directory, drives every route of the API and health ports through success
and error answers, and checks each answer against the schema the OpenAPI
document gives for that route and status (python3-jsonschema, JSON Schema
2020-12, the dialect of OpenAPI 3.1). It fails when an answer has no schema
in the document, does not match it, or when a documented operation was never
exercised.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import jsonschema
from jsonschema import Draft202012Validator, RefResolver


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Checker:
    def __init__(self, document):
        self.doc = document
        self.resolver = RefResolver.from_schema(document)
        self.exercised = set()
        self.failures = []
        # Path templates as regular expressions, most literal first.
        self.templates = []
        for template in document["paths"]:
            pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
            self.templates.append((template.count("{"), template, re.compile(pattern)))
        self.templates.sort()

    def template_of(self, path):
        for _, template, regex in self.templates:
            if regex.match(path):
                return template
        return None

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
        return node

    def check(self, method, path, status, content_type, body):
        where = f"{method} {path} → {status}"
        template = self.template_of(urllib.parse.urlsplit(path).path)
        if template is None:
            self.failures.append(f"{where}: no path in the document matches")
            return
        operation = self.doc["paths"][template].get(method.lower())
        if operation is None:
            self.failures.append(f"{where}: {template} documents no {method}")
            return
        self.exercised.add((method.lower(), template))
        response = operation["responses"].get(str(status))
        if response is None:
            self.failures.append(f"{where}: status {status} is not documented for {template}")
            return
        response = self.resolve(response)
        content = response.get("content")
        if not body:
            # x-herald-body-optional: a body only sometimes (/health's 200).
            if content and not response.get("x-herald-body-optional"):
                self.failures.append(f"{where}: documented with a body, answered none")
            return
        if not content:
            self.failures.append(f"{where}: documented without a body, answered {body[:200]!r}")
            return
        media = content_type.split(";")[0].strip()
        if media not in content:
            self.failures.append(f"{where}: answered {media}, documented {sorted(content)}")
            return
        schema = content[media].get("schema", {})
        if media != "application/json":
            return
        try:
            instance = json.loads(body)
        except ValueError as e:
            self.failures.append(f"{where}: not JSON: {e}")
            return
        validator = Draft202012Validator(schema, resolver=self.resolver)
        for error in validator.iter_errors(instance):
            self.failures.append(
                f"{where}: {error.message} at {'/'.join(map(str, error.absolute_path))}")


class Herald:
    def __init__(self, binary, workdir):
        self.checker = None
        self.api_port = free_port()
        self.health_port = free_port()
        config = os.path.join(workdir, "herald.yaml")
        with open(config, "w") as f:
            # A receiver that refuses connections: every attempt fails, so
            # the delivery log has entries to list.
            f.write("clair:\n  api:\n    port: %d\n    healthport: %d\n"
                    "  notifier:\n    attempts: 1\n    http:\n"
                    "      endpoint: http://127.0.0.1:%d/hook\n"
                    % (self.api_port, self.health_port, free_port()))
        self.log = open(os.path.join(workdir, "herald.log"), "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--config", config, "--database",
             os.path.join(workdir, "herald.db"), "--log-level", "warn"],
            stdout=self.log, stderr=subprocess.STDOUT)
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError("herald exited early; see " + self.log.name)
            try:
                if self.request("GET", "/health", port=self.health_port, record=False)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)  # polling /health, an observation, not a timing assumption
        raise RuntimeError("herald did not become healthy")

    def request(self, method, path, body=None, port=None, record=True, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.api_port, timeout=30)
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        conn.request(method, path, body=data, headers=headers or {})
        r = conn.getresponse()
        payload = r.read().decode("utf-8")
        conn.close()
        if record and self.checker:
            self.checker.check(method, path, r.status, r.getheader("Content-Type", ""), payload)
        return r.status, payload

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def exercise(h):
    """Every route, its success and the errors a client can cause."""
    q = urllib.parse.quote
    layer = {"Layer": {"Name": "base", "NamespaceName": "debian:8",
                       "Features": [{"Name": "openssl", "Version": "1.0.1"},
                                    {"Name": "bash", "Version": "4.3"}]}}
    assert h.request("POST", "/v1/layers", layer)[0] == 201
    child = {"Layer": {"Name": "child", "ParentName": "base",
                       "Features": [{"Name": "openssl", "Version": "1.0.1"},
                                    {"Name": "curl", "Version": "7.0"}]}}
    assert h.request("POST", "/v1/layers", child)[0] == 201
    h.request("POST", "/v1/layers", "{not json")                            # 400
    h.request("POST", "/v1/layers", {"Layer": {"Name": "x", "ParentName": "missing",
                                                "NamespaceName": "debian:8", "Features": []}})
    h.request("POST", "/v1/layers", {"Layer": {"Name": "p", "Path": "/nowhere/layer.tar"}})

    for ns in ("debian:8", "debian:9"):
        vuln = {"Vulnerability": {"Name": "CVE-2016-0001", "NamespaceName": ns,
                                  "Description": "a test vulnerability",
                                  "Link": "https://security-tracker.debian.org/tracker/CVE-2016-0001",
                                  "Severity": "High", "Metadata": {"NVD": {"CVSSv2": {"Score": 7.5}}},
                                  "FixedIn": [{"Name": "openssl", "Version": "1.0.2"}]}}
        assert h.request("POST", f"/v1/namespaces/{q(ns)}/vulnerabilities", vuln)[0] == 201
    h.request("POST", "/v1/namespaces/debian:8/vulnerabilities",
              {"Vulnerability": {"Name": "CVE-2016-0002", "Severity": "Low"}})
    h.request("POST", "/v1/namespaces/debian:8/vulnerabilities",
              {"Vulnerability": {"Name": "CVE-BAD", "Severity": "Catastrophic"}})   # 400
    h.request("POST", "/v1/namespaces/nosuch:1/vulnerabilities",
              {"Vulnerability": {"Name": "CVE-X", "Severity": "Low"}})             # 400

    h.request("GET", "/v1/layers/child?features&vulnerabilities")
    h.request("GET", "/v1/layers/child")
    h.request("GET", "/v1/layers/does-not-exist")
    h.request("GET", "/v1/namespaces")

    status, body = h.request("GET", "/v1/namespaces/debian:8/vulnerabilities?limit=1")
    page = json.loads(body).get("NextPage")
    if page:
        h.request("GET", f"/v1/namespaces/debian:8/vulnerabilities?limit=1&page={q(page)}")
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities?limit=0")              # 400
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities?page=forged")          # 400
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001?fixedIn")
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities/CVE-NOPE")             # 404
    h.request("PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001",
              {"Vulnerability": {"Name": "CVE-2016-0001", "Severity": "Critical",
                                 "FixedIn": [{"Name": "openssl", "Version": "1.0.3"}]}})
    h.request("PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001", {"Vulnerability": 7})
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001/fixes")
    h.request("GET", "/v1/namespaces/debian:8/vulnerabilities/CVE-NOPE/fixes")       # 404
    h.request("PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001/fixes/bash",
              {"Feature": {"Name": "bash", "Version": "4.4"}})
    h.request("PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001/fixes/bash",
              {"Feature": {"Name": "bash", "Version": "not a version!"}})          # 400
    h.request("DELETE", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001/fixes/bash")
    h.request("DELETE", "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-0001/fixes/bash")
    h.request("DELETE", "/v1/namespaces/debian:9/vulnerabilities/CVE-2016-0001")
    h.request("DELETE", "/v1/namespaces/debian:9/vulnerabilities/CVE-2016-0001")     # 404

    status, body = h.request("GET", "/v1/notifications?limit=2")
    listed = json.loads(body)
    if listed.get("NextPage"):
        h.request("GET", "/v1/notifications?limit=2&page=" + q(listed["NextPage"]))
    for status_name in ("pending", "failed", "notified", "deleted"):
        h.request("GET", "/v1/notifications?status=" + status_name)
    h.request("GET", "/v1/notifications?status=sideways")                            # 400
    names = [n["Name"] for n in listed["Notifications"]]
    assert names, "no notifications were made"
    name = names[0]
    status, body = h.request("GET", f"/v1/notifications/{name}?limit=1")
    nxt = json.loads(body)["Notification"].get("NextPage")
    if nxt:
        h.request("GET", f"/v1/notifications/{name}?limit=1&page={q(nxt)}")
    h.request("GET", "/v1/notifications/no-such-notification")                       # 404
    h.request("GET", f"/v1/notifications/{name}?page=forged")                        # 400

    # The delivery log fills once the failing receiver was tried.
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        s, body = h.request("GET", f"/v1/notifications/{name}/deliveries", record=False)
        if json.loads(body)["Deliveries"]:
            break
        time.sleep(0.05)  # polling for the event, not a timing assumption
    h.request("GET", f"/v1/notifications/{name}/deliveries")
    h.request("GET", "/v1/notifications/no-such-notification/deliveries")           # 404
    h.request("POST", f"/v1/notifications/{name}/redeliver")                        # 202
    h.request("POST", "/v1/notifications/no-such-notification/redeliver")           # 404
    h.request("DELETE", f"/v1/notifications/{name}")                                # 200
    h.request("POST", f"/v1/notifications/{name}/redeliver")                        # 409
    h.request("DELETE", "/v1/notifications/no-such-notification")                  # 404

    # The web page (open: this herald has no api.tokens).
    origin = {"Origin": "http://127.0.0.1:%d" % h.api_port,
              "Content-Type": "application/x-www-form-urlencoded"}
    h.request("GET", "/ui")
    h.request("GET", "/ui/")
    h.request("GET", "/ui/?status=failed")
    h.request("GET", "/ui/?status=sideways")                                         # 400
    h.request("GET", "/ui/notifications/" + names[-1])
    h.request("GET", "/ui/notifications/no-such-notification")                      # 404
    h.request("POST", f"/ui/notifications/{names[-1]}/redeliver", "", headers=origin)  # 303
    h.request("POST", f"/ui/notifications/{names[-1]}/redeliver")                   # 403
    h.request("POST", f"/ui/notifications/{name}/redeliver", "", headers=origin)     # 409
    h.request("POST", "/ui/notifications/no-such-notification/redeliver", "", headers=origin)
    h.request("GET", "/ui/feeds")
    h.request("GET", "/ui/login")                                                   # 303
    h.request("POST", "/ui/login", "token=x", headers=origin)                        # 303
    h.request("POST", "/ui/login", "token=x")                                       # 403
    h.request("POST", "/ui/logout", "", headers=origin)
    h.request("POST", "/ui/logout")                                                 # 403
    h.request("GET", "/ui/static/herald.css")
    h.request("GET", "/ui/static/herald.js")
    h.request("GET", "/ui/static/nothing.js")                                       # 404

    h.request("DELETE", "/v1/layers/child")
    h.request("DELETE", "/v1/layers/child")                                         # 404
    h.request("GET", "/v1/updater")
    h.request("GET", "/v1/metrics")
    h.request("GET", "/v1/openapi.json")
    h.request("GET", "/health", port=h.health_port)
    h.request("GET", "/metrics", port=h.health_port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herald", required=True, help="the herald binary")
    parser.add_argument("--document", required=True, help="docs/openapi.json")
    args = parser.parse_args()
    with open(args.document) as f:
        document = json.load(f)
    with tempfile.TemporaryDirectory(prefix="herald-openapi-") as workdir:
        h = Herald(args.herald, workdir)
        try:
            h.checker = Checker(document)
            # The document Herald serves is the one in the repository.
            status, served = h.request("GET", "/v1/openapi.json", record=False)
            if status != 200 or json.loads(served) != document:
                h.checker.failures.append("GET /v1/openapi.json does not serve docs/openapi.json")
            exercise(h)
        finally:
            h.stop()
        checker = h.checker
        documented = {(m, p) for p, ops in document["paths"].items() for m in ops
                      if m in ("get", "put", "post", "delete", "patch")}
        for method, path in sorted(documented - checker.exercised):
            checker.failures.append(f"{method.upper()} {path}: documented but never exercised")
        for failure in checker.failures:
            print("FAIL", failure)
        print(f"{len(checker.exercised)} operations exercised, {len(checker.failures)} failures")
        return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
