//! The columnar data set the scorer reads: one [`Column`] of values per
//! signal (the value as it stood at the as-of date) and, for trend measures,
//! *lagged* columns (the value as it stood a number of days earlier).
//!
//! Columns are plain `Vec`s with `NaN` for a missing value, so a data set of
//! 100,000 accounts is a handful of allocations and the scoring kernels read
//! contiguous memory.

use std::collections::BTreeMap;

/// Errors about the shape of input data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// Two inputs that must have one entry per account differ in length.
    #[error("{what}: expected {expected} values (one per account), got {got}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Number of accounts.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A signal column was added twice.
    #[error("signal `{0}` already has a column")]
    DuplicateColumn(String),
    /// A lagged column was added twice.
    #[error("signal `{signal}` already has a column {days} days before the as-of date")]
    DuplicateLaggedColumn {
        /// Signal key.
        signal: String,
        /// Lag in days.
        days: u32,
    },
    /// A lagged column with a lag of 0 days (that is the signal's own column).
    #[error("signal `{0}`: a lagged column needs a lag of at least one day")]
    ZeroLag(String),
    /// A sum of MRR does not fit in `i64` minor units (see
    /// [`MoneySum`](crate::api::MoneySum)).
    #[error(transparent)]
    Money(#[from] crate::api::MoneyError),
}

/// One signal column: a value per account, `NaN` where the value is missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Double precision values.
    F64(Vec<f64>),
    /// Single precision values (half the memory; scored in f64).
    F32(Vec<f32>),
}

impl Column {
    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::F32(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of account `i` (`None` when missing or out of range).
    #[must_use]
    pub fn get(&self, i: usize) -> Option<f64> {
        let v = match self {
            Column::F64(v) => *v.get(i)?,
            Column::F32(v) => f64::from(*v.get(i)?),
        };
        (!v.is_nan()).then_some(v)
    }
}

impl From<Vec<f64>> for Column {
    fn from(v: Vec<f64>) -> Self {
        Column::F64(v)
    }
}

impl From<Vec<f32>> for Column {
    fn from(v: Vec<f32>) -> Self {
        Column::F32(v)
    }
}

/// A columnar data set: `len` accounts, one [`Column`] per signal key, plus
/// lagged columns per signal and lag in days.
///
/// A signal with no column is missing for every account; a trend whose
/// lagged column is absent is missing for every account too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignalTable {
    len: usize,
    columns: BTreeMap<String, Column>,
    lagged: BTreeMap<String, BTreeMap<u32, Column>>,
}

impl SignalTable {
    /// An empty table for `len` accounts.
    #[must_use]
    pub fn new(len: usize) -> Self {
        Self {
            len,
            columns: BTreeMap::new(),
            lagged: BTreeMap::new(),
        }
    }

    /// Adds a column; it must have `len` values and a new key.
    pub fn add(
        &mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<(), DataError> {
        let (signal, column) = (signal.into(), column.into());
        if self.columns.contains_key(&signal) {
            return Err(DataError::DuplicateColumn(signal));
        }
        self.replace(signal, column).map(|_| ())
    }

    /// Adds or replaces a column (it must have `len` values); returns the old one.
    pub fn replace(
        &mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<Option<Column>, DataError> {
        let column = column.into();
        if column.len() != self.len {
            return Err(DataError::LengthMismatch {
                what: "signal column",
                expected: self.len,
                got: column.len(),
            });
        }
        Ok(self.columns.insert(signal.into(), column))
    }

    /// Adds the values of `signal` as they stood `days` (≥ 1) before the
    /// as-of date, which trend measures compare with the signal's own
    /// column (see [`Trend`](super::Trend)). It must have `len` values and a
    /// new `(signal, days)` pair.
    pub fn add_lagged(
        &mut self,
        signal: impl Into<String>,
        days: u32,
        column: impl Into<Column>,
    ) -> Result<(), DataError> {
        let (signal, column) = (signal.into(), column.into());
        if days == 0 {
            return Err(DataError::ZeroLag(signal));
        }
        if column.len() != self.len {
            return Err(DataError::LengthMismatch {
                what: "lagged signal column",
                expected: self.len,
                got: column.len(),
            });
        }
        if self.lagged(&signal, days).is_some() {
            return Err(DataError::DuplicateLaggedColumn { signal, days });
        }
        self.lagged.entry(signal).or_default().insert(days, column);
        Ok(())
    }

    /// The values of `signal` as they stood `days` before the as-of date
    /// (`0`: the signal's own column, else a lagged column), for filling a
    /// table row by row (the server reads dated values from the database):
    /// an absent column is created with every value missing. `None` when the
    /// column exists as f32 (it cannot be lent as f64).
    pub fn values_mut(&mut self, signal: &str, days: u32) -> Option<&mut [f64]> {
        let len = self.len;
        let missing = || Column::F64(vec![f64::NAN; len]);
        let column = if days == 0 {
            self.columns
                .entry(signal.to_owned())
                .or_insert_with(missing)
        } else {
            self.lagged
                .entry(signal.to_owned())
                .or_default()
                .entry(days)
                .or_insert_with(missing)
        };
        match column {
            Column::F64(v) => Some(v),
            Column::F32(_) => None,
        }
    }

    /// Builder form of [`add`](Self::add).
    pub fn with(
        mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<Self, DataError> {
        self.add(signal, column)?;
        Ok(self)
    }

    /// Builds a table from per-account records of `(signal, value)` pairs;
    /// a signal absent from a record is missing (`NaN`) for that account.
    pub fn from_records<R, K>(records: impl IntoIterator<Item = R>) -> Self
    where
        R: IntoIterator<Item = (K, f64)>,
        K: AsRef<str>,
    {
        let records: Vec<Vec<(K, f64)>> = records
            .into_iter()
            .map(|r| r.into_iter().collect())
            .collect();
        let n = records.len();
        let mut columns: BTreeMap<String, Column> = BTreeMap::new();
        for (i, rec) in records.iter().enumerate() {
            for (k, v) in rec {
                let col = columns
                    .entry(k.as_ref().to_owned())
                    .or_insert_with(|| Column::F64(vec![f64::NAN; n]));
                if let Column::F64(c) = col {
                    c[i] = *v;
                }
            }
        }
        Self {
            len: n,
            columns,
            lagged: BTreeMap::new(),
        }
    }

    /// Number of accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no account.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column of a signal.
    #[must_use]
    pub fn column(&self, signal: &str) -> Option<&Column> {
        self.columns.get(signal)
    }

    /// The signal keys with a column.
    pub fn signals(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    /// The lagged column of a signal, `days` before the as-of date.
    #[must_use]
    pub fn lagged(&self, signal: &str, days: u32) -> Option<&Column> {
        self.lagged.get(signal)?.get(&days)
    }

    /// Every lagged column as `(signal, days, column)`, by signal then lag.
    pub fn lagged_columns(&self) -> impl Iterator<Item = (&str, u32, &Column)> {
        self.lagged
            .iter()
            .flat_map(|(k, l)| l.iter().map(move |(d, c)| (k.as_str(), *d, c)))
    }

    /// Every value column as `(signal, column)`, by signal.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &Column)> {
        self.columns.iter().map(|(k, c)| (k.as_str(), c))
    }
}
