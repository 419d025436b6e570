//! Values with rules of their own: [`Money`] (minor units of one currency,
//! added only with checks) and [`MoneySum`] (the one overflow policy of
//! every sum of money), [`Email`] and [`ExternalId`] (validated and
//! normalised once, in `parse`). Request bodies hold them as these types,
//! so a body deserializes only when they are valid; a form parses its text
//! with the same `parse` before it builds the body, so both accept exactly
//! the same text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cells::{fold_width, normalize_external_id};
use crate::domain::Currency;

/// An amount of money: integer minor units of one currency. Amounts in
/// different currencies are never added, and no sum silently overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Minor units (yen, cents).
    pub amount_minor: i64,
    /// The currency.
    pub currency: Currency,
}

/// Why two amounts could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The amounts are in different currencies.
    #[error("amounts in {0} and {1} cannot be added")]
    MixedCurrencies(Currency, Currency),
    /// The sum does not fit in 64 bits of minor units.
    #[error("the sum of the {0} amounts is too large")]
    Overflow(Currency),
}

impl Money {
    /// `amount_minor` of `currency`.
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Nothing, in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// `op` on the two amounts, refusing other currencies and overflow.
    fn combine(self, other: Money, op: fn(i64, i64) -> Option<i64>) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::MixedCurrencies(self.currency, other.currency));
        }
        op(self.amount_minor, other.amount_minor)
            .map(|amount_minor| Money::new(amount_minor, self.currency))
            .ok_or(MoneyError::Overflow(self.currency))
    }

    /// `self + other`, refusing other currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_add)
    }

    /// `self − other`, refusing other currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.combine(other, i64::checked_sub)
    }

    /// The sum of `amounts`, all in `currency`, through a [`MoneySum`]: an
    /// overflow is an error only when the total does not fit.
    pub fn checked_sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        let mut sum = MoneySum::ZERO;
        for m in amounts {
            if m.currency != currency {
                return Err(MoneyError::MixedCurrencies(currency, m.currency));
            }
            sum += m.amount_minor;
        }
        Ok(Money::new(sum.total(currency)?, currency))
    }
}

/// A sum of amounts of one currency (minor units): **the overflow policy of
/// every sum of money** in `kizuna_shared` (the KPIs' revenue movements,
/// cohorts and MRR per band, the scorer's and the workbench's MRR per band,
/// [`Money::checked_sum`]).
///
/// - Amounts are added **exactly**, in an `i128`: a sum of fewer than 2⁶³
///   `i64` amounts (and differences of such sums) cannot overflow it, so
///   adding never checks, never fails and costs an add with carry — hot
///   loops stay fast.
/// - A total is read back as `i64` minor units once, at the end, by a
///   **checked** conversion ([`total`](Self::total)): a total beyond `i64`
///   is [`MoneyError::Overflow`], never a wrapped or saturated number. The
///   API's amounts stay `i64`; a sum that does not fit has no answer (the
///   server's KPI service answers it with the problem code
///   `amount_overflow`).
/// - An account's MRR in a month (the total of its product lines) is a
///   total too: the revenue KPIs classify each account on `i64` amounts
///   and add the accounts up exactly.
/// - Ratios of sums (NRR, at-risk share, …) are taken from the exact sums.
/// - A hot loop may add in `i64` instead ([`MoneyAccumulator`]) where
///   [`fits_i64`](Self::fits_i64) shows that no sum it makes can leave
///   `i64`: the same exact results, without the wider adds.
///
/// With amounts capped at [`MAX_AMOUNT_MAJOR`](crate::domain::MAX_AMOUNT_MAJOR)
/// a total overflows only past about 92,000 accounts at the cap in a
/// currency with cents (9.2 million in yen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MoneySum(i128);

impl MoneySum {
    /// Nothing.
    pub const ZERO: MoneySum = MoneySum(0);

