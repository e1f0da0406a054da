"""docs/openapi.yaml is a valid OpenAPI 3.1 document for standard tooling, describes exactly the routes the
router knows, and its examples match its own schemas."""
import os
import subprocess
import unittest

import contract
from harness import run_cli

SHARE = os.environ["ARAYIS_SHARE_DIR"]
SPEC = os.path.join(SHARE, "docs", "openapi.yaml")
VALIDATOR = os.path.join(SHARE, "tests", "contract", "validate-openapi.js")


def schemas_with_examples(node, path="#"):
    """Yields (where, schema, example) for every `examples` list of a schema object in the document."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and ("type" in node or "properties" in node or "$ref" in node):
            for i, example in enumerate(node["examples"]):
                yield f"{path}/examples/{i}", node, example
        for key, value in node.items():
            yield from schemas_with_examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas_with_examples(value, f"{path}/{i}")


class OpenApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spec = contract.load_spec(SPEC)
        cls.contract = contract.Contract(cls.spec)

    def test_a_standard_validator_accepts_the_document(self):
        out = subprocess.run(["node", VALIDATOR, SPEC], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("valid OpenAPI 3.1", out.stdout)

    def test_the_validator_refuses_a_broken_document(self):
        broken = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"openapi-broken-{os.getpid()}.yaml")
        with open(SPEC, encoding="utf-8") as f:
            text = f.read()
        with open(broken, "w", encoding="utf-8") as f:
            f.write(text.replace("openapi: 3.1.0", "openapi: 3.1.0\nnot_a_field: {a: b, c}", 1))
        try:
            out = subprocess.run(["node", VALIDATOR, broken], capture_output=True, text=True, timeout=120)
        finally:
            os.unlink(broken)
        self.assertNotEqual(out.returncode, 0)

    def test_every_route_is_documented_and_nothing_else(self):
        out = run_cli(["routes"], dict(os.environ)).stdout
        served = {tuple(line.split(" ", 1)) for line in out.splitlines() if line}
        self.assertGreater(len(served), 10)
        documented = {(method.upper(), path) for path, item in self.spec["paths"].items()
                      for method in item if method in ("get", "put", "post", "delete", "patch")}
        self.assertEqual(documented, served)

    def test_examples_match_their_schemas(self):
        found = list(schemas_with_examples(self.spec["components"]))
        self.assertGreater(len(found), 5)
        for where, schema, example in found:
            plain = {k: v for k, v in schema.items() if k != "examples"}
            self.contract.validate(plain, example, where)

    def test_an_answer_the_contract_does_not_describe_is_refused(self):
        with self.assertRaises(AssertionError):  # a status the route never answers
            self.contract.check_answer("GET", "/api/v1/keys", 418, {"content-type": "application/json"}, b"{}")
        with self.assertRaises(AssertionError):  # a body its schema refuses
            self.contract.check_answer("GET", "/api/v1/keys", 200,
                                       {"content-type": "application/json", "x-request-id": "0123456789abcdef"},
                                       b'{"keys": [{"subject": 1}]}')
        with self.assertRaises(AssertionError):  # a required header missing
            self.contract.check_answer("GET", "/api/v1/keys", 429, {"content-type": "application/json",
                                                                     "x-request-id": "0123456789abcdef"},
                                       b'{"error": {"code": "rate_limited", "message": "slow down"}}')
        self.contract.check_answer("GET", "/api/v1/keys", 200,
                                   {"content-type": "application/json", "x-request-id": "0123456789abcdef"},
                                   b'{"keys": [], "tsa_anchors": [], "revocation": {"ocsp": [], "fresh_until": null},'
                                   b' "log": {"origin": "arayis.example.az/log",'
                                   b' "public_key": "xbPaUh8ynQuluYkzuUkrGv+IJorWHQu/6ZQUgUlRAhw=",'
                                   b' "verifier_key": "arayis.example.az/log+9c66b611+AcWz2lIfMp0LpbmJM7lJKxr/iCaK1h0Lv+mUFIFJUQIc"}}')


if __name__ == "__main__":
    unittest.main()
