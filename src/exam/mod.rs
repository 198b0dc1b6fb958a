//! Purpose: mock exams per certification. Owns the exam guides (`content/exams.toml`: code,
//! length, time, passing score, domains and weights), drawing a mock exam to the domain
//! weights, the timed exam session, grading per domain and the readiness estimate.
//!
//! Must not touch: SQL, Discord, the clock or global randomness. Time (`now`) and random
//! generators are passed in; the session is plain serde data the store saves as JSON; question
//! text and answer keys come from the caller (the exam keeps what it showed).
//!
//! | file | owns |
//! |---|---|
//! | `guides.rs` | [`Guides`], [`ExamGuide`], `file:line: message` problems, [`ExamGuide::quotas`] |
//! | `draw.rs` | [`draw`] to the weights, [`coverage`] of a question pool for `studybot check` |
//! | `session.rs` | [`Session`]: answer, flag, navigate, review, submit, `tick(now)` auto-submit |
//! | `grade.rs` | [`grade`]: score, pass/fail, per-domain breakdown, missed questions |
//! | `readiness.rs` | [`readiness`]: estimated score with interval, pass probability, weakest domain |
//!
//! ## Quotas
//!
//! An exam of `n` questions takes from each domain the whole part of `weight × n / 100`; the
//! questions left over go to the domains with the largest remainders (ties: the heavier domain,
//! then the earlier). The counts sum to `n` and each is within one question of the weight
//! (DVA-C02, 65 questions: 21 development, 17 security, 15 deployment, 12 troubleshooting).
//!
//! ## Score
//!
//! A result's score is linear in the fraction correct on AWS's 100–1,000 scale:
//! `100 + 900 × correct / total`, rounded. The passing score maps back the same way, so 720
//! means 68.9% correct and 750 means 72.2%. AWS equates its real scale per exam form and does
//! not publish it; this is an approximation, and unscored questions are not modelled (every
//! question counts). A question is correct only when all its picks are right.
//!
//! ## Readiness
//!
//! Each domain's chance of answering one of its questions correctly gets a uniform prior and
//! the member's answers in that domain (all of them: drills, daily questions, mock exams), giving
//! a Beta(1 + correct, 1 + wrong) posterior; its mean `(1 + correct) / (2 + total)` is the
//! domain's estimate. The exam estimate is the weighted sum of the domain estimates with the
//! guide's weights. Its uncertainty comes from 4,000 Monte Carlo draws with a fixed seed (so the
//! same answers always give the same numbers): each draw samples every domain's Beta (as
//! `X / (X + Y)` of two Gamma draws, Marsaglia–Tsang, implemented here rather than taken from
//! `rand_distr`) and weights them; the 5th and 95th percentiles of the draws form the 90%
//! interval, and the share of draws at or above the passing fraction is the probability of
//! passing. The weakest domain is the one with the lowest estimate. The probability is about
//! the member's underlying accuracy, not the luck of one particular set of questions, and it
//! assumes questions within a domain are alike and answers are independent.

mod draw;
mod grade;
mod guides;
mod readiness;
mod session;

pub use draw::{DomainCoverage, DrawError, Shortfall, coverage, draw};
pub use grade::{
    AnswerKey, DomainResult, ExamResult, GradeError, grade, scaled_from_fraction, scaled_score,
};
pub use guides::{Domain, ExamGuide, ExamStatus, GuideProblem, Guides, GuidesError, UnknownExam};
pub use readiness::{
    DomainReadiness, DomainTally, READINESS_DRAWS, READINESS_INTERVAL, READINESS_SEED, Readiness,
    readiness,
};
pub use session::{
    AnswerShape, Review, Session, SessionError, SessionQuestion, Submission, SubmittedBy,
};

#[cfg(test)]
mod tests;
