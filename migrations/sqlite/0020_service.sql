-- Enterprise service: departments that handle appeals, specialists assigned to enterprises and projects,
-- visits (走访) with participants and photos, appeals (诉求) with their events, the working-day calendar,
-- the appeal code lists, in-app notifications.

-- A unit within a region that handles appeals. A 部门办理人 belongs to the department whose region and
-- name equal the user's region and department.
CREATE TABLE departments (
    id BLOB PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    is_demo BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (region, name)
);

-- Deadline tiers: working days from receipt to the due date. Codes are fixed; days and names are editable.
CREATE TABLE appeal_tiers (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    days BIGINT NOT NULL,
    sort BIGINT NOT NULL
);
INSERT INTO appeal_tiers (code, name, days, sort) VALUES
    ('urgent', '紧急', 2, 1), ('normal', '一般', 7, 2), ('complex', '复杂', 15, 3);

-- The editable category code list, each with its default tier.
CREATE TABLE appeal_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tier TEXT NOT NULL REFERENCES appeal_tiers(code),
    sort BIGINT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);
INSERT INTO appeal_categories (code, name, tier, sort, active) VALUES
    ('01', '用地', 'complex', 1, 1), ('02', '融资', 'normal', 2, 1), ('03', '用工', 'normal', 3, 1),
    ('04', '审批', 'normal', 4, 1), ('05', '水电气', 'urgent', 5, 1), ('06', '物流', 'normal', 6, 1),
    ('07', '政策兑现', 'normal', 7, 1), ('08', '市场', 'normal', 8, 1), ('99', '其他', 'normal', 99, 1);

-- Exceptions to "Monday to Friday": public holidays on weekdays and make-up working days (调休) on weekends.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- One current specialist per enterprise or project (ended_at IS NULL); earlier rows are the handovers.
CREATE TABLE specialist_assignments (
    id BLOB PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('enterprise', 'project')),
    target_id BLOB NOT NULL,
    specialist_id BLOB NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    assigned_by TEXT NOT NULL,
    note TEXT,
    is_demo BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX specialist_assignments_current ON specialist_assignments(target_kind, target_id)
    WHERE ended_at IS NULL;
CREATE INDEX specialist_assignments_target ON specialist_assignments(target_kind, target_id);
CREATE INDEX specialist_assignments_specialist ON specialist_assignments(specialist_id);

CREATE TABLE visits (
    id BLOB PRIMARY KEY,
    enterprise_id BLOB NOT NULL REFERENCES enterprises(id),
    project_id BLOB REFERENCES projects(id),
    region TEXT NOT NULL REFERENCES regions(code),
    visited_on TEXT NOT NULL,
    mode TEXT NOT NULL,
    unit_region TEXT NOT NULL REFERENCES regions(code),
    unit_name TEXT NOT NULL,
    topics TEXT NOT NULL,
    expansion TEXT,
    exit_risk TEXT NOT NULL,
    exit_risk_note TEXT,
    problems TEXT,
    notes TEXT,
    created_by BLOB REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX visits_enterprise ON visits(enterprise_id, visited_on);
CREATE INDEX visits_region ON visits(region, visited_on);

CREATE TABLE visit_participants (
    visit_id BLOB NOT NULL REFERENCES visits(id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (visit_id, seq)
);

CREATE TABLE visit_photos (
    id BLOB PRIMARY KEY,
    visit_id BLOB NOT NULL REFERENCES visits(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX visit_photos_visit ON visit_photos(visit_id);

CREATE TABLE appeals (
    id BLOB PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES appeal_categories(code),
    tier TEXT NOT NULL REFERENCES appeal_tiers(code),
    tier_days BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('visit', 'project', 'direct')),
    visit_id BLOB REFERENCES visits(id),
    project_id BLOB REFERENCES projects(id),
    enterprise_id BLOB REFERENCES enterprises(id),
    region TEXT NOT NULL REFERENCES regions(code),
    level TEXT NOT NULL CHECK (level IN ('county', 'city', 'province')),
    department_id BLOB REFERENCES departments(id),
    state TEXT NOT NULL,
    contact TEXT,
    received_at TEXT NOT NULL,
    due_on TEXT NOT NULL,
    dispatched_at TEXT,
    accepted_at TEXT,
    resolved_at TEXT,
    answer TEXT,
    satisfaction TEXT,
    evaluated_at TEXT,
    evaluation_note TEXT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    return_reason TEXT,
    extension_days BIGINT,
    extension_reason TEXT,
    extended BOOLEAN NOT NULL DEFAULT 0,
    supervision TEXT,
    supervisor_id BLOB REFERENCES users(id),
    supervisor_name TEXT,
    escalations BIGINT NOT NULL DEFAULT 0,
    escalated_at TEXT,
    auto_escalated_due TEXT,
    created_by BLOB REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX appeals_region ON appeals(region, received_at);
CREATE INDEX appeals_department ON appeals(department_id, state);
CREATE INDEX appeals_state_due ON appeals(state, due_on);
CREATE INDEX appeals_enterprise ON appeals(enterprise_id);
CREATE INDEX appeals_visit ON appeals(visit_id);

-- What happened to an appeal, in order (the page's history; the audit log holds before/after).
CREATE TABLE appeal_events (
    id BLOB PRIMARY KEY,
    appeal_id BLOB NOT NULL REFERENCES appeals(id),
    at TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT
);
CREATE INDEX appeal_events_appeal ON appeal_events(appeal_id, at);

-- Appeal numbers, "SQ2026-000123": one counter row per year, bumped under its row lock.
CREATE TABLE service_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- In-app notifications; dedupe_key makes the periodic sweep idempotent across instances.
CREATE TABLE notifications (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    appeal_id BLOB REFERENCES appeals(id),
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
