"""The state and audit schemas exactly as released before schema versions were recorded,
copied verbatim from git (HEAD 0ce5831; the first alert outbox from before 781aef0), so
that tests make files as the released bot made them."""

# chatops/runs/store.py SCHEMA (then chatops/approvals/runs.py) at HEAD.
RUNS_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    runbook TEXT NOT NULL,
    risk TEXT NOT NULL,
    requester TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    identity TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    raw_slots TEXT NOT NULL,
    plan TEXT NOT NULL,
    digest TEXT NOT NULL,
    preview TEXT NOT NULL DEFAULT '[]',
    needed INTEGER NOT NULL,
    confidence REAL NOT NULL DEFAULT 1.0,
    notes TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    owner TEXT,
    before TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}',
    undo_of TEXT,
    message_ref TEXT,
    act_as_approver INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_thread ON runs(channel, thread);
CREATE INDEX IF NOT EXISTS runs_state ON runs(state);
CREATE TABLE IF NOT EXISTS approvals (
    run_id TEXT NOT NULL,
    approver TEXT NOT NULL,
    approver_name TEXT NOT NULL,
    digest TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_at REAL NOT NULL,
    PRIMARY KEY (run_id, approver, digest)
);
CREATE TABLE IF NOT EXISTS dedupe (
    key TEXT PRIMARY KEY,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS threads (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""

# chatops/alerts/store.py SCHEMA at HEAD.
ALERTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_groups (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT,
    anchor TEXT,
    alerts TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    group_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    claimed_by TEXT,
    posted_at REAL,
    ts TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    last_error TEXT,
    failed_at REAL
);
CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox(posted_at, channel);
"""

# chatops/alerts/store.py SCHEMA before the outbox retried (781aef0^): files of that
# version lack attempts, next_attempt_at, last_error and failed_at.
ALERTS_SCHEMA_FIRST = """
CREATE TABLE IF NOT EXISTS alert_groups (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT,
    anchor TEXT,
    alerts TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    group_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    claimed_by TEXT,
    posted_at REAL,
    ts TEXT
);
CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox(posted_at, channel);
"""

# What sqlite-utils created for chatops/audit/log.py at HEAD (sqlite_master.sql of a new
# log), and the head row it inserted into a new log.
AUDIT_SCHEMA = """
CREATE TABLE "audit_events" (
   "id" INTEGER PRIMARY KEY,
   "ts" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "actor" TEXT,
   "run_id" TEXT,
   "thread" TEXT,
   "data" TEXT NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL
);
CREATE INDEX "idx_audit_events_run_id"
    ON "audit_events" ("run_id");
CREATE INDEX "idx_audit_events_kind"
    ON "audit_events" ("kind");
CREATE TABLE "audit_head" (
   "id" INTEGER PRIMARY KEY,
   "last_id" INTEGER NOT NULL,
   "last_hash" TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
"""
