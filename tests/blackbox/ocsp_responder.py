"""A real OCSP responder for tests: `openssl ocsp -index INDEX -port PORT` over a CA's index file, signing with the CA
itself. The index is rewritten to revoke or reinstate certificates; openssl re-reads it when it changes."""
import datetime
import os
import random
import socket
import subprocess
import tempfile
import time


def free_port():
    """A port free on every address (openssl ocsp listens on all of them), below the ephemeral range so that the
    outgoing connections and :0 listeners of parallel tests do not take it before the responder does."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            try:
                s.bind(("::", port))
                return port
            except OSError:
                continue
    raise AssertionError("no free port for the OCSP responder")


def cert_field(cert_file, option):
    out = subprocess.run(["openssl", "x509", "-in", cert_file, "-noout", option], capture_output=True, text=True,
                         check=True).stdout.strip()
    return out.split("=", 1)[1]


def index_time(when):
    """YYMMDDHHMMSSZ, as the index file writes times."""
    return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%y%m%d%H%M%SZ")


class OcspResponder:
    """Answers for certificates issued by ca_cert (key ca_key) on a free port; next_minutes, when set, puts a
    nextUpdate in its answers. Certificates not in the index are unknown."""

    def __init__(self, ca_cert, ca_key, next_minutes=None, port=None):
        self.dir = tempfile.mkdtemp(prefix="arayis-ocsp-")
        self.ca_cert, self.ca_key, self.next_minutes = ca_cert, ca_key, next_minutes
        self.index = os.path.join(self.dir, "index.txt")
        self.entries = {}
        self.proc, self.poke_cert = None, None
        self.write_index()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"

    def set_good(self, cert_file):
        self.poke_cert = self.poke_cert or cert_file
        self.entries[cert_field(cert_file, "-serial")] = ("V", "", cert_file)
        self.write_index()

    def revoke(self, cert_file, at, reason="keyCompromise"):
        self.entries[cert_field(cert_file, "-serial")] = ("R", f"{index_time(at)},{reason}", cert_file)
        self.write_index()

    def write_index(self):
        lines = []
        for serial, (status, revoked, cert_file) in self.entries.items():
            # the responder finds a certificate by its serial; the name field is not read
            lines.append(f"{status}\t{index_time(time.time() + 365 * 86400)}\t{revoked}\t{serial}\tunknown\t/CN=x\n")
        tmp = self.index + ".new"
        with open(tmp, "w") as f:
            f.writelines(lines)
        os.replace(tmp, self.index)
        # openssl notices a changed index by its modification time, to the second: each version gets a later one
        self.mtime = max(getattr(self, "mtime", 0) + 1, int(time.time()) + 1)
        os.utime(self.index, (self.mtime, self.mtime))
        # it looks before waiting for the next connection: one full exchange makes the new index the one in use
        if self.proc is not None and self.poke_cert:
            subprocess.run(["openssl", "ocsp", "-issuer", self.ca_cert, "-cert", self.poke_cert,
                            "-url", self.url, "-no_nonce", "-noverify"], capture_output=True, timeout=10)

    def start(self):
        args = ["openssl", "ocsp", "-index", self.index, "-port", str(self.port), "-rsigner", self.ca_cert,
                "-rkey", self.ca_key, "-CA", self.ca_cert, "-ignore_err"]
        if self.next_minutes:
            args += ["-nmin", str(self.next_minutes)]
        self.log = open(os.path.join(self.dir, "responder.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        # a connection that brings no request stalls the single-threaded responder: wait for its own word instead
        deadline = time.time() + 10
        while time.time() < deadline:
            with open(self.log.name) as f:
                if "waiting for OCSP client connections" in f.read():
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("the OCSP responder did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.log.close()
            self.proc = None
