use crate::db::Db;
use crate::demo::{DEMO_PASSWORD, DemoResult, province};
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scale {
    /// The organisation and the records from the sources
    #[default]
    Small,
    /// Those, plus ≈200 000 enterprises, 100 000 projects and 30 months of reports
    Province,
}

#[derive(clap::Args)]
pub struct Args {
    /// How much demo data to load
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    scale: Scale,
}

pub async fn run(url: &str, a: Args) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    load(&db, a.scale).await?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo data of the given scale and says what it did.
pub async fn load(db: &Db, scale: Scale) -> anyhow::Result<()> {
    print(&crate::demo::load(db).await?);
    if scale == Scale::Province {
        match province::load(db, province::Size::PROVINCE, &|line| eprintln!("{line}")).await? {
            Some(s) => println!(
                "已载入省级演示数据（{} 秒）：企业 {} 家、项目 {} 个、阶段记录 {} 条、月报 {} 份",
                s.seconds, s.enterprises, s.projects, s.stage_log, s.reports
            ),
            None => println!("省级演示数据已存在，未改动"),
        }
    }
    Ok(())
}

pub fn print(r: &DemoResult) {
    if !r.created.is_empty() {
        println!("已创建演示账号（密码均为 {DEMO_PASSWORD}，仅供演示）：");
        for (username, role, password) in &r.created {
            println!("  {username:<14} {password:<16} {role}");
        }
    }
    match &r.records {
        Some(l) => println!(
            "已载入演示数据：企业 {} 家、项目 {} 个（含 2022-02-07 长沙 188 个集中开工项目及 14 个市州近两年的项目）、月报 {} 份",
            l.enterprises, l.projects, l.reports
        ),
        None => println!("演示数据已存在，未改动"),
    }
    match &r.service {
        Some(s) => println!(
            "已载入企业服务演示数据：新增企业 {} 家，近一年走访 {} 次、诉求 {} 件（含逾期提级、延期、退回、不满意重办）",
            s.enterprises, s.visits, s.appeals
        ),
        None => println!("企业服务演示数据已存在，未改动"),
    }
    if !r.existing.is_empty() {
        println!("演示账号已存在，未改动：{}", r.existing.join("、"));
    }
}
