//! Rate limit of the public survey endpoints (the answer page and its JSON
//! API), per client address (governor, in memory, per process), so that
//! nobody can try tokens or flood answers from one address. The client
//! address is found by the same rule as for signing in.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per minute per address when the configuration names none:
/// plenty for the people of one company behind one address answering a
/// survey, far too few to guess a 256-bit token.
pub const DEFAULT_PER_MINUTE: u32 = 60;

/// Addresses kept before forgetting the ones that are back to full quota.
const MAX_KEYS: usize = 100_000;

/// The limiter.
#[derive(Debug)]
pub struct PublicLimiter {
    limiter: DefaultKeyedRateLimiter<Option<IpAddr>>,
    clock: DefaultClock,
}

impl PublicLimiter {
    /// `per_minute` requests per minute per address (also the burst).
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        PublicLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts a request from `addr`; `Err(wait)` when it is over the limit.
    pub fn check(&self, addr: Option<IpAddr>) -> Result<(), Duration> {
        if self.limiter.len() > MAX_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&addr)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

impl Default for PublicLimiter {
    fn default() -> Self {
        Self::new(DEFAULT_PER_MINUTE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_quota() {
        let limiter = PublicLimiter::new(3);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(20));
        assert!(limiter.check(b).is_ok());
    }
}
