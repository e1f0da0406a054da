"""The tests' PostgreSQL cluster: separate databases, committed rows survive an immediate stop, nothing outlives it."""
import os
import subprocess
import sys
import unittest

import postgres


def postmaster_pid(cluster):
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        return int(f.readline())


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@unittest.skipUnless(postgres.available(), "PostgreSQL's server is not installed (Debian package postgresql)")
class ClusterTest(unittest.TestCase):
    def test_databases_survive_an_immediate_stop_and_nothing_is_left(self):
        cluster = postgres.Cluster()
        self.addCleanup(cluster.close)
        cluster.start()
        pid = postmaster_pid(cluster)
        self.assertTrue(alive(pid))
        if os.geteuid() == 0:
            self.assertNotEqual(os.stat(f"/proc/{pid}").st_uid, 0, "the server runs as an unprivileged user")
        self.assertEqual(os.stat(cluster.dir).st_mode & 0o777, 0o700)

        first, second = cluster.create_database(), cluster.create_database()
        self.assertNotEqual(first.name, second.name)
        for db in (first, second):
            self.assertEqual(postgres.query(db.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                             [(0,)])
            self.assertEqual(postgres.query(db.url, "SELECT current_database()"), [(db.name,)])
            self.assertEqual(postgres.query(db.tcp_url, "SELECT current_database(), inet_server_addr()::text"),
                             [(db.name, "127.0.0.1/32")])
            self.assertEqual(postgres.query(db.url, "SELECT current_setting('fsync'), "
                                            "current_setting('synchronous_commit')"), [("on", "on")])
        postgres.query(first.url, "CREATE TABLE t (id integer PRIMARY KEY, v text)")
        postgres.query(first.url, "INSERT INTO t VALUES (%s, %s)", (1, "Ağdaş İsmayıllı"))
        postgres.query(second.url, "CREATE TABLE t (id integer PRIMARY KEY, v text)")
        self.assertEqual(postgres.query(second.url, "SELECT count(*) FROM t"), [(0,)])

        cluster.stop("immediate")
        self.assertFalse(alive(pid))
        with self.assertRaises(postgres.psycopg2.OperationalError):
            postgres.query(first.url, "SELECT 1")
        cluster.start()
        self.assertEqual(postgres.query(first.tcp_url, "SELECT id, v FROM t"), [(1, "Ağdaş İsmayıllı")])
        self.assertEqual(postgres.query(second.url, "SELECT count(*) FROM t"), [(0,)])

        pid = postmaster_pid(cluster)
        cluster.close()
        self.assertFalse(alive(pid))
        self.assertFalse(os.path.exists(cluster.dir))

    def test_the_shared_cluster_is_one_for_the_process(self):
        cluster = postgres.shared()
        self.assertIs(postgres.shared(), cluster)
        db = cluster.create_database()
        self.assertEqual(postgres.query(db.url, "SELECT current_user"), [(postgres.SUPERUSER,)])

    def test_the_shared_cluster_goes_away_with_the_process(self):
        child = subprocess.run([sys.executable, "-c", "import postgres, test_postgres_fixture as t\n"
                                "c = postgres.shared()\nprint(c.dir, t.postmaster_pid(c))"],
                               capture_output=True, text=True, timeout=120, cwd=os.path.dirname(__file__) or ".")
        self.assertEqual(child.returncode, 0, child.stderr)
        scratch, pid = child.stdout.split()
        self.assertFalse(alive(int(pid)))
        self.assertFalse(os.path.exists(scratch))

    def test_stop_modes_are_checked(self):
        with self.assertRaises(ValueError):
            postgres.shared().stop("smart")


if __name__ == "__main__":
    unittest.main()
