//! `string_enum!`: enums with one stable lower-case name per value, used
//! alike by serde (the API and the database), `Display`, `FromStr` and
//! `as_str`, so a name is written once and the four can never disagree.

/// Declares an enum whose values have stable names: serde, `Display`,
/// `FromStr` and `as_str` all use the same text, and `ALL` lists every
/// value. Unknown names fail with [`crate::domain::ParseEnumError`].
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize)]
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

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Read through `FromStr` rather than serde's derive: the derive
        // writes one field visitor per enum (about 1–3 KB of wasm each, some
        // twenty enums in the browser bundle) for what `FromStr` already
        // does. The names are the same (`as_str` equals serde's
        // `snake_case` name; a test in `domain` checks every enum).
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::ParseEnumError { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::api::*;
    use crate::coverage::review::TaskOutcome;
    use crate::coverage::{PriorityLevel, Rule, TouchKind};
    use crate::domain::*;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use std::fmt::Display;
    use std::str::FromStr;

    /// serde, `Display`, `FromStr` and `as_str` agree on every value, and
    /// serde refuses an unknown name.
    fn agree<T>(all: &[T])
    where
        T: Serialize + DeserializeOwned + Display + FromStr + PartialEq + std::fmt::Debug + Copy,
    {
        for value in all {
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{value}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *value);
            assert!(value.to_string().parse::<T>().is_ok_and(|v| v == *value));
        }
        assert!(serde_json::from_str::<T>("\"no such name\"").is_err());
        assert!(serde_json::from_str::<T>("3").is_err());
    }

    #[test]
    fn every_string_enum_reads_and_writes_one_name_per_value() {
        agree(ItemAction::ALL);
        agree(SheetStatus::ALL);
        agree(SurveyState::ALL);
        agree(SignalKind::ALL);
        agree(ModelStatus::ALL);
        agree(ImportKind::ALL);
        agree(ImportPhase::ALL);
        agree(DataChangeKind::ALL);
        agree(SortDir::ALL);
        agree(ProblemCode::ALL);
        agree(PeriodKind::ALL);
        agree(ChangeKind::ALL);
        agree(AuditKind::ALL);
        agree(AuditTarget::ALL);
        agree(PriorityLevel::ALL);
        agree(TouchKind::ALL);
        agree(Rule::ALL);
        agree(TaskOutcome::ALL);
        agree(AccountField::ALL);
        agree(AccountStatus::ALL);
        agree(ExpansionPotential::ALL);
        agree(Tier::ALL);
        agree(Currency::ALL);
        agree(SurveyKind::ALL);
        agree(AnswerChannel::ALL);
        agree(Language::ALL);
        agree(LinkStatus::ALL);
        agree(TaskStatus::ALL);
        agree(TaskKind::ALL);
        agree(SheetKind::ALL);
        agree(SheetPhase::ALL);
        agree(ResponsibleRole::ALL);
        agree(Role::ALL);
        agree(AuditCategory::ALL);
        agree(ImportCode::ALL);
    }
}
