"""A real PostgreSQL cluster for the tests: initdb + pg_ctl in a scratch directory, on a loopback port and a unix socket."""
import atexit
import collections
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid

try:
    import psycopg2
except ImportError:
    # python3-psycopg2 is a Debian package; the interpreter running the tests may be another build of the same
    # Python version (a virtual environment, a self-built one) that does not look in Debian's directory
    sys.path.append("/usr/lib/python3/dist-packages")
    import psycopg2

SUPERUSER = "arayis"           # the cluster's superuser role, the one every test database URL names
UNPRIVILEGED = "nobody"        # PostgreSQL refuses to run as root: the cluster runs as this user then
START_TIMEOUT = 60             # seconds pg_ctl waits for the server to accept connections (or to stop)
MAX_CONNECTIONS = 300          # several services at once, each with a connection per worker thread

Database = collections.namedtuple("Database", "name url tcp_url")


def binaries():
    """The directory of the newest installed PostgreSQL server's programs (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        path = shutil.which("initdb")
        if path is None:
            raise RuntimeError("PostgreSQL's initdb is not installed (Debian package postgresql)")
        return os.path.dirname(path)
    return os.path.dirname(found[-1])


def available():
    try:
        binaries()
        return True
    except RuntimeError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(url, sql, params=()):
    """Runs one statement with psycopg2 (%s placeholders) in its own committed transaction; returns the rows as a
    list of tuples, or [] for a statement without a result."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description is not None else []
    finally:
        conn.close()


class Cluster:
    """One PostgreSQL server in its own scratch directory. The data directory survives stop() and start(), so a test
    can stop the server the hard way ('immediate', as a crash) and start it again on the same data."""

    def __init__(self):
        self.bin = binaries()
        self.dir = tempfile.mkdtemp(prefix="arayis-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.port = free_port()
        self.running = False
        self.as_user = []
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
        os.chmod(self.dir, 0o700)
        self._run("initdb", "-D", self.data, "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--auth=trust",
                  "--no-instructions")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                    f"max_connections = {MAX_CONNECTIONS}\nfsync = on\nsynchronous_commit = on\n"
                    "full_page_writes = on\n")
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("# the unix socket and the loopback address only, without a password\n"
                    "local all all trust\n"
                    "host all all 127.0.0.1/32 trust\n")

    def _run(self, program, *args):
        proc = subprocess.run(self.as_user + [os.path.join(self.bin, program), *args], cwd=self.dir,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START_TIMEOUT + 30)
        if proc.returncode != 0:
            raise RuntimeError(f"{program} failed ({proc.returncode}): {proc.stderr}{self.server_log()}")
        return proc

    def server_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        """Starts the server on the data directory and returns once it accepts connections."""
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", str(START_TIMEOUT), "start")
        self.running = True
        return self

    def stop(self, mode="fast"):
        """Stops the server: 'fast' (clients are disconnected, a clean shutdown) or 'immediate' (no shutdown
        checkpoint: the next start recovers from the write-ahead log, as after a crash)."""
        if mode not in ("fast", "immediate"):
            raise ValueError(f"stop mode {mode!r}: 'fast' or 'immediate'")
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", str(START_TIMEOUT), "stop")
        self.running = False

    def url(self, name, tcp=False):
        """The postgresql:// URL of database name: through the unix socket, or with tcp through 127.0.0.1."""
        if tcp:
            return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"
        return f"postgresql:///{name}?host={self.dir}&port={self.port}&user={SUPERUSER}"

    def create_database(self):
        """A new empty database with a name of its own; returns Database(name, url, tcp_url)."""
        name = "t_" + uuid.uuid4().hex[:16]
        conn = psycopg2.connect(self.url("postgres"))
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        finally:
            conn.close()
        return Database(name, self.url(name), self.url(name, tcp=True))

    def close(self):
        """Stops the server if it runs and removes the scratch directory."""
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


_shared = None
_shared_lock = threading.Lock()


def shared():
    """The process's one cluster, started on first use and removed when the interpreter exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            cluster = Cluster()
            atexit.register(cluster.close)
            _shared = cluster.start()
        return _shared
