//! Sign-in rate limits (governor, in memory, per process): per account
//! (normalised e-mail), per client address and a global ceiling, each its
//! own bucket, so that guessing one account's password, spraying many
//! accounts from one address, and a distributed burst are each bounded.

use kizuna_shared::api::Email;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Keys kept before forgetting the ones that are back to full quota.
const MAX_KEYS: usize = 10_000;

/// Sign-in attempts allowed per minute (each also the burst size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Per account (normalised e-mail).
    pub per_account: u32,
    /// Per client address.
    pub per_address: u32,
    /// For the whole server.
    pub global: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 10,
            per_address: 30,
            global: 300,
        }
    }
}

/// Which limit refused an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many attempts on this account.
    Account,
    /// Too many attempts from this address.
    Address,
    /// Too many attempts overall.
    Global,
}

/// A refused attempt: which limit, and how long until one is allowed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// The limit reached.
    pub limit: Limit,
    /// Wait at least this long.
    pub retry_after: Duration,
}

/// The three limiters.
#[derive(Debug)]
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<Option<IpAddr>>,
    global: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(LoginLimits::default())
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiter {
    /// Limiters with these quotas.
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            per_account: RateLimiter::keyed(per_minute(limits.per_account)),
            per_address: RateLimiter::keyed(per_minute(limits.per_address)),
            global: RateLimiter::direct(per_minute(limits.global)),
            clock: DefaultClock::default(),
        }
    }

    /// Records an attempt on `email` from `addr`, or says which limit
    /// refuses it and for how long.
    pub fn check(&self, email: &Email, addr: Option<IpAddr>) -> Result<(), Refused> {
        if self.per_account.len() > MAX_KEYS {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > MAX_KEYS {
            self.per_address.retain_recent();
        }
        let refused = |limit, not_until: governor::NotUntil<_>| Refused {
            limit,
            retry_after: not_until.wait_time_from(self.clock.now()),
        };
        self.per_address
            .check_key(&addr)
            .map_err(|n| refused(Limit::Address, n))?;
        self.per_account
            .check_key(&email.as_str().to_owned())
            .map_err(|n| refused(Limit::Account, n))?;
        self.global.check().map_err(|n| refused(Limit::Global, n))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(text: &str) -> Email {
        Email::parse(text).unwrap()
    }

    #[test]
    fn each_limit_counts_separately() {
        let limiter = LoginLimiter::new(LoginLimits {
            per_account: 3,
            per_address: 5,
            global: 100,
        });
        let a: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        let b: Option<IpAddr> = Some("10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limiter.check(&email("a@b.c"), a).is_ok());
        }
        let refused = limiter.check(&email("A@b.c"), b).unwrap_err();
        assert_eq!(refused.limit, Limit::Account);
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(20));
        assert!(limiter.check(&email("x@b.c"), a).is_ok());
        assert!(limiter.check(&email("y@b.c"), a).is_ok());
        assert_eq!(
            limiter.check(&email("z@b.c"), a).unwrap_err().limit,
            Limit::Address
        );
    }

    #[test]
    fn the_global_ceiling_holds_across_addresses_and_accounts() {
        let limiter = LoginLimiter::new(LoginLimits {
            per_account: 10,
            per_address: 10,
            global: 4,
        });
        for i in 0..4 {
            let addr = Some(IpAddr::from([10, 0, 0, i]));
            assert!(limiter.check(&email(&format!("{i}@b.c")), addr).is_ok());
        }
        let refused = limiter
            .check(&email("new@b.c"), Some(IpAddr::from([10, 0, 1, 1])))
            .unwrap_err();
        assert_eq!(refused.limit, Limit::Global);
    }
}
