"""docs/openapi.yaml describes exactly the routes the router knows."""
import os
import re
import unittest

from harness import run_cli


def documented_routes(path):
    """(METHOD, path) pairs from the paths section of an OpenAPI file, read by its indentation."""
    routes, current, in_paths = set(), None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("paths:"):
                in_paths = True
                continue
            if in_paths and re.match(r"^\S", line):
                break
            m = re.match(r"^  (/\S*):\s*$", line)
            if in_paths and m:
                current = m.group(1)
            m = re.match(r"^    (get|post|put|delete|patch):\s*$", line)
            if in_paths and m and current:
                routes.add((m.group(1).upper(), current))
    return routes


class OpenApiTest(unittest.TestCase):
    def test_every_route_is_documented_and_nothing_else(self):
        spec = os.path.join(os.environ["ARAYIS_SHARE_DIR"], "docs", "openapi.yaml")
        out = run_cli(["routes"], dict(os.environ)).stdout
        served = {tuple(line.split(" ", 1)) for line in out.splitlines() if line}
        self.assertGreater(len(served), 10)
        self.assertEqual(documented_routes(spec), served)


if __name__ == "__main__":
    unittest.main()