    /// The exact sum.
    #[inline]
    #[must_use]
    pub const fn exact(self) -> i128 {
        self.0
    }

    /// The total as `i64` minor units of `currency`, or
    /// [`MoneyError::Overflow`] when it does not fit.
    #[inline]
    pub fn total(self, currency: Currency) -> Result<i64, MoneyError> {
        i64::try_from(self.0).map_err(|_| MoneyError::Overflow(currency))
    }

    /// The sum as a float (for ratios).
    #[inline]
    #[must_use]
    pub fn as_f64(self) -> f64 {
        self.0 as f64
    }

    /// Whether every sum of at most `count` amounts, each at most `max_abs`
    /// in size, fits in `i64` (so adding them in `i64` is exact).
    #[inline]
    #[must_use]
    pub fn fits_i64(count: usize, max_abs: u64) -> bool {
        u128::from(max_abs) * count as u128 <= u128::from(i64::MAX.unsigned_abs())
    }

    /// The larger of the sum and zero (negative MRR counts as none).
    #[inline]
    #[must_use]
    pub fn at_least_zero(self) -> MoneySum {
        MoneySum(self.0.max(0))
    }
}

/// What a sum of money accumulates in: [`MoneySum`] (exact for any count),
/// or `i64` where [`MoneySum::fits_i64`] shows no sum can leave it.
pub trait MoneyAccumulator: Copy + std::ops::AddAssign<i64> {
    /// Nothing.
    const ZERO: Self;
    /// The total as `i64` minor units of `currency` (see
    /// [`MoneySum::total`]).
    fn total(self, currency: Currency) -> Result<i64, MoneyError>;
}

impl MoneyAccumulator for MoneySum {
    const ZERO: Self = MoneySum::ZERO;
    #[inline]
    fn total(self, currency: Currency) -> Result<i64, MoneyError> {
        MoneySum::total(self, currency)
    }
}

impl MoneyAccumulator for i64 {
    const ZERO: Self = 0;
    #[inline]
    fn total(self, _: Currency) -> Result<i64, MoneyError> {
        Ok(self)
    }
}

impl From<i64> for MoneySum {
    #[inline]
    fn from(amount_minor: i64) -> Self {
        MoneySum(i128::from(amount_minor))
    }
}

impl std::ops::AddAssign<i64> for MoneySum {
    #[inline]
    fn add_assign(&mut self, amount_minor: i64) {
        self.0 += i128::from(amount_minor);
    }
}

impl std::ops::AddAssign for MoneySum {
    #[inline]
    fn add_assign(&mut self, other: MoneySum) {
        self.0 += other.0;
    }
}

impl std::ops::Add for MoneySum {
    type Output = MoneySum;
    #[inline]
    fn add(self, other: MoneySum) -> MoneySum {
        MoneySum(self.0 + other.0)
    }
}

impl std::ops::Sub for MoneySum {
    type Output = MoneySum;
    #[inline]
    fn sub(self, other: MoneySum) -> MoneySum {
        MoneySum(self.0 - other.0)
    }
}

impl std::iter::Sum<i64> for MoneySum {
    fn sum<I: Iterator<Item = i64>>(iter: I) -> Self {
        let mut s = MoneySum::ZERO;
        for x in iter {
            s += x;
        }
        s
    }
}

/// Why an e-mail address or external id was refused. `Display` is the
/// sentence a form shows next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Nothing but spaces.
    #[error("is required")]
    Blank,
    /// Longer than allowed.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// Not shaped like an e-mail address.
    #[error("not a valid email address")]
    NotAnEmail,
    /// Holds a control character (a line break, a tab).
    #[error("must not contain line breaks or tabs")]
    ControlCharacter,
    /// An e-mail address with a character that means something in a link
    /// (`?`, `&`, `%`, `#`): `jane?bcc=…@example.com` would add recipients
    /// to the `mailto:` link the app shows.
    #[error("must not contain ?, &, % or #")]
    LinkCharacter,
}

