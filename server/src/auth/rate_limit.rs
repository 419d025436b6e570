//! Login rate limiting per e-mail and client address (governor, in memory).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Login attempts allowed per e-mail and address per minute.
const ATTEMPTS_PER_MINUTE: NonZeroU32 = match NonZeroU32::new(10) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// Keys kept before forgetting the ones that are back to full quota.
const MAX_KEYS: usize = 10_000;

/// Limits sign-in attempts.
#[derive(Debug)]
pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(ATTEMPTS_PER_MINUTE)),
        }
    }
}

impl LoginLimiter {
    /// Records an attempt; `false` when the caller is over the limit.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> bool {
        if self.limiter.len() > MAX_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&(email.trim().to_lowercase(), ip))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_in_a_minute_is_refused() {
        let limiter = LoginLimiter::default();
        for _ in 0..10 {
            assert!(limiter.check("a@b.c", None));
        }
        assert!(!limiter.check("A@b.c", None));
        assert!(limiter.check("other@b.c", None));
    }
}
