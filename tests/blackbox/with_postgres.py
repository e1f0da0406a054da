"""Runs a program with ARAYIS_TEST_DATABASE_URL naming a new database of a PostgreSQL cluster started for it, and
exits with the program's status; the cluster is removed afterwards."""
import os
import subprocess
import sys

import postgres


def main():
    if not postgres.available():
        print("PostgreSQL's server is not installed (Debian package postgresql)", file=sys.stderr)
        return 1
    cluster = postgres.Cluster()
    try:
        cluster.start()
        env = dict(os.environ, ARAYIS_TEST_DATABASE_URL=cluster.create_database().url)
        return subprocess.run(sys.argv[1:], env=env, stdin=subprocess.DEVNULL).returncode
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