/// An e-mail address: trimmed, lower-cased, shaped like `local@domain.tld`.
/// Users and contacts are stored and looked up by this form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321's path limit).
    pub const MAX_LEN: usize = 254;

    /// A valid address of the reserved `example.com` domain: the stand-in a
    /// form checks its other fields with while the typed address is wrong.
    pub fn example() -> Email {
        Email("someone@example.com".to_owned())
    }

    /// Checks and normalises an address: one `@`, a non-empty local part of
    /// at most 64 characters, a domain of dot-separated labels (letters,
    /// digits, `-`, any non-ASCII letter for IDN) with at least one dot, no
    /// whitespace or control characters, and none of `?`, `&`, `%`, `#`
    /// ([`ValueError::LinkCharacter`]): RFC 5322 allows them in the local
    /// part, but in a `mailto:` link they start parameters (`?bcc=…`), and
    /// no real mailbox a CS team writes to needs them.
    ///
    /// Written here instead of garde's `email` rule because that rule pulls
    /// the `regex` crate and its Unicode tables into the browser bundle
    /// (several hundred KB of wasm) for a check whose real proof is a
    /// delivered message.
    pub fn parse(text: &str) -> Result<Email, ValueError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ValueError::Blank);
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(ValueError::TooLong(Self::MAX_LEN));
        }
        if text.contains(['?', '&', '%', '#']) {
            return Err(ValueError::LinkCharacter);
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err(ValueError::NotAnEmail);
        };
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"".contains(c));
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if local_ok && domain.contains('.') && labels_ok {
            Ok(Email(text.to_lowercase()))
        } else {
            Err(ValueError::NotAnEmail)
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Request bodies deserialize straight into a checked [`Email`]: text that
/// [`Email::parse`] refuses fails the body with the field named (the
/// server's JSON extractor turns it into a field error).
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Email::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// An account's id in the CRM as people typed it (trimmed), with its normal
/// form [`ExternalId::key`]: width folded and upper-cased, so `crm-001 `,
/// `CRM-001` and `ＣＲＭ－００１` are one id. The key is what the database
/// stores in `accounts.external_id_key` under a unique index, and what the
/// form, the import and the duplicate finder compare.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId {
    text: String,
}

impl ExternalId {
    /// Longest id accepted.
    pub const MAX_LEN: usize = 200;

    /// Checks an id: not blank, at most [`Self::MAX_LEN`] characters, no
    /// control characters.
    pub fn parse(text: &str) -> Result<ExternalId, ValueError> {
        let text = text.trim();
        if text.is_empty() || fold_width(text).trim().is_empty() {
            return Err(ValueError::Blank);
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(ValueError::TooLong(Self::MAX_LEN));
        }
        if text.chars().any(char::is_control) {
            return Err(ValueError::ControlCharacter);
        }
        Ok(ExternalId {
            text: text.to_owned(),
        })
    }

