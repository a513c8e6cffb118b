//! The evaluation figures on the province data set: the province cockpit cold (every figure
//! computed afresh, on a second server started with ZHAOSHANG_CACHE=off) and warm, the
//! quarterly 红旗/蜗牛 scoring of every project in the province, and a frozen ranking read back.
//! Beside each, the same work done in this process through the library (no HTTP, no page).

use crate::load::Stats;
use crate::scenarios::{Ctx, bare_run, fetch, http_clients, http_run};
use std::sync::Arc;
use zhaoshang::accounts::authz::CurrentUser;
use zhaoshang::audit::Actor;
use zhaoshang::cache;
use zhaoshang::evaluation::period::Period;
use zhaoshang::evaluation::{cockpit, flags_service, service};
use zhaoshang::regions::model::Region;

/// One measured line: name, over HTTP, the same in process, target, met.
pub type Line = (String, Stats, Option<Stats>, &'static str, bool);

pub struct Setup {
    pub province: Region,
    pub period: Period,
    pub quarter: Period,
    pub user: CurrentUser,
    pub token: String,
    pub cookie: String,
}

/// The last complete quarter before `today`.
fn last_quarter(today: time::Date) -> Period {
    let Period::Quarter { year, quarter } = Period::quarter_of(today) else { unreachable!() };
    if quarter == 1 {
        Period::Quarter { year: year - 1, quarter: 4 }
    } else {
        Period::Quarter { year, quarter: quarter - 1 }
    }
}

pub async fn setup(ctx: &Ctx, token: String, cookie: String) -> anyhow::Result<Setup> {
    let mut c = ctx.db.conn().await?;
    let province = zhaoshang::regions::store::get(&mut c.ex(), "43").await?.expect("湖南省");
    let id = zhaoshang::accounts::store::user_by_name(&mut c.ex(), "hn.leader").await?.expect("demo user").id;
    drop(c);
    let user = zhaoshang::accounts::service::current_user(&ctx.db, id, None).await?.expect("active");
    let today = zhaoshang::projects::service::today();
    Ok(Setup { province, period: Period::default_for(today), quarter: last_quarter(today), user, token, cookie })
}

fn one(ctx: &Ctx) -> Ctx {
    Ctx { clients: 1, ..ctx.clone() }
}

/// The province cockpit page over HTTP (with the leader's session) and built in process.
fn cockpit_http(ctx: &Ctx, s: &Setup) -> Stats {
    let clients = http_clients(ctx.clients, ("cookie", format!("zs_session={}", s.cookie)));
    let url = format!("{}/cockpit?region=43&period={}", ctx.base, s.period.code());
    http_run(ctx, move |c: usize, _| fetch(clients[c].get(url.clone()), 200))
}

async fn cockpit_bare(ctx: &Ctx, s: &Setup) -> Stats {
    let (db, province, period) = (ctx.db.clone(), Arc::new(s.province.clone()), s.period);
    bare_run(ctx, move |_, _| {
        let (db, province) = (db.clone(), province.clone());
        async move { Some(cockpit::build(&db, &province, period).await.map(|_| ()).map_err(|e| e.to_string())) }
    })
    .await
}

fn flags_http(ctx: &Ctx, s: &Setup) -> Stats {
    let clients = http_clients(ctx.clients, ("authorization", format!("Bearer {}", s.token)));
    let url = format!("{}/api/v1/evaluation/flags?region=43&quarter={}", ctx.base, s.quarter.code());
    http_run(ctx, move |c: usize, _| fetch(clients[c].get(url.clone()), 200))
}

async fn flags_bare(ctx: &Ctx, s: &Setup) -> Stats {
    let (db, province, quarter) = (ctx.db.clone(), Arc::new(s.province.clone()), s.quarter);
    bare_run(ctx, move |_, _| {
        let (db, province) = (db.clone(), province.clone());
        async move {
            let r = flags_service::candidates(&db, &province, quarter).await;
            Some(
                r.map_err(|e| e.to_string())
                    .and_then(|v| if v.is_empty() { Err("无候选项目".into()) } else { Ok(()) }),
            )
        }
    })
    .await
}

fn snapshot_http(ctx: &Ctx, s: &Setup, id: String) -> Stats {
    let clients = http_clients(ctx.clients, ("authorization", format!("Bearer {}", s.token)));
    let url = format!("{}/api/v1/evaluation/rankings/{id}", ctx.base);
    http_run(ctx, move |c: usize, _| fetch(clients[c].get(url.clone()), 200))
}

async fn snapshot_bare(ctx: &Ctx, s: &Setup, id: String) -> Stats {
    let (db, user, id) = (ctx.db.clone(), Arc::new(s.user.clone()), Arc::new(id));
    bare_run(ctx, move |_, _| {
        let (db, user, id) = (db.clone(), user.clone(), id.clone());
        async move { Some(service::snapshot(&db, &user, &id).await.map(|_| ()).map_err(|e| e.to_string())) }
    })
    .await
}

/// Cold lines run against `cold` (a server with the cache off); warm ones against `ctx`'s.
pub async fn run(ctx: &Ctx, cold: &Ctx, s: &Setup) -> anyhow::Result<Vec<Line>> {
    let mut lines: Vec<Line> = Vec::new();
    let name = |x: &str| x.to_string();

    eprintln!("  省级驾驶舱（冷）……");
    cache::set_enabled(false);
    let h = cockpit_http(&one(cold), s);
    let b = cockpit_bare(&one(ctx), s).await;
    let met = h.pct(0.99) < 150.0;
    lines.push((name("省级驾驶舱页面，冷（不用缓存，单个客户端）"), h, Some(b), "p99 < 150 ms", met));

    eprintln!("  红旗/蜗牛评分……");
    let h = flags_http(&one(cold), s);
    let b = flags_bare(&one(ctx), s).await;
    let met = b.pct(0.99) < 500.0;
    lines.push((name("全省季度红旗/蜗牛评分（API，冷，单个客户端）"), h, Some(b), "评分 p99 < 500 ms", met));

    eprintln!("  省级驾驶舱（热）……");
    cache::set_enabled(true);
    let h = cockpit_http(ctx, s);
    let b = cockpit_bare(ctx, s).await;
    let met = h.pct(0.99) < 20.0;
    lines.push((name("省级驾驶舱页面，热"), h, Some(b), "p99 < 20 ms", met));
    let h = cockpit_http(&one(ctx), s);
    let b = cockpit_bare(&one(ctx), s).await;
    let met = h.pct(0.99) < 20.0;
    lines.push((name("　同上，单个客户端"), h, Some(b), "p99 < 20 ms", met));

    eprintln!("  冻结排名读取……");
    let actor = Actor { id: Some(s.user.id), name: s.user.username.clone(), ip: None };
    let id = service::freeze(&ctx.db, &s.user, &actor, &s.province, s.period, service::Level::Children)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let h = snapshot_http(ctx, s, id.clone());
    let b = snapshot_bare(ctx, s, id.clone()).await;
    let met = h.pct(0.99) < 20.0;
    lines.push((name("冻结的综合排名（API）"), h, Some(b), "p99 < 20 ms", met));
    let h = snapshot_http(&one(ctx), s, id.clone());
    let b = snapshot_bare(&one(ctx), s, id).await;
    let met = h.pct(0.99) < 20.0;
    lines.push((name("　同上，单个客户端"), h, Some(b), "p99 < 20 ms", met));
    Ok(lines)
}
