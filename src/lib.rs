//! studybot: a Discord study companion for cloud certification study groups.
//!
//! The domain (notes, search) knows nothing of Discord; the command line in [`cli`] is one
//! adapter over it. See `DESIGN.md` in the shared folder for the whole architecture.

pub mod charts;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod discord;
pub mod exam;
pub mod ids;
pub mod model;
pub mod notes;
pub mod ops;
pub mod quiz;
pub mod review;
pub mod schedule;
pub mod scores;
pub mod search;
pub mod service;
pub mod store;