    /// The id as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The normal form compared for uniqueness. Computed when asked, not
    /// kept: only the server compares ids, and the upper-casing pulls
    /// Unicode's case tables into whatever calls it (the browser only
    /// checks ids).
    pub fn key(&self) -> String {
        normalize_external_id(&self.text)
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Request bodies deserialize straight into a checked [`ExternalId`] (see
/// [`ExternalId::parse`]); it is written as the text as typed.
impl<'de> Deserialize<'de> for ExternalId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ExternalId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ExternalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_adds_only_within_one_currency_and_never_overflows() {
        let yen = |n| Money::new(n, Currency::Jpy);
        assert_eq!(yen(500).checked_add(yen(20)), Ok(yen(520)));
        assert_eq!(yen(500).checked_sub(yen(520)), Ok(yen(-20)));
        assert_eq!(
            yen(1).checked_add(Money::new(1, Currency::Usd)),
            Err(MoneyError::MixedCurrencies(Currency::Jpy, Currency::Usd))
        );
        assert_eq!(
            yen(i64::MAX).checked_add(yen(1)),
            Err(MoneyError::Overflow(Currency::Jpy))
        );
        assert_eq!(
            Money::checked_sum(Currency::Jpy, [yen(1), yen(2), yen(3)]),
            Ok(yen(6))
        );
        assert_eq!(
            Money::checked_sum(Currency::Usd, [Money::new(1, Currency::Usd), yen(2)]),
            Err(MoneyError::MixedCurrencies(Currency::Usd, Currency::Jpy))
        );
        assert_eq!(
            Money::checked_sum(Currency::Eur, []),
            Ok(Money::zero(Currency::Eur))
        );
        // Only the total must fit: the intermediate i64::MAX + 1 does not
        // fail a sum that comes back down.
        assert_eq!(
            Money::checked_sum(Currency::Jpy, [yen(i64::MAX), yen(1), yen(-2)]),
            Ok(yen(i64::MAX - 1))
        );
        assert_eq!(
            Money::checked_sum(Currency::Jpy, [yen(i64::MAX), yen(1)]),
            Err(MoneyError::Overflow(Currency::Jpy))
        );
    }

    #[test]
    fn money_sums_are_exact_and_a_total_beyond_i64_is_an_error() {
        let cap = Currency::Usd.max_amount_minor();
        // 100,000 accounts at the cap: 10^19 cents, beyond i64::MAX (9.2 × 10^18).
        let sum: MoneySum = std::iter::repeat_n(cap, 100_000).sum();
        assert_eq!(sum.exact(), 10_i128.pow(19));
        assert_eq!(
            sum.total(Currency::Usd),
            Err(MoneyError::Overflow(Currency::Usd))
        );
        // Back within range after a subtraction: exact, and fits.
        let fits = sum - MoneySum::from(i64::MAX);
        assert_eq!(fits.total(Currency::Usd), Ok(776_627_963_145_224_193));
        assert_eq!(MoneySum::from(-5).at_least_zero(), MoneySum::ZERO);
        assert_eq!(MoneySum::from(i64::MIN).total(Currency::Jpy), Ok(i64::MIN));
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            Email::parse("  Taro@Sakura.CO.JP ").unwrap().as_str(),
            "taro@sakura.co.jp"
        );
        for good in [
            "csm@demo.kizuna",
            "first.last+tag@example.co.jp",
            "佐藤@例え.jp",
        ] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "no-at-sign",
            "@example.com",
            "a@",
            "a@localhost",
            "a@exa mple.com",
            "a b@example.com",
            "a@@example.com",
            "a@-bad.com",
            "a@example..com",
        ] {
            assert_eq!(Email::parse(bad), Err(ValueError::NotAnEmail), "{bad}");
        }
        for link in [
            "jane?bcc=attacker%40evil.example&subject=x@customer.example",
            "jane?cc=x@customer.example",
            "a&b@example.com",
            "a%40b@example.com",
            "a#b@example.com",
        ] {
            assert_eq!(Email::parse(link), Err(ValueError::LinkCharacter), "{link}");
        }
        assert_eq!(Email::parse("  "), Err(ValueError::Blank));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(ValueError::TooLong(254)));
    }

    #[test]
    fn external_ids_keep_their_text_and_compare_by_key() {
        let a = ExternalId::parse(" crm-００１ ").unwrap();
        let b = ExternalId::parse("CRM-001").unwrap();
        assert_eq!(a.as_str(), "crm-００１");
        assert_eq!(a.key(), "CRM-001");
        assert_eq!(a.key(), b.key());
        assert_eq!(ExternalId::parse("\u{3000} "), Err(ValueError::Blank));
        assert_eq!(
            ExternalId::parse("CRM\n1"),
            Err(ValueError::ControlCharacter)
        );
        assert_eq!(
            ExternalId::parse(&"x".repeat(201)),
            Err(ValueError::TooLong(200))
        );
    }
}
