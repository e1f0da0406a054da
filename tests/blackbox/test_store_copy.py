"""Black-box tests of moving the database between engines: `arayis store copy --to` from SQLite into a real PostgreSQL
database (every row, the service on the copy, a refused non-empty target, a document that does not match its
certificate), and `arayis backup` on PostgreSQL writing an SQLite file that `restore` and `store copy` take back."""
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unittest

import pdfcheck
import postgres
from gateway import Gateway
from harness import Service, run_cli

TABLES = ("api_keys", "subscribers", "applications", "application_events", "certificate_counters", "certificates",
          "certificate_documents", "sms_outbox", "audit_log", "portal_events", "tlog_entries", "tlog_subtrees",
          "tlog_checkpoints")
MORE_SUBSCRIBERS = 300  # beside the demo data: over two batches of the copy
IDENTITY_TABLES = ("api_keys", "application_events", "sms_outbox", "audit_log", "portal_events")


def application(reference, code, applicant=None, contact=None):
    body = {"portal_reference": reference, "subscriber_type": "residential", "subscriber_code": code,
            "applicant": applicant or {"fin": "5ABC7D9", "last_name": "Məmmədov", "first_name": "Əli",
                                       "birth_date": "1985-04-12"},
            "contact": contact or {"mobile": "050 123 45 67"}}
    return body


