//! Slows down password guessing before it costs an Argon2 verification: at most so many failed
//! sign-ins per client address and per account name in a window. The account lock (five failures,
//! thirty minutes) is in the database and holds across instances; this throttle is per instance and
//! exists so that a script cannot keep the CPUs busy verifying guesses, nor try many accounts from
//! one address. An attempt counts from the moment it starts (so parallel guesses count at once) and
//! is forgiven when it succeeds. Unknown account names are counted like known ones, so the answer
//! never tells whether an account exists.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limits {
    /// Failures from one address within `window` before it must wait.
    pub per_ip: usize,
    /// Failures for one account name within `window` (the database lock also applies).
    pub per_account: usize,
    pub window: Duration,
}

/// Office networks put many officials behind one address: thirty failures in ten minutes is more than a
/// morning of mistyped passwords, and far too few to guess one.
pub const LIMITS: Limits = Limits { per_ip: 30, per_account: 5, window: Duration::from_secs(600) };

/// Past this many tracked keys the expired ones are dropped; the map cannot grow without bound.
const PRUNE_AT: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    attempts: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub fn new() -> Throttle {
        Throttle::default()
    }

    /// Registers an attempt for `account` from `ip`, or says how long to wait before the next.
    pub fn begin(&self, limits: &Limits, account: &str, ip: Option<&str>, now: Instant) -> Result<(), Duration> {
        let keys = keys(account, ip);
        let Ok(mut map) = self.attempts.lock() else { return Ok(()) };
        if map.len() > PRUNE_AT {
            map.retain(|_, times| {
                times.retain(|t| now.duration_since(*t) < limits.window);
                !times.is_empty()
            });
        }
        let mut wait = Duration::ZERO;
        for (key, max) in keys.iter().zip([limits.per_account, limits.per_ip]) {
            let Some(key) = key else { continue };
            let times = map.entry(key.clone()).or_default();
            times.retain(|t| now.duration_since(*t) < limits.window);
            if times.len() >= max {
                let oldest = times[0];
                wait = wait.max(limits.window.saturating_sub(now.duration_since(oldest)));
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for key in keys.into_iter().flatten() {
            map.entry(key).or_default().push(now);
        }
        Ok(())
    }

    /// A good password: the attempt no longer counts against the account or the address.
    pub fn succeeded(&self, account: &str, ip: Option<&str>) {
        let Ok(mut map) = self.attempts.lock() else { return };
        for key in keys(account, ip).into_iter().flatten() {
            if let Some(times) = map.get_mut(&key) {
                times.pop();
                if times.is_empty() {
                    map.remove(&key);
                }
            }
        }
    }
}

fn keys(account: &str, ip: Option<&str>) -> [Option<String>; 2] {
    [Some(format!("a:{}", account.trim().to_lowercase())), ip.map(|ip| format!("i:{ip}"))]
}

/// How a wait reads to a person: whole minutes, at least one.
pub fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { per_ip: 3, per_account: 2, window: Duration::from_secs(60) };

    #[test]
    fn an_account_name_waits_after_its_failures_until_the_oldest_leaves_the_window() {
        let t = Throttle::new();
        let start = Instant::now();
        assert!(t.begin(&L, "cs.leader", Some("10.0.0.1"), start).is_ok());
        assert!(t.begin(&L, "CS.Leader ", Some("10.0.0.2"), start + Duration::from_secs(10)).is_ok());
        let wait = t.begin(&L, "cs.leader", Some("10.0.0.3"), start + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(t.begin(&L, "cs.leader", Some("10.0.0.3"), start + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn one_address_trying_many_accounts_waits_too() {
        let t = Throttle::new();
        let now = Instant::now();
        for name in ["a", "b", "c"] {
            assert!(t.begin(&L, name, Some("10.0.0.9"), now).is_ok());
        }
        assert!(t.begin(&L, "d", Some("10.0.0.9"), now).is_err());
        assert!(t.begin(&L, "d", Some("10.0.0.8"), now).is_ok(), "another address is not held back");
        assert_eq!(minutes(Duration::from_secs(61)), 2);
        assert_eq!(minutes(Duration::from_secs(1)), 1);
    }

    #[test]
    fn a_successful_sign_in_is_forgiven_so_a_busy_office_address_is_not_held_back() {
        let t = Throttle::new();
        let now = Instant::now();
        for i in 0..10 {
            let name = format!("user{i}");
            assert!(t.begin(&L, &name, Some("10.0.0.1"), now).is_ok(), "{i}");
            t.succeeded(&name, Some("10.0.0.1"));
        }
    }
}
