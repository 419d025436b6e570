//! Health scoring, back-test, weight fitting and the CS KPIs.
