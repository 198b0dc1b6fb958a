//! Purpose: plain data types shared by the store and the domain above it: what a score, a
//! leaderboard row or a daily schedule *is*, with no rule about how it is chosen or computed.
//! The store reads and writes these; `scores`, `schedule` and the use cases re-export and
//! compute with them. Depends only on `ids` and chrono: every arrow points down to here.

pub mod review;
pub mod schedule;
pub mod scores;
