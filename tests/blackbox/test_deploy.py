"""The deployment files are accepted by the tools that will read them, where those tools are installed."""
import os
import shutil
import subprocess
import tempfile
import unittest

DEPLOY = os.path.join(os.environ["ARAYIS_SHARE_DIR"], "deploy")


SERVER_SNIPPET = "/etc/nginx/snippets/arayis-server.conf"  # where a site includes nginx-arayis-server.conf from


def shipped_site(name):
    """The text of the nginx site deploy/NAME with the server snippet it includes written in its place."""
    with open(os.path.join(DEPLOY, "nginx-arayis-server.conf")) as f:
        server = f.read()
    with open(os.path.join(DEPLOY, name)) as f:
        site = f.read()
    include = f"\ninclude {SERVER_SNIPPET};\n"
    assert include in site, include
    return site.replace(include, "\n" + server)


def nginx_check(name):
    """Runs `nginx -t` on the shipped site deploy/NAME (with its snippet) inside a scratch http block, its TLS files
    a fresh self-signed pair in the scratch directory; returns (the CompletedProcess, the text checked)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-subj", "/CN=test", "-keyout", f"{tmp}/privkey.pem", "-out", f"{tmp}/fullchain.pem"],
                       check=True, capture_output=True)
        site = shipped_site(name).replace("/etc/ssl/arayis", tmp)
        conf = os.path.join(tmp, "nginx.conf")
        open(conf, "w").write(f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; events {{}}\n"
                              f"http {{ access_log off; client_body_temp_path {tmp}; {site} }}\n")
        proc = subprocess.run(["nginx", "-t", "-c", conf, "-p", tmp], capture_output=True, text=True)
    return proc, site


class DeployTest(unittest.TestCase):
    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_systemd_unit_verifies(self):
        with tempfile.TemporaryDirectory() as tmp:
            unit = os.path.join(tmp, "arayis.service")
            text = open(os.path.join(DEPLOY, "arayis.service")).read()
            # verify checks that ExecStart exists: point it at the built binary
            open(unit, "w").write(text.replace("/usr/local/bin/arayis", os.environ["ARAYIS_BIN"]))
            proc = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
            problems = [l for l in proc.stderr.splitlines() if "arayis.service" in l]
            self.assertEqual(problems, [])
        self.assertIn("ProtectSystem=strict", text)
        self.assertIn("NoNewPrivileges=yes", text)
        self.assertIn("ReadWritePaths=/var/lib/arayis", text)

    @unittest.skipUnless(shutil.which("nginx"), "nginx is not installed")
    def test_nginx_site_parses(self):
        proc, site = nginx_check("nginx-arayis.conf")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # the upstream is a kept-alive pool used by every location, with nginx's own per-client limits
        self.assertRegex(site, r"upstream arayis \{[^}]*\bkeepalive \d+;")
        self.assertRegex(site, r"\n    proxy_http_version 1\.1;\n    proxy_set_header Connection \"\";")
        self.assertRegex(site, r"\n    limit_conn arayis_clients \d+;")


if __name__ == "__main__":
    unittest.main()
