-- Enterprise service: departments that handle appeals, specialists assigned to enterprises and projects,
-- visits (走访) with participants and photos, appeals (诉求) with their events, the working-day calendar,
-- the appeal code lists, in-app notifications.

-- A unit within a region that handles appeals. A 部门办理人 belongs to the department whose region and
-- name equal the user's region and department.
CREATE TABLE departments (
    id UUID PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions(code),
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
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
    active BOOLEAN NOT NULL DEFAULT true
);
INSERT INTO appeal_categories (code, name, tier, sort, active) VALUES
    ('01', '用地', 'complex', 1, true), ('02', '融资', 'normal', 2, true), ('03', '用工', 'normal', 3, true),
    ('04', '审批', 'normal', 4, true), ('05', '水电气', 'urgent', 5, true), ('06', '物流', 'normal', 6, true),
    ('07', '政策兑现', 'normal', 7, true), ('08', '市场', 'normal', 8, true), ('99', '其他', 'normal', 99, true);

-- Exceptions to "Monday to Friday": public holidays on weekdays and make-up working days (调休) on weekends.
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY,
    year BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- One current specialist per enterprise or project (ended_at IS NULL); earlier rows are the handovers.
CREATE TABLE specialist_assignments (
    id UUID PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('enterprise', 'project')),
    target_id UUID NOT NULL,
    specialist_id UUID NOT NULL REFERENCES users(id),
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    assigned_by TEXT NOT NULL,
    note TEXT,
    is_demo BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX specialist_assignments_current ON specialist_assignments(target_kind, target_id)
    WHERE ended_at IS NULL;
CREATE INDEX specialist_assignments_target ON specialist_assignments(target_kind, target_id);
CREATE INDEX specialist_assignments_specialist ON specialist_assignments(specialist_id);

CREATE TABLE visits (
    id UUID PRIMARY KEY,
    enterprise_id UUID NOT NULL REFERENCES enterprises(id),
    project_id UUID REFERENCES projects(id),
    region TEXT NOT NULL REFERENCES regions(code),
    visited_on DATE NOT NULL,
    mode TEXT NOT NULL,
    unit_region TEXT NOT NULL REFERENCES regions(code),
    unit_name TEXT NOT NULL,
    topics TEXT NOT NULL,
    expansion TEXT,
    exit_risk TEXT NOT NULL,
    exit_risk_note TEXT,
    problems TEXT,
    notes TEXT,
    created_by UUID REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX visits_enterprise ON visits(enterprise_id, visited_on);
CREATE INDEX visits_region ON visits(region, visited_on);

CREATE TABLE visit_participants (
    visit_id UUID NOT NULL REFERENCES visits(id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (visit_id, seq)
);

CREATE TABLE visit_photos (
    id UUID PRIMARY KEY,
    visit_id UUID NOT NULL REFERENCES visits(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX visit_photos_visit ON visit_photos(visit_id);

CREATE TABLE appeals (
    id UUID PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES appeal_categories(code),
    tier TEXT NOT NULL REFERENCES appeal_tiers(code),
    tier_days BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('visit', 'project', 'direct')),
    visit_id UUID REFERENCES visits(id),
    project_id UUID REFERENCES projects(id),
    enterprise_id UUID REFERENCES enterprises(id),
    region TEXT NOT NULL REFERENCES regions(code),
    level TEXT NOT NULL CHECK (level IN ('county', 'city', 'province')),
    department_id UUID REFERENCES departments(id),
    state TEXT NOT NULL,
    contact TEXT,
    received_at TIMESTAMPTZ NOT NULL,
    due_on DATE NOT NULL,
    dispatched_at TIMESTAMPTZ,
    accepted_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    answer TEXT,
    satisfaction TEXT,
    evaluated_at TIMESTAMPTZ,
    evaluation_note TEXT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    return_reason TEXT,
    extension_days BIGINT,
    extension_reason TEXT,
    extended BOOLEAN NOT NULL DEFAULT false,
    supervision TEXT,
    supervisor_id UUID REFERENCES users(id),
    supervisor_name TEXT,
    escalations BIGINT NOT NULL DEFAULT 0,
    escalated_at TIMESTAMPTZ,
    auto_escalated_due DATE,
    created_by UUID REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX appeals_region ON appeals(region, received_at);
CREATE INDEX appeals_department ON appeals(department_id, state);
CREATE INDEX appeals_state_due ON appeals(state, due_on);
CREATE INDEX appeals_enterprise ON appeals(enterprise_id);
CREATE INDEX appeals_visit ON appeals(visit_id);

-- What happened to an appeal, in order (the page's history; the audit log holds before/after).
CREATE TABLE appeal_events (
    id UUID PRIMARY KEY,
    appeal_id UUID NOT NULL REFERENCES appeals(id),
    at TIMESTAMPTZ NOT NULL,
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
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    appeal_id UUID REFERENCES appeals(id),
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
