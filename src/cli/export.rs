use crate::projects::export::{Format, LIMIT, render};
use crate::projects::list::Filter;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_parser = ["projects"])]
    what: String,
    #[arg(long, default_value = "xlsx", value_parser = ["xlsx", "csv", "json"])]
    format: String,
    /// Output file (default: standard output)
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Filters, as on the project list: --filter region=4301 --filter stage=开工 --filter min_total=10亿
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    filters: Vec<String>,
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    let format = Format::parse(&a.format).map_err(|e| anyhow::anyhow!(e))?;
    let mut pairs = Vec::new();
    for f in &a.filters {
        let (k, v) = f.split_once('=').ok_or_else(|| anyhow::anyhow!("筛选条件“{f}”应写成 键=值，如 region=4301"))?;
        pairs.push((k.trim().to_string(), v.trim().to_string()));
    }
    let filter: Filter = serde_urlencoded::from_str(&serde_urlencoded::to_string(&pairs)?)
        .map_err(|e| anyhow::anyhow!("筛选条件无效：{e}"))?;
    let region_path = match filter.region.as_deref().filter(|r| !r.is_empty()) {
        Some(code) => {
            let mut conn = db.conn().await?;
            Some(
                crate::regions::store::get(&mut conn.ex(), code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("地区“{code}”不存在"))?
                    .path,
            )
        }
        None => None,
    };
    let mut conn = db.conn().await?;
    let rows = crate::projects::list::all(&mut conn.ex(), &["/".to_string()], region_path.as_deref(), &filter, LIMIT)
        .await
        .map_err(super::app_err)?;
    let bytes = render(&rows, format).map_err(|e| anyhow::anyhow!(e))?;
    // Audited before the file is written, as an export from a page is.
    crate::audit::Export::cli("projects", "project")
        .region(filter.region.as_deref())
        .format(format.ext())
        .filter(pairs)
        .rows(rows.len())
        .record(&db, &crate::audit::Actor::cli())
        .await
        .map_err(super::app_err)?;
    match &a.out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()))?;
            eprintln!("已导出 {} 个项目到 {}", rows.len(), path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
