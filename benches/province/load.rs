//! Closed-loop load: N clients, each sending its next request as soon as the last one answered,
//! for a fixed time; latencies of every request, throughput over the whole run.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub ok: usize,
    pub errors: usize,
    pub secs: f64,
    /// Sorted, in milliseconds.
    pub latencies: Vec<f64>,
    pub first_error: Option<String>,
    /// CPU the measured process spent per successful request, in ms (server for HTTP, this
    /// process for bare SQL; PostgreSQL's own processes are not counted).
    pub cpu_ms: Option<f64>,
    /// Cores busy, on average, with processes other than the server and this benchmark (other
    /// builds on a shared machine): a figure to read the others with.
    pub others: f64,
}

impl Stats {
    pub fn pct(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 * q).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        self.latencies[i]
    }
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.secs.max(1e-9)
    }
}

/// What one request does: `None` when there is no more work (e.g. no fresh project left).
pub trait Job: Send + Sync + 'static {
    fn call(&self, client: usize, i: usize) -> impl Future<Output = Option<Result<(), String>>> + Send;
}

impl<F, Fut> Job for F
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Result<(), String>>> + Send,
{
    fn call(&self, client: usize, i: usize) -> impl Future<Output = Option<Result<(), String>>> + Send {
        self(client, i)
    }
}

/// Busy CPU seconds of the whole machine so far (/proc/stat, all cores).
fn machine_busy() -> f64 {
    let s = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> =
        s.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal
    [0, 1, 2, 5, 6, 7].iter().filter_map(|i| f.get(*i)).sum::<f64>() / 100.0
}

/// Runs `job` from `clients` concurrent tasks for `dur` (after `warmup`, not counted); the CPU
/// per request is that of process `cpu_of`, and `other` (with this one) is left out of `others`.
pub async fn run<J: Job>(clients: usize, warmup: Duration, dur: Duration, job: J, cpu_of: &str, other: &str) -> Stats {
    let job = Arc::new(job);
    let warm_end = Instant::now() + warmup;
    let mut set = tokio::task::JoinSet::new();
    for c in 0..clients {
        let job = job.clone();
        set.spawn(async move {
            let mut i = 0;
            while Instant::now() < warm_end {
                if job.call(c, i).await.is_none() {
                    break;
                }
                i += 1;
            }
        });
    }
    while set.join_next().await.is_some() {}
    let mut set = tokio::task::JoinSet::new();
    let errors = Arc::new(Mutex::new((0usize, None::<String>)));
    let cpu0 = crate::setup::cpu_seconds(cpu_of);
    let ours0 = crate::setup::cpu_seconds("self") + crate::setup::cpu_seconds(other);
    let busy0 = machine_busy();
    let started = Instant::now();
    let end = started + dur;
    for c in 0..clients {
        let job = job.clone();
        let errors = errors.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0;
            while Instant::now() < end {
                let t = Instant::now();
                match job.call(c, i).await {
                    None => break,
                    Some(Ok(())) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                    Some(Err(e)) => {
                        let mut g = errors.lock().unwrap();
                        g.0 += 1;
                        g.1.get_or_insert(e);
                    }
                }
                i += 1;
            }
            lat
        });
    }
    let mut latencies = Vec::new();
    while let Some(r) = set.join_next().await {
        latencies.extend(r.unwrap_or_default());
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = crate::setup::cpu_seconds(cpu_of) - cpu0;
    let ours = crate::setup::cpu_seconds("self") + crate::setup::cpu_seconds(other) - ours0;
    let others = ((machine_busy() - busy0 - ours) / secs).max(0.0);
    latencies.sort_by(f64::total_cmp);
    let (errors, first_error) = errors.lock().unwrap().clone();
    let ok = latencies.len();
    Stats { ok, errors, secs, latencies, first_error, cpu_ms: (ok > 0).then(|| cpu * 1000.0 / ok as f64), others }
}
