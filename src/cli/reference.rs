use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A newer division-code CSV (code,name,level,parent); default: the embedded 2023 file
    #[arg(long)]
    regions: Option<std::path::PathBuf>,
    /// Where the regions file comes from, and its as-of date (YYYY-MM-DD)
    #[arg(long, requires = "regions")]
    regions_source: Option<String>,
    #[arg(long, requires = "regions")]
    regions_as_of: Option<String>,
    /// An industry-code CSV (section,level,code,parent,name); default: the embedded GB/T 4754-2017
    #[arg(long)]
    industries: Option<std::path::PathBuf>,
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    let db = crate::db::Db::open(url).await?;
    let read =
        |p: &std::path::Path| std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", p.display()));
    let regions_text = a.regions.as_deref().map(read).transpose()?;
    let industries_text = a.industries.as_deref().map(read).transpose()?;
    let rs = a.regions_source.unwrap_or_else(|| "操作员提供的文件".into());
    let ra = a.regions_as_of.unwrap_or_else(|| "未注明".into());
    let r = crate::reference::load(
        &db,
        regions_text.as_deref().map(|t| (t, rs.as_str(), ra.as_str())),
        industries_text.as_deref().map(|t| (t, "操作员提供的文件", "未注明")),
    )
    .await?;
    println!("已载入 {} 个区划、{} 个行业代码", r.regions, r.industries);
    Ok(ExitCode::SUCCESS)
}
