//! The OpenAPI 3 document, generated from the route registry so that every API route is in it.

use super::routes::{Routes, Rule};
use axum::Json;
use axum::http::Method;
use serde_json::{Map, Value, json};

pub fn routes(r: Routes) -> Routes {
    r.page(Method::GET, "/api/v1/openapi.json", Rule::Public, "OpenAPI 文档", document)
}

async fn document() -> Json<Value> {
    Json(build(&super::specs()))
}

fn schemas() -> Value {
    json!({
        "Error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": {"type": "string", "description": "机器可读的错误类别"},
            "message": {"type": "string", "description": "中文说明"},
            "fields": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "message": {"type": "string"}}}}}},
        "Me": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "username": {"type": "string"},
            "display_name": {"type": "string"}, "region": {"type": "string"},
            "grants": {"type": "array", "items": {"type": "object", "properties": {
                "role": {"type": "string"}, "scope": {"type": "string"}, "scope_name": {"type": "string"}}}}}},
        "Region": {"type": "object", "properties": {
            "code": {"type": "string"}, "name": {"type": "string"}, "short_name": {"type": "string", "nullable": true},
            "level": {"type": "string", "enum": ["province", "city", "county", "park"]},
            "kind": {"type": "string"}, "parent": {"type": "string", "nullable": true}, "path": {"type": "string"}}},
        "Industry": {"type": "object", "properties": {
            "code": {"type": "string"}, "section": {"type": "string"}, "level": {"type": "integer"},
            "parent": {"type": "string", "nullable": true}, "name": {"type": "string"}}},
        "User": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "username": {"type": "string"},
            "display_name": {"type": "string"}, "region": {"type": "string"},
            "department": {"type": "string", "nullable": true}, "disabled": {"type": "boolean"},
            "locked_until": {"type": "string", "format": "date-time", "nullable": true},
            "version": {"type": "integer"}}},
        "UserCreate": {"type": "object", "required": ["username", "display_name", "region"], "properties": {
            "username": {"type": "string", "pattern": "^[a-z][a-z0-9._-]{2,31}$"},
            "display_name": {"type": "string"}, "region": {"type": "string", "description": "所属单位区划代码"},
            "department": {"type": "string"}, "password": {"type": "string", "description": "留空则自动生成"}}},
        "UserCreated": {"type": "object", "properties": {
            "user": {"$ref": "#/components/schemas/User"}, "password": {"type": "string"}}},
        "Grant": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "user_id": {"type": "string", "format": "uuid"},
            "role": {"type": "string"}, "scope": {"type": "string"}, "scope_name": {"type": "string"}}},
        "GrantCreate": {"type": "object", "required": ["role", "scope"], "properties": {
            "role": {"type": "string", "enum": ["leader", "investment_officer", "service_specialist",
                "department_handler", "reporter", "sys_admin", "security_admin", "auditor"]},
            "scope": {"type": "string", "description": "管辖范围：区划或园区代码（含全部下级）"}}},
        "EnterpriseInput": {"type": "object", "required": ["credit_code", "name", "region"], "properties": {
            "credit_code": {"type": "string", "description": "统一社会信用代码（GB 32100-2015，含校验位）"},
            "name": {"type": "string"}, "region": {"type": "string", "description": "所在区划或园区代码"},
            "industry": {"type": "string", "description": "GB/T 4754-2017 行业代码"},
            "size": {"type": "string", "enum": ["大型", "中型", "小型", "微型", ""]},
            "ownership": {"type": "string", "enum": ["国有", "民营", "外资", "港澳台", ""]},
            "tags": {"type": "string", "description": "以“、”分隔：规上、专精特新、小巨人、单项冠军、百亿企业、上市、世界500强、中国500强、民营500强、央企、跨国公司、链主"},
            "origin": {"type": "string", "enum": ["本省", "省外", "境外", ""]},
            "origin_place": {"type": "string", "description": "来源省份或国家/地区"}}},
        "Enterprise": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "credit_code": {"type": "string"}, "name": {"type": "string"},
            "region": {"type": "string"}, "region_name": {"type": "string"}, "industry": {"type": "string", "nullable": true},
            "industry_name": {"type": "string", "nullable": true}, "size": {"type": "string", "nullable": true},
            "ownership": {"type": "string", "nullable": true}, "tags": {"type": "array", "items": {"type": "string"}},
            "origin": {"type": "string", "nullable": true}, "origin_place": {"type": "string", "nullable": true},
            "version": {"type": "integer"}}},
        "EnterprisePage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Enterprise"}}}},
        "ProjectInput": {"type": "object", "required": ["name", "region", "total_investment"], "properties": {
            "code": {"type": "string", "description": "项目代码 YYMM-区划-行业-类型-序号（备案后填）"},
            "name": {"type": "string"}, "region": {"type": "string", "description": "责任单位所在区划或园区代码"},
            "industry": {"type": "string"}, "sector": {"type": "string", "enum": ["一产", "二产", "三产", ""]},
            "industrial": {"type": "string", "enum": ["是", "否", ""]}, "nature": {"type": "string", "enum": ["新建", "扩建", "技改", ""]},
            "capital": {"type": "string", "enum": ["国资", "民资", "外资", ""]},
            "sources": {"type": "string", "description": "以“、”分隔：省外、境外、粤港澳大湾区、长三角、京津冀、一带一路"},
            "channel": {"type": "string", "enum": ["产业链招商", "平台招商", "基金招商", "以商招商", "其他", ""]},
            "total_investment": {"type": "string", "description": "总投资，万元（或写“75亿”）"},
            "fixed_investment": {"type": "string"}, "foreign_usd": {"type": "string", "description": "合同外资，万美元"},
            "expected_output": {"type": "string"}, "expected_tax": {"type": "string"}, "expected_jobs": {"type": "string"},
            "land_mu": {"type": "string", "description": "用地，亩"}, "tags": {"type": "string"},
            "investors": {"type": "string", "description": "投资方统一社会信用代码，以“、”分隔（须已登记）"},
            "planned_sign": {"type": "string", "format": "date"}, "planned_register": {"type": "string", "format": "date"},
            "planned_land": {"type": "string", "format": "date"}, "planned_start": {"type": "string", "format": "date"},
            "planned_produce": {"type": "string", "format": "date"}, "planned_full_produce": {"type": "string", "format": "date"}}},
        "Project": {"type": "object", "description": "金额单位为分（整数）", "properties": {
            "id": {"type": "string", "format": "uuid"}, "code": {"type": "string", "nullable": true}, "name": {"type": "string"},
            "region": {"type": "string"}, "region_name": {"type": "string"}, "stage": {"type": "string"}, "stage_label": {"type": "string"},
            "health": {"type": "string"}, "health_label": {"type": "string"}, "total_investment": {"type": "integer"},
            "contracted_amount": {"type": "integer", "nullable": true}, "version": {"type": "integer"}}},
        "Figures": {"type": "object", "description": "指标代码 → 数值（单位见指标库；分母为零时为 null）",
            "additionalProperties": {"type": "number", "nullable": true}},
        "Evaluation": {"type": "object", "properties": {
            "region": {"type": "string"}, "name": {"type": "string"}, "period": {"type": "string"}, "level": {"type": "string"},
            "weights": {"type": "array", "items": {"type": "array"}},
            "total": {"type": "object", "properties": {"figures": {"$ref": "#/components/schemas/Figures"}, "facts": {"type": "object"}}},
            "units": {"type": "array", "items": {"type": "object", "properties": {
                "region": {"type": "string"}, "name": {"type": "string"}, "figures": {"$ref": "#/components/schemas/Figures"},
                "score": {"type": "number", "nullable": true}, "rank": {"type": "integer", "nullable": true}}}}}},
        "Cockpit": {"type": "object", "properties": {
            "region": {"type": "string"}, "name": {"type": "string"}, "period": {"type": "string"},
            "headline": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"},
                "value": {"type": "number", "nullable": true}, "shown": {"type": "string"},
                "change": {"type": "number", "nullable": true, "description": "同比变化（%）"},
                "completion": {"type": "number", "nullable": true, "description": "年度目标完成率（%）"}}}},
            "trend": {"type": "array", "items": {"type": "object", "properties": {
                "month": {"type": "string"}, "invest": {"type": "integer", "description": "分"}, "funds": {"type": "integer", "description": "分"}}}},
            "funnel": {"type": "array", "items": {"type": "object"}},
            "service": {"type": "object", "description": "期间内受理的企业诉求：合计与各下级单位（own 为本级），字段同 AppealFigures 的 total",
                "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                    "total": {"type": "object"}, "units": {"type": "array", "items": {"type": "object"}}}},
            "units": {"type": "array", "items": {"type": "object"}}}},
        "RankingSnapshot": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "region": {"type": "string"}, "period": {"type": "string"},
            "title": {"type": "string"}, "created_by": {"type": "string"}, "created_at": {"type": "string"},
            "weights": {"type": "array", "items": {"type": "array"}}, "ranked": {"type": "array", "items": {"type": "object"}}}},
        "FlagProject": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "region_name": {"type": "string"},
            "total_investment": {"type": "integer"}, "score": {"type": "number"},
            "invest_ratio": {"type": "number", "nullable": true}, "days_ahead": {"type": "number", "nullable": true},
            "reasons": {"type": "array", "items": {"type": "string"}}}},
        "FlagLists": {"type": "object", "properties": {
            "region": {"type": "string"}, "quarter": {"type": "string"},
            "status": {"type": "string", "enum": ["proposed", "draft", "published"]},
            "red": {"type": "array", "items": {"$ref": "#/components/schemas/FlagProject"}},
            "snail": {"type": "array", "items": {"$ref": "#/components/schemas/FlagProject"}},
            "swaps": {"type": "array", "items": {"type": "object"}}}},
        "SpeedMeasure": {"type": "object", "properties": {
            "n": {"type": "integer", "description": "两个节点都已发生的项目数"},
            "median_days": {"type": "number", "nullable": true, "description": "天数中位数；无项目时为 null"}}},
        "SpeedRow": {"type": "object", "properties": {
            "region": {"type": "string"}, "name": {"type": "string"}, "projects": {"type": "integer"},
            "sign_to_start": {"$ref": "#/components/schemas/SpeedMeasure"},
            "start_to_produce": {"$ref": "#/components/schemas/SpeedMeasure"},
            "sign_to_produce": {"$ref": "#/components/schemas/SpeedMeasure"}}},
        "Speed": {"type": "object", "properties": {
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/SpeedRow"}},
            "total": {"$ref": "#/components/schemas/SpeedRow"}}},
        "ProjectPage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "next_after": {"type": "string", "nullable": true, "description": "下一页：after=此值、page 加一；没有下一页时为 null"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}}}},
        "Transition": {"type": "object", "required": ["to", "date"], "properties": {
            "to": {"type": "string", "description": "目标阶段：线索/洽谈/签约/注册/供地/开工/投产/达产"},
            "date": {"type": "string", "format": "date"}, "amount": {"type": "string", "description": "签约：签约金额（万元）"},
            "credit_code": {"type": "string", "description": "注册：项目公司统一社会信用代码"},
            "parcel": {"type": "string", "description": "供地：地块编号"}, "area_mu": {"type": "string", "description": "供地：面积（亩）"},
            "permit": {"type": "string", "description": "开工：施工许可证号"},
            "override_reason": {"type": "string", "description": "回退或跨阶段时必填"}, "note": {"type": "string"}}},
        "ReportInput": {"type": "object", "required": ["month"], "description": "金额单位万元（可写“亿”）", "properties": {
            "month": {"type": "string", "description": "YYYY-MM"}, "invest_month": {"type": "string", "description": "当月完成投资"},
            "invest_cumulative": {"type": "string", "description": "累计完成投资"},
            "funds_domestic": {"type": "string", "description": "到位资金（省外境内）"},
            "funds_foreign_usd": {"type": "string", "description": "到位外资（万美元）"}, "tax": {"type": "string"},
            "jobs": {"type": "string"}, "output": {"type": "string"}, "progress": {"type": "string"},
            "problems": {"type": "string"}, "in_stats": {"type": "string", "enum": ["是", "否", ""]}}},
        "Report": {"type": "object", "description": "金额单位为分", "properties": {
            "id": {"type": "string", "format": "uuid"}, "project_id": {"type": "string", "format": "uuid"},
            "month": {"type": "string"}, "invest_month": {"type": "integer"}, "invest_cumulative": {"type": "integer"},
            "funds_domestic": {"type": "integer"}, "funds_foreign_usd": {"type": "integer"}, "tax": {"type": "integer"},
            "jobs": {"type": "integer"}, "output": {"type": "integer"}, "in_stats": {"type": "boolean"},
            "late": {"type": "boolean"}, "filed_on": {"type": "string", "format": "date"}, "version": {"type": "integer"}}},
        "BatchInput": {"type": "object", "required": ["kind", "name", "held_on", "region"], "properties": {
            "kind": {"type": "string", "enum": ["集中开工", "集中签约"]}, "name": {"type": "string"},
            "held_on": {"type": "string", "format": "date"}, "place": {"type": "string"}, "region": {"type": "string"}}},
        "Batch": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string"}, "name": {"type": "string"},
            "held_on": {"type": "string", "format": "date"}, "place": {"type": "string"}, "region": {"type": "string"}}},
        "BatchSummary": {"type": "object", "description": "金额单位为分；档次累计计数（60 亿元项目同时计入 50/10/5 亿元及以上）", "properties": {
            "batch": {"$ref": "#/components/schemas/Batch"},
            "summary": {"type": "object", "properties": {"count": {"type": "integer"}, "total": {"type": "integer"},
                "annual_plan": {"type": "integer"}, "brackets": {"type": "array", "items": {"type": "object"}},
                "by_region": {"type": "array", "items": {"type": "object"}}, "by_industry": {"type": "array", "items": {"type": "object"}}}},
            "projects": {"type": "array", "items": {"type": "object"}}}},
        "ImportJob": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string"}, "filename": {"type": "string"},
            "status": {"type": "string", "enum": ["previewed", "committed"]}, "rows": {"type": "integer"},
            "creates": {"type": "integer"}, "updates": {"type": "integer"}, "unchanged": {"type": "integer"},
            "error_count": {"type": "integer"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"},
                "column": {"type": "string"}, "value": {"type": "string"}, "message": {"type": "string"}, "text": {"type": "string"}}}}}},
        "VisitInput": {"type": "object", "required": ["enterprise", "visited_on", "participants", "topics"], "properties": {
            "enterprise": {"type": "string", "description": "企业编号或统一社会信用代码"},
            "project": {"type": "string", "description": "相关项目编号（可不填）"},
            "visited_on": {"type": "string", "format": "date"},
            "mode": {"type": "string", "enum": ["实地走访", "座谈会", "电话", "视频", ""]},
            "participants": {"description": "参加人员：[{name, unit}]，或文字“张三（市工信局）、李四”（不写单位即登记人所在单位）",
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "unit": {"type": "string"}}}}]},
            "topics": {"type": "string"}, "expansion": {"type": "string", "description": "扩产、增资计划"},
            "exit_risk": {"type": "string", "enum": ["无", "低", "中", "高", ""], "description": "外迁或减产风险"},
            "exit_risk_note": {"type": "string", "description": "风险为中、高时必填"},
            "problems": {"type": "string"}, "notes": {"type": "string"},
            "confirm_overlap": {"type": "boolean", "description": "近期已有其他单位走访时，确认仍然登记"}}},
        "Visit": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"}, "enterprise_id": {"type": "string", "format": "uuid"},
            "enterprise_name": {"type": "string"}, "project_id": {"type": "string", "format": "uuid", "nullable": true},
            "region": {"type": "string"}, "visited_on": {"type": "string", "format": "date"}, "mode": {"type": "string"},
            "unit": {"type": "string", "description": "走访（登记）单位"}, "topics": {"type": "string"},
            "expansion": {"type": "string", "nullable": true}, "exit_risk": {"type": "string"},
            "exit_risk_note": {"type": "string", "nullable": true}, "problems": {"type": "string", "nullable": true},
            "participants": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "unit": {"type": "string"}}}},
            "photos": {"type": "array", "items": {"type": "object"}},
            "appeals": {"type": "array", "items": {"type": "string", "format": "uuid"}}}},
        "VisitPage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Visit"}}}},
        "AppealInput": {"type": "object", "required": ["title", "detail", "category"], "properties": {
            "title": {"type": "string", "maxLength": 60}, "detail": {"type": "string"},
            "category": {"type": "string", "description": "分类代码或名称：用地、融资、用工、审批、水电气、物流、政策兑现、市场、其他（可在设置中增减）"},
            "tier": {"type": "string", "description": "期限档次 紧急/一般/复杂（或 urgent/normal/complex）；不填按分类默认"},
            "enterprise": {"type": "string", "description": "企业编号或统一社会信用代码（走访、项目提出的可不填）"},
            "project": {"type": "string", "format": "uuid"}, "visit": {"type": "string", "format": "uuid"},
            "contact": {"type": "string"}, "department": {"type": "string", "format": "uuid", "description": "同时交办给该部门（可不填）"}}},
        "Appeal": {"type": "object", "description": "办理期限 due_on 为该日北京时间 24:00 前，按工作日历计", "properties": {
            "id": {"type": "string", "format": "uuid"}, "number": {"type": "string"}, "title": {"type": "string"},
            "detail": {"type": "string"}, "category": {"type": "string"}, "category_name": {"type": "string"},
            "tier": {"type": "string"}, "tier_days": {"type": "integer"},
            "source": {"type": "string", "enum": ["visit", "project", "direct"]},
            "state": {"type": "string", "enum": ["pending", "dispatched", "handling", "extension_requested", "returned", "resolved", "evaluated"]},
            "state_label": {"type": "string"}, "level": {"type": "string", "enum": ["county", "city", "province"]},
            "department_id": {"type": "string", "format": "uuid", "nullable": true}, "department": {"type": "string"},
            "received_at": {"type": "string", "format": "date-time"}, "due_on": {"type": "string", "format": "date"},
            "urgency": {"type": "string", "nullable": true}, "overdue": {"type": "boolean"},
            "answer": {"type": "string", "nullable": true}, "satisfaction": {"type": "string", "nullable": true},
            "supervision": {"type": "string", "nullable": true}, "escalations": {"type": "integer"},
            "version": {"type": "integer"}, "events": {"type": "array", "items": {"type": "object"}}}},
        "AppealPage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Appeal"}}}},
        "AppealTransition": {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "enum": ["dispatch", "accept", "return", "request_extension", "approve_extension",
                "reject_extension", "resolve", "evaluate", "escalate", "supervise"], "description": "也可写中文：交办、签收、退回…"},
            "department": {"type": "string", "format": "uuid", "description": "交办：承办部门"},
            "reason": {"type": "string", "description": "退回、申请延期、不批准延期、提级：原因"},
            "days": {"type": "string", "description": "申请延期：工作日数 1–30"},
            "answer": {"type": "string", "description": "办结：书面答复（至少 10 个字）"},
            "satisfaction": {"type": "string", "enum": ["满意", "基本满意", "不满意"]},
            "note": {"type": "string", "description": "评价：企业意见（不满意时必填）"},
            "supervision": {"type": "string", "enum": ["普通", "重点"]},
            "supervisor": {"type": "string", "description": "督办领导的用户名"}}},
        "AppealEvaluation": {"type": "object", "required": ["satisfaction"], "properties": {
            "satisfaction": {"type": "string", "enum": ["满意", "基本满意", "不满意"]},
            "note": {"type": "string", "description": "不满意时必填；诉求将重新办理"}}},
        "AppealFigures": {"type": "object", "description": "比率为 0–1 的小数；分母为 0 时为 null", "properties": {
            "region": {"type": "string"}, "name": {"type": "string"},
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "total": {"type": "object"}, "regions": {"type": "array", "items": {"type": "object"}},
            "departments": {"type": "array", "items": {"type": "object"}}}},
        "AuditPage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/AuditRecord"}}}},
        "AuditRecord": {"type": "object", "properties": {
            "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
            "actor_name": {"type": "string"}, "ip": {"type": "string", "nullable": true},
            "action": {"type": "string"}, "entity": {"type": "string"}, "entity_id": {"type": "string"},
            "region": {"type": "string", "nullable": true}, "before_json": {"type": "string", "nullable": true},
            "after_json": {"type": "string", "nullable": true}, "hash": {"type": "string"}}},
    })
}

