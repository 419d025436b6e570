//! Coverage: whom a CSM contacts this week, and why.
//!
//! The practice the product is built from (the seed article on coverage
//! models and health scores) divides customers into **tiers** by MRR (high,
//! low and tech touch), places each in a **lifecycle phase** by its dates
//! (onboarding, adoption, renewal), and turns **risk triggers**, health
//! **band actions** and each tier's **contact cadence** into tasks with a
//! reason and a priority. This module holds those rules as pure functions
//! over plain facts, so the policy preview in the browser, the server's
//! daily run and the tests compute the same answer:
//!
//! - [`policy`]: the policy a manager edits (thresholds per currency,
//!   cadences, phase windows, trigger parameters, band actions, effort and
//!   capacity) with the product's defaults and its validation;
//! - [`evaluate`]: an account's tier, phase and the rules that fire for it
//!   on a day, each with the numbers that fired it;
//! - [`playbook`]: who does what when for each tier × phase, with the
//!   seed's three touch models as the defaults;
//! - [`preview`]: what a policy would do before it is saved (accounts per
//!   tier × phase, tasks per rule, each CSM's week against their capacity);
//! - [`priority`]: the one priority function;
//! - [`review`]: the PDCA review — each rule's tasks (created, done,
//!   dismissed, resolved by data, median days to done), tasks done on time,
//!   and the churn of the accounts a rule touched against comparable
//!   accounts it did not touch;
//! - [`week`]: a CSM's "this week" list, grouped by rule, most urgent first.

pub mod evaluate;
pub mod playbook;
pub mod policy;
pub mod preview;
pub mod priority;
pub mod review;
pub mod week;

pub use evaluate::{evaluate, phase_of, AccountFacts, Assessment, Due, Reason};
pub use policy::{CoveragePolicy, Rule, TouchKind};
pub use priority::{priority, Priority, PriorityLevel};
