"""The files for several nodes: nginx accepts the balancing site, systemd the per-node template unit."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from test_deploy import DEPLOY, nginx_check, shipped_site


class MultiNodeDeployTest(unittest.TestCase):
    def test_nginx_balances_over_nodes_and_retries_only_within_bounds(self):
        site = shipped_site("nginx-arayis-nodes.conf")  # with the server blocks it includes
        if shutil.which("nginx"):
            proc, _ = nginx_check("nginx-arayis-nodes.conf")
            self.assertEqual(proc.returncode, 0, proc.stderr)
        else:
            print("nginx is not installed: the multi-node site is not parsed")
        upstream = re.search(r"\nupstream arayis \{([^}]*)\}", site)
        self.assertIsNotNone(upstream, "an upstream named arayis, the name the server snippet proxies to")
        nodes = re.findall(r"\n    server (\S+)([^;]*);", upstream.group(1))
        self.assertGreaterEqual(len(nodes), 2)
        for address, options in nodes:
            self.assertRegex(options, r"\bmax_fails=[1-9]\d*\b", address)
            self.assertRegex(options, r"\bfail_timeout=[1-9]\d*s\b", address)
        self.assertRegex(upstream.group(1), r"\n    keepalive \d+;")
        self.assertRegex(site, r"\nproxy_next_upstream error timeout http_502 http_503;\n")
        tries = int(re.search(r"\nproxy_next_upstream_tries (\d+);", site).group(1))
        self.assertTrue(1 < tries <= len(nodes), tries)
        self.assertRegex(site, r"\nproxy_next_upstream_timeout [1-9]\d*s;")
        directives = re.sub(r"#[^\n]*", "", site)
        self.assertNotIn("non_idempotent", directives)  # a POST that reached a node is never sent to another
        self.assertEqual(re.findall(r"proxy_pass ([^;]+);", directives), ["http://arayis"] * 2)

    def test_template_unit_verifies_and_reads_the_node_env_file(self):
        with open(os.path.join(DEPLOY, "arayis@.service")) as f:
            text = f.read()
        self.assertIn("EnvironmentFile=/etc/arayis/node-%i.env", text)
        for line in ("ProtectSystem=strict", "NoNewPrivileges=yes", "ReadWritePaths=/var/lib/arayis/node-%i",
                     "User=arayis", "CapabilityBoundingSet="):
            self.assertIn(f"\n{line}\n", text)
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed: the template unit is not verified")
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "arayis@.service"), "w") as f:
                # verify checks that ExecStart exists: point it at the built binary
                f.write(text.replace("/usr/local/bin/arayis", os.environ["ARAYIS_BIN"]))
            proc = subprocess.run(["systemd-analyze", "verify", os.path.join(tmp, "arayis@2.service")],
                                  capture_output=True, text=True)
        self.assertEqual([l for l in proc.stderr.splitlines() if "arayis@" in l], [])
        self.assertEqual(proc.returncode, 0, proc.stderr)


if __name__ == "__main__":
    unittest.main()
