//! The user's calendar: today as the browser's time zone has it.

/// Today in the browser's time zone (the day people mean by "today").
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