fn schema_ref(name: &str) -> Value {
    if let Some(inner) = name.strip_suffix("[]") {
        json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{inner}")}})
    } else {
        json!({"$ref": format!("#/components/schemas/{name}")})
    }
}

pub fn build(specs: &[super::routes::RouteSpec]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for s in specs {
        let Some(doc) = s.api else { continue };
        let mut params: Vec<Value> = s
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(doc.query.iter().map(|(name, desc)| {
            json!({"name": name, "in": "query", "required": false, "description": desc, "schema": {"type": "string"}})
        }));
        if s.method == Method::POST && s.rule != Rule::Public {
            params.push(json!({"name": "Idempotency-Key", "in": "header", "required": false,
                "description": "重试时带上与首次相同的值（建议 UUID），24 小时内不会重复执行，而是返回首次的结果（响应头 Idempotent-Replayed: true）",
                "schema": {"type": "string", "maxLength": 200}}));
        }
        let ok = match doc.response {
            Some(r) => {
                json!({"description": "成功", "content": {"application/json": {"schema": schema_ref(r)}}})
            }
            None => json!({"description": "成功"}),
        };
        let err = json!({"description": "错误", "content": {"application/json": {"schema": schema_ref("Error")}}});
        let mut op = json!({
            "summary": s.summary,
            "operationId": format!("{}_{}", s.method.as_str().to_lowercase(),
                s.path.trim_start_matches("/api/v1/").replace(['/', '{', '}'], "_")),
            "parameters": params,
            "responses": {"200": ok, "401": err.clone(), "403": err.clone(), "404": err.clone(), "422": err},
        });
        if s.rule != Rule::Public {
            op["security"] = json!([{"bearerAuth": []}]);
        }
        if let Some(req) = doc.request {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema_ref(req)}}});
        }
        paths
            .entry(s.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(s.method.as_str().to_lowercase(), op);
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "zhaoshang 招商引资与重大项目管理 API", "version": env!("CARGO_PKG_VERSION")},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                "description": "以 `zhaoshang token create --username 用户名` 签发的令牌"}},
            "schemas": schemas(),
        },
    })
}
