"""Starts the real arayis binary on a free loopback port with a fresh data directory and talks HTTP to it."""
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

import contract

ARAYIS_BIN = os.environ.get("ARAYIS_BIN", "arayis")
ENGINES = ("sqlite", "postgresql")
DATABASE_URL_FILE = "database-url"  # in a service's work directory: the PostgreSQL database it keeps across restarts


def engine():
    """The storage engine the services under test use: ARAYIS_TEST_ENGINE, sqlite (the default) or postgresql."""
    name = os.environ.get("ARAYIS_TEST_ENGINE", "sqlite")
    if name not in ENGINES:
        raise ValueError(f"ARAYIS_TEST_ENGINE={name!r}: one of {', '.join(ENGINES)}")
    return name


def placeholders_for_psycopg2(query):
    """query with its ? placeholders written as psycopg2's %s (and a literal % as %%), quoted text left alone."""
    out, quote = [], None
    for ch in query:
        if quote is not None:
            quote = None if ch == quote else quote
            out.append("%%" if ch == "%" else ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else "%%" if ch == "%" else ch)
    return "".join(out)


def run_cli(args, env, check=True, input_bytes=None):
    """Runs `arayis ARGS` with env; returns the CompletedProcess (text mode)."""
    proc = subprocess.run([ARAYIS_BIN] + args, env=env, capture_output=True, input=input_bytes, timeout=120)
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                      proc.stderr.decode("utf-8", "replace"))
    if check and out.returncode != 0:
        raise AssertionError(f"arayis {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return out


class Service:
    """One arayis process with its own temporary data and keys directories, and with the PostgreSQL engine its own
    database in the tests' shared cluster (kept with the work directory: a Service made again on the same workdir
    finds the same database)."""

    def __init__(self, extra_env=None, workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="arayis-test-")
        self.owns_dir = workdir is None
        self.env = dict(os.environ)
        self.env.update({
            "ARAYIS_DATA_DIR": os.path.join(self.dir, "data"),
            "ARAYIS_KEYS_DIR": os.path.join(self.dir, "keys"),
            "ARAYIS_LISTEN": "127.0.0.1:0",
            # tests talk from one address much faster than a person; test_hardening sets real limits
            "ARAYIS_RATE_PUBLIC": "100000",
            "ARAYIS_RATE_PUBLIC_BURST": "100000",
        })
        self.env.pop("ARAYIS_DATABASE_URL", None)
        if engine() == "postgresql":
            self.env["ARAYIS_DATABASE_URL"] = self._database_url()
        self.env.update(extra_env or {})
        self.proc = None
        self.port = None
        self.log_lines = []
        self._reader = None

    # --- process control -------------------------------------------------

    def start(self, timeout=30):
        self.proc = subprocess.Popen([ARAYIS_BIN, "serve"], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = threading.Event()

        def read_log():
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.log_lines.append(line)
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("event") == "listening":
                    self.port = entry["port"]
                    ready.set()

        self._reader = threading.Thread(target=read_log, daemon=True)
        self._reader.start()
        if not ready.wait(timeout):
            self.kill()
            raise AssertionError("arayis did not start:\n" + "\n".join(self.log_lines))
        if self.env["ARAYIS_LISTEN"].endswith(":0") and "ARAYIS_PUBLIC_BASE_URL" not in self.env:
            self.base_url = f"http://127.0.0.1:{self.port}"
        else:
            self.base_url = self.env.get("ARAYIS_PUBLIC_BASE_URL", f"http://127.0.0.1:{self.port}")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends sig and returns the exit status."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        self.proc.stderr.close()
        self.proc = None
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def close(self):
        if self.proc is not None:
            self.kill()
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- command line ----------------------------------------------------

    def cli(self, *args, check=True, input_bytes=None):
        return run_cli(list(args), self.env, check=check, input_bytes=input_bytes)

    def create_key(self, name, role):
        out = self.cli("apikey", "create", name, "--role", role)
        return out.stdout.strip().splitlines()[-1]

    @property
    def db_path(self):
        return os.path.join(self.env["ARAYIS_DATA_DIR"], "arayis.db")

    # --- the database, whichever the engine --------------------------------

    def _database_url(self):
        saved = os.path.join(self.dir, DATABASE_URL_FILE)
        if os.path.exists(saved):
            with open(saved) as f:
                return f.read().strip()
        import postgres
        url = postgres.shared().create_database().url
        os.makedirs(self.dir, exist_ok=True)
        with open(saved, "w") as f:
            f.write(url + "\n")
        return url

    def sql(self, query, params=()):
        """Runs one statement (? placeholders) on the service's database in its own committed transaction, beside
        the service; returns the rows as a list of tuples ([] for a statement without a result)."""
        if "ARAYIS_DATABASE_URL" in self.env:
            import postgres
            return postgres.query(self.env["ARAYIS_DATABASE_URL"], placeholders_for_psycopg2(query), params)
        db = sqlite3.connect(self.db_path, timeout=10)
        try:
            with db:
                return db.execute(query, params).fetchall()
        finally:
            db.close()

    def sql_exec(self, query, params=()):
        """Like sql, for a statement whose rows do not matter (INSERT, UPDATE)."""
        self.sql(query, params)

    # --- HTTP ------------------------------------------------------------

    def request(self, method, path, body=None, key=None, headers=None, content_type="application/json", timeout=30):
        """Returns (status, headers dict with lower-case names, body bytes). dict/list bodies are sent as JSON."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None and content_type is not None:
            hdrs.setdefault("Content-Type", content_type)
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            answer_headers = {k.lower(): v for k, v in resp.getheaders()}
            contract.check_answer(method, path, resp.status, answer_headers, data)
            return resp.status, answer_headers, data
        finally:
            conn.close()

    def request_declaring(self, method, path, content_length, content_type="application/json", timeout=30):
        """Sends only the headers of a request whose declared body is content_length bytes; returns
        (status, body bytes) of the answer the server gives before reading any body."""
        import socket
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                      f"Content-Length: {content_length}\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(next((l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")), b"0"))
            while len(body) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
            return int(head.split()[1]), body

    def json(self, method, path, body=None, key=None, **kw):
        """Like request, but decodes the JSON answer."""
        status, headers, data = self.request(method, path, body, key, **kw)
        return status, json.loads(data.decode("utf-8")) if data else None

    def verify_pdf(self, data):
        """POST /api/v1/verify/pdf with data: (status, parsed JSON answer)."""
        status, _, body = self.request("POST", "/api/v1/verify/pdf", data, content_type="application/pdf")
        return status, json.loads(body)

    def log_events(self, event=None):
        out = []
        for line in list(self.log_lines):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if event is None or entry.get("event") == event:
                out.append(entry)
        return out


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
