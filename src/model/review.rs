//! Purpose: a member's memory of one question as the store keeps it: plain columns, no rule.
//! The review module turns them into its card state (and checks them) and back.

use chrono::{DateTime, Utc};

/// the review module's card state as plain column values, as a store reads and writes them (text and 64-bit
/// integers, which both SQLite and PostgreSQL bind). `CardState::from_columns` checks them.
#[derive(Debug, Clone, PartialEq)]
pub struct CardColumns {
    pub phase: String,
    pub stability: f64,
    pub difficulty: f64,
    pub due: DateTime<Utc>,
    pub last_review: Option<DateTime<Utc>>,
    pub reps: i64,
    pub lapses: i64,
    pub step: i64,
    pub scheduled_days: i64,
}
