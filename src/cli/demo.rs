use crate::demo::{DEMO_PASSWORD, DemoResult};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub async fn run(url: &str, _a: Args) -> anyhow::Result<ExitCode> {
    let db = super::open(url).await?;
    print(&crate::demo::load(&db).await?);
    Ok(ExitCode::SUCCESS)
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
