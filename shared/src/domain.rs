//! Domain vocabulary shared by the server, the app and the metrics: roles,
//! account status, currencies and the MRR coverage tiers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Error returned when a string does not name a known enum value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct ParseEnumError {
    /// What was being parsed (`role`, `status`, …).
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable lower-case name used in the API, the database and URLs.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseEnumError { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}

/// Lets `api::admin` declare its enums the same way.
pub(crate) use string_enum;

string_enum!(
    /// What a signed-in user may do.
    Role, "role", {
        /// Users, roles, settings, backups.
        Admin => "admin",
        /// CS manager / CS Ops: imports data, tunes and publishes score models.
        Manager => "manager",
        /// Customer success manager: works their accounts.
        Csm => "csm",
        /// Reads dashboards.
        Executive => "executive",
    }
);

impl Role {
    /// Whether this role may change account data at all (executives read only).
    pub const fn can_write_accounts(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::Csm)
    }

    /// Whether this role may change any account, not only the ones it owns.
    pub const fn can_manage_all_accounts(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

string_enum!(
    /// Lifecycle status of a customer account.
    AccountStatus, "status", {
        /// A paying customer.
        Active => "active",
        /// A customer that has left (see churn date and reason).
        Churned => "churned",
    }
);

string_enum!(
    /// Where growth is expected for an account.
    ExpansionPotential, "expansion potential", {
        /// No particular expansion expected.
        None => "none",
        /// On a trial with growth expected.
        TrialGrowth => "trial_growth",
        /// More of a product the customer has is likely.
        Upsell => "upsell",
        /// A product the customer does not have yet is likely.
        CrossSell => "cross_sell",
    }
);

string_enum!(
    /// Coverage tier by MRR (see [`Tier::of`]).
    Tier, "tier", {
        /// High touch: monthly calls, a meeting every two months.
        High => "high",
        /// Low touch: quarterly meetings.
        Low => "low",
        /// Tech touch: no individual contact.
        Tech => "tech",
    }
);

string_enum!(
    /// ISO 4217 currencies Kizuna handles. Money is always integer minor units
    /// of one currency; amounts in different currencies are never added.
    Currency, "currency", {
        /// Japanese yen (no minor unit).
        #[serde(rename = "JPY")]
        Jpy => "JPY",
        /// US dollar (cents).
        #[serde(rename = "USD")]
        Usd => "USD",
        /// Euro (cents).
        #[serde(rename = "EUR")]
        Eur => "EUR",
    }
);

impl Currency {
    /// Number of decimal digits of the minor unit (0 for JPY, 2 for USD).
    pub const fn minor_digits(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Usd | Currency::Eur => 2,
        }
    }

    /// Tier thresholds in minor units: `(high_from, low_from)`. The yen
    /// figures are the product defaults (¥500,000 and ¥70,000 a month); the
    /// dollar and euro ones are the same order of magnitude in round numbers.
    pub const fn tier_thresholds(self) -> (i64, i64) {
        match self {
            Currency::Jpy => (500_000, 70_000),
            Currency::Usd | Currency::Eur => (500_000, 70_000),
        }
    }
}

impl Tier {
    /// The tier of a monthly recurring revenue in minor units of `currency`.
    pub fn of(mrr_minor: i64, currency: Currency) -> Tier {
        let (high, low) = currency.tier_thresholds();
        if mrr_minor >= high {
            Tier::High
        } else if mrr_minor >= low {
            Tier::Low
        } else {
            Tier::Tech
        }
    }

    /// The `[from, to)` MRR range of this tier in minor units of `currency`
    /// (`to` is `None` for the open-ended top tier).
    pub fn mrr_range(self, currency: Currency) -> (i64, Option<i64>) {
        let (high, low) = currency.tier_thresholds();
        match self {
            Tier::High => (high, None),
            Tier::Low => (low, Some(high)),
            Tier::Tech => (0, Some(low)),
        }
    }
}

/// Formats minor units as a plain decimal string in major units
/// (`123456, Usd` → `"1234.56"`), for CSV files and logs. The UI formats
/// money through the browser's `Intl` instead.
pub fn format_major(amount_minor: i64, currency: Currency) -> String {
    let digits = currency.minor_digits();
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let scale_u = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale_u,
        abs % scale_u,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for c in Currency::ALL {
            assert_eq!(c.as_str().parse::<Currency>(), Ok(*c));
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn tiers_follow_the_yen_thresholds() {
        assert_eq!(Tier::of(500_000, Currency::Jpy), Tier::High);
        assert_eq!(Tier::of(499_999, Currency::Jpy), Tier::Low);
        assert_eq!(Tier::of(70_000, Currency::Jpy), Tier::Low);
        assert_eq!(Tier::of(69_999, Currency::Jpy), Tier::Tech);
        assert_eq!(Tier::Low.mrr_range(Currency::Jpy), (70_000, Some(500_000)));
    }

    #[test]
    fn major_units_are_formatted_per_currency() {
        assert_eq!(format_major(520_000, Currency::Jpy), "520000");
        assert_eq!(format_major(7_985, Currency::Usd), "79.85");
        assert_eq!(format_major(-5, Currency::Usd), "-0.05");
    }
}
