"""Checks real answers against docs/openapi.yaml: every answer of an /api/ or /v route must be one the contract
describes for that route and status, with the headers it names and a JSON body its schema accepts."""
import json
import os
import re
import urllib.parse

import jsonschema
import yaml

SPEC_PATH = os.path.join(os.environ.get("ARAYIS_SHARE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                         "docs", "openapi.yaml")
CHECKED_PREFIXES = ("/api/", "/v")


def load_spec(path=SPEC_PATH):
    """The contract, parsed by a real YAML parser."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


class Contract:
    """The operations of one OpenAPI document, matched by method and concrete path."""

    def __init__(self, spec):
        self.spec = spec
        self.operations = []  # (method, regex, template, operation)
        for template, item in spec.get("paths", {}).items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            for method, operation in item.items():
                if method in ("get", "put", "post", "delete", "patch", "head"):
                    self.operations.append((method.upper(), re.compile(pattern), template, operation))
        # exact templates first, so that /v/pdf wins over /v/{number}
        self.operations.sort(key=lambda op: op[2].count("{"))

    def deref(self, node):
        """Follows local references (#/components/...) to the object they name."""
        while isinstance(node, dict) and set(node) == {"$ref"}:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise AssertionError(f"only local references are used in the contract, not {ref}")
            node = self.spec
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def operation(self, method, path):
        """(template, operation) for a concrete request, or (None, None) when no route of the contract matches."""
        if method == "HEAD":
            method = "GET"
        for m, regex, template, operation in self.operations:
            if m == method and regex.match(path):
                return template, operation
        return None, None

    def validate(self, schema, instance, where):
        """Validates instance against a schema of the contract (JSON Schema 2020-12, local references)."""
        resolver = jsonschema.RefResolver(base_uri="", referrer=self.spec)
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5])
            raise AssertionError(f"{where} does not match the contract: {details}")

    def check_answer(self, method, path, status, headers, body):
        """Raises AssertionError when the answer to METHOD PATH (query removed) is not one the contract describes.
        headers: dict with lower-case names; body: bytes."""
        path = urllib.parse.unquote(path.split("?", 1)[0])  # the service routes the decoded path
        if not path.startswith(CHECKED_PREFIXES) or (path.startswith("/v") and not re.match(r"^/v(/|$)", path)):
            return
        template, operation = self.operation(method, path)
        where = f"{method} {path} → {status}"
        if operation is None:
            # a path or method the service does not serve: only the error format is promised
            if path.startswith("/api/") and status >= 400 and body:
                self.validate({"$ref": "#/components/schemas/Error"}, json.loads(body), where)
            return
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get("default")
        if response is None:
            raise AssertionError(f"{where}: the contract describes no {status} answer for {method} {template}")
        response = self.deref(response)
        for name, header in response.get("headers", {}).items():
            header = self.deref(header)
            if header.get("required") and name.lower() not in headers:
                raise AssertionError(f"{where}: header {name} is missing")
            if name.lower() in headers and "schema" in header:
                self.validate(header["schema"], headers[name.lower()], f"{where} header {name}")
        content = response.get("content")
        if not content:
            return
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in content:
            raise AssertionError(f"{where}: Content-Type {media!r} is not one of {sorted(content)}")
        schema = content[media].get("schema")
        if media == "application/json" and schema is not None:
            self.validate(schema, json.loads(body.decode("utf-8")), where)


_contract = None


def check_answer(method, path, status, headers, body):
    """check_answer of the project's contract, loaded once per test process."""
    global _contract
    if _contract is None:
        _contract = Contract(load_spec())
    _contract.check_answer(method, path, status, headers, body)