def sqlite_rows(path, query):
    db = sqlite3.connect(path)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def sqlite_counts(path):
    return {t: sqlite_rows(path, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def pg_counts(url):
    return {t: postgres.query(url, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def pg_columns(url, table):
    return [r[0] for r in postgres.query(url, "SELECT column_name FROM information_schema.columns"
                                              " WHERE table_schema = 'public' AND table_name = %s"
                                              " ORDER BY ordinal_position", (table,))]


def plain(rows):
    """Rows as tuples of plain values (bytes for blobs), sorted by their first column (the key)."""
    return sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows),
                  key=lambda r: r[0])


def sqlite_env(base_env, data_dir):
    env = dict(base_env)
    env.pop("ARAYIS_DATABASE_URL", None)
    env["ARAYIS_DATA_DIR"] = data_dir
    return env


def sqlite_service(workdir, keys_dir, extra=None):
    """A service on the SQLite database in workdir/data, with the signing keys of keys_dir, whatever engine the rest
    of the tests use."""
    os.makedirs(workdir, exist_ok=True)
    svc = Service(dict(extra or {}, ARAYIS_KEYS_DIR=keys_dir), workdir=workdir)
    svc.env.pop("ARAYIS_DATABASE_URL", None)
    return svc


class StoreCopyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="arayis-store-copy-")
        cls.receiver = Gateway(id_header="Arayis-Event-Id")
        cls.source_dir = os.path.join(cls.tmp, "source")
        cls.keys_dir = os.path.join(cls.source_dir, "keys")
        cls.source = sqlite_service(cls.source_dir, cls.keys_dir, {"ARAYIS_WEBHOOK_RETRY_BASE_MS": "100"})
        cls.source.start()
        cls.fill_source()
        cls.source.stop()
        cls.db_path = cls.source.db_path
        cls.source_counts = sqlite_counts(cls.db_path)

        cls.pg = postgres.shared().create_database()
        cls.copy_run = cls.source.cli("store", "copy", "--to", cls.pg.url, check=False)
        # what the copy wrote, before a service on it changes anything
        cls.pg_counts_after_copy = pg_counts(cls.pg.url)
        cls.pg_rows_after_copy = {t: plain(postgres.query(cls.pg.url, f"SELECT * FROM {t}")) for t in TABLES}
        cls.pg_max_ids = {t: postgres.query(cls.pg.url, f"SELECT max(id) FROM {t}")[0][0] for t in IDENTITY_TABLES}
        os.makedirs(os.path.join(cls.tmp, "served"))
        cls.served = Service({"ARAYIS_DATABASE_URL": cls.pg.url, "ARAYIS_KEYS_DIR": cls.keys_dir,
                              "ARAYIS_WEBHOOK_RETRY_BASE_MS": "100"}, workdir=os.path.join(cls.tmp, "served"))
        cls.served.start()

    @classmethod
    def fill_source(cls):
        svc = cls.source
        svc.cli("billing", "import", os.path.join(os.environ["ARAYIS_SHARE_DIR"], "demo", "billing.csv"))
        # more subscribers than the copy reads in one batch (every third without an address)
        more = os.path.join(cls.tmp, "more.csv")
        with open(more, "w") as f:
            f.write("subscriber_code,subscriber_type,owner_fin,owner_voen,holder_name,address,debt_amount,as_of\n")
            for i in range(MORE_SUBSCRIBERS):
                address = "" if i % 3 == 0 else f'"Şəki şəhəri, M. F. Axundzadə pr. {i}"'
                f.write(f"3{i:09d},residential,5ABC7D9,,Əliyeva İlahə {i},{address},{i}.{i % 100:02d},"
                        "2026-11-25T09:00:00Z\n")
        svc.cli("billing", "import", more)
        out = svc.cli("apikey", "create", "egov", "--role", "portal", "--webhook", cls.receiver.url).stdout
        cls.portal = out.strip().splitlines()[-1]
        cls.admin = svc.create_key("ops", "admin")
        svc.create_key("old-billing", "billing")
        svc.cli("apikey", "revoke", "old-billing")
        cls.certs = []
        people = [("1234567890", None, None),
                  ("1234567891", {"fin": "7XYZ2K4", "last_name": "Həsənova", "first_name": "Gülşən",
                                  "birth_date": "1990-02-03"}, {"mobile": "055 765 43 21", "email": "g@example.az"}),
                  ("1234567890", None, {"mobile": "070 111 22 33"})]
        for i, (code, applicant, contact) in enumerate(people):
            status, got = svc.json("POST", "/api/v1/applications", application(f"copy-{i}", code, applicant, contact),
                                   key=cls.portal)
            assert status == 201, got
            cls.certs.append(got)
        revoked = cls.certs[1]["certificate"]["number"]
        status, got = svc.json("POST", f"/api/v1/certificates/{revoked}/revoke", {"reason": "Səhv məlumat"},
                               key=cls.admin)
        assert status == 200, got
        cls.before = {}
        for got in cls.certs:
            cert = got["certificate"]
            status, _, pdf = svc.request("GET", cls.pdf_path(cert))
            assert status == 200, status
            status, verdict = svc.json("GET", cls.verify_path(cert), headers={"Accept": "application/json"})
            assert status == 200, verdict
            cls.before[cert["number"]] = (hashlib.sha256(pdf).hexdigest(), verdict["status"])
        # every event delivered, so that nothing is in flight when the service stops
        deadline = time.time() + 20
        while time.time() < deadline and svc.sql("SELECT count(*) FROM portal_events WHERE delivery = 'pending'")[0][0]:
            time.sleep(0.1)

    @staticmethod
    def pdf_path(cert):
        return f'/c/{cert["number"]}.pdf?code={cert["verification_code"]}'

    @staticmethod
    def verify_path(cert):
        return f'/v/{cert["number"]}?code={cert["verification_code"]}'

    @classmethod
    def tearDownClass(cls):
        cls.served.close()
        cls.source.close()
        cls.receiver.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assert_serves_the_certificates(self, svc):
        for got in self.certs:
            cert = got["certificate"]
            sha256, verdict = self.before[cert["number"]]
            status, _, pdf = svc.request("GET", self.pdf_path(cert))
            self.assertEqual(status, 200, cert["number"])
            self.assertEqual(hashlib.sha256(pdf).hexdigest(), sha256, cert["number"])
            path = os.path.join(self.tmp, cert["number"] + ".pdf")
            with open(path, "wb") as f:
                f.write(pdf)
            self.assertTrue(pdfcheck.signature_valid(path), pdfcheck.pdfsig(path))
            status, body = svc.json("GET", self.verify_path(cert), headers={"Accept": "application/json"})
            self.assertEqual((status, body["status"]), (200, verdict), cert["number"])

    def test_source_holds_what_the_copy_is_about(self):
        self.assertEqual(sorted(v for _, v in self.before.values()), ["revoked", "valid", "valid"])
        for table in TABLES:
            self.assertGreater(self.source_counts[table], 0, table)
        self.assertEqual(sqlite_rows(self.db_path, "SELECT count(*) FROM api_keys WHERE webhook_url IS NOT NULL"
                                                   " AND revoked_at IS NULL"), [(1,)])
        self.assertEqual(sqlite_rows(self.db_path, "SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"),
                         [(1,)])

    def test_copy_reports_counts_and_keeps_every_row_and_column(self):
        self.assertEqual(self.copy_run.returncode, 0, self.copy_run.stderr)
        printed = dict(re.findall(r"^(\w+): (\d+) rows$", self.copy_run.stdout, re.M))
        self.assertEqual({t: int(n) for t, n in printed.items()}, self.source_counts)
        self.assertIn(f"documents: {self.source_counts['certificate_documents']} checked", self.copy_run.stdout)
        self.assertEqual(self.pg_counts_after_copy, self.source_counts)
        for table in TABLES:
            with self.subTest(table):
                columns = pg_columns(self.pg.url, table)
                self.assertEqual(sorted(columns),
                                 sorted(r[1] for r in sqlite_rows(self.db_path, f"PRAGMA table_info({table})")))
                listed = ", ".join(columns)
                source = plain(sqlite_rows(self.db_path, f"SELECT {listed} FROM {table}"))
                copied = plain(postgres.query(self.pg.url, f"SELECT {listed} FROM {table}"))
                self.assertEqual(copied, source)
        # NULLs stayed NULLs: the unrevoked keys, the application without e-mail, the unrevoked certificates
        self.assertEqual(postgres.query(self.pg.url, "SELECT count(*) FROM certificates WHERE revoked_at IS NULL"),
                         [(2,)])
        self.assertEqual(postgres.query(self.pg.url, "SELECT count(*) FROM applications WHERE email IS NULL"), [(2,)])
        self.assertEqual(postgres.query(self.pg.url, "SELECT count(*) FROM subscribers WHERE address IS NULL"),
                         [(MORE_SUBSCRIBERS // 3,)])

    def test_service_on_the_copy_serves_and_continues_the_numbering(self):
        self.assert_serves_the_certificates(self.served)
        # the old portal key authenticates; a new certificate takes the next number of the year
        numbers = sorted(g["certificate"]["number"] for g in self.certs)
        year, last = re.fullmatch(r"AZI-(\d{4})-(\d{6})", numbers[-1]).groups()
        status, got = self.served.json("POST", "/api/v1/applications", application("after-copy", "1234567890"),
                                       key=self.portal)
        self.assertEqual(status, 201, got)
        self.assertEqual(got["certificate"]["number"], f"AZI-{year}-{int(last) + 1:06d}")
        status, _, pdf = self.served.request("GET", self.pdf_path(got["certificate"]))
        self.assertEqual(hashlib.sha256(pdf).hexdigest(), got["certificate"]["sha256"])
        self.served.create_key("after-copy", "billing")
        # new rows took ids after the copied ones (the identity sequences were moved)
        for table in IDENTITY_TABLES:
            with self.subTest(table):
                new = postgres.query(self.pg.url, f"SELECT min(id) FROM {table} WHERE id > %s",
                                     (self.pg_max_ids[table],))[0][0]
                self.assertEqual(new, self.pg_max_ids[table] + 1)

    def test_copy_into_a_database_holding_rows_is_refused(self):
        before = pg_counts(self.pg.url)
        run = self.source.cli("store", "copy", "--to", self.pg.url, check=False)
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertIn("not empty", run.stderr)
        self.assertEqual(pg_counts(self.pg.url), before)
        self.assertNotIn("rows", run.stdout)

    def test_a_document_that_does_not_match_its_certificate_fails_the_copy(self):
        work = os.path.join(self.tmp, "tampered")
        os.makedirs(os.path.join(work, "data"))
        shutil.copy(self.db_path, os.path.join(work, "data", "arayis.db"))
        number = self.certs[0]["certificate"]["number"]
        db = sqlite3.connect(os.path.join(work, "data", "arayis.db"))
        with db:
            db.execute("UPDATE certificate_documents SET pdf = pdf || x'0a' WHERE number = ?", (number,))
        db.close()
        target = postgres.shared().create_database()
        run = run_cli(["store", "copy", "--to", target.url], sqlite_env(self.source.env, os.path.join(work, "data")),
                      check=False)
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertIn(number, run.stderr)
        self.assertIn("SHA-256", run.stderr)
        self.assertEqual(set(pg_counts(target.url).values()), {0}, "the failed copy was rolled back")

    def test_backup_on_postgresql_restores_into_sqlite_and_copies_back(self):
        backup = os.path.join(self.tmp, "backup.db")
        run = self.served.cli("backup", backup, check=False)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(sqlite_rows(backup, "PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(sqlite_counts(backup), pg_counts(self.pg.url))
        # restore is SQLite's; on PostgreSQL it points at store copy and changes nothing
        before = pg_counts(self.pg.url)
        run = self.served.cli("restore", backup, check=False)
        self.assertEqual(run.returncode, 1)
        self.assertIn("store copy --to", run.stderr)
        self.assertEqual(pg_counts(self.pg.url), before)
        # the backup restored into a fresh data directory serves the same certificates on SQLite
        restored_dir = os.path.join(self.tmp, "restored")
        restored = sqlite_service(restored_dir, self.keys_dir)
        self.addCleanup(restored.close)
        restored.cli("restore", backup)
        restored.start()
        self.assert_serves_the_certificates(restored)
        restored.stop()
        # and goes back into PostgreSQL
        target = postgres.shared().create_database()
        run = restored.cli("store", "copy", "--to", target.url, check=False)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(pg_counts(target.url), sqlite_counts(backup))


if __name__ == "__main__":
    unittest.main()
