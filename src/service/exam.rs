//! Purpose: timed mock exams per certification, as use cases over `crate::exam` (guides, draws
//! to the domain weights, the session state machine, grading, readiness): start one (one open
//! exam per member and server), answer, flag, move, review, submit; submitted automatically
//! when time runs out (on the next look, or by [`Study::submit_expired_exams`]); the result
//! with per-domain scores and missed questions; history and readiness per exam. The session
//! lives in the store, so an exam survives a restart. Exam answers feed the member's review
//! cards, never the leaderboards. The questions are kept as shown, so a result never depends on
//! today's bank.

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::review::Answered;
use super::{ServiceError, Study, UserError};
use crate::exam::{
    self, AnswerKey, AnswerShape, ExamGuide, ExamResult, Readiness, Session, SessionError,
};
use crate::ids::{GuildId, UserId};
use crate::quiz::Question;
use crate::store::{CardUpdate, NewExam, StoreError, StoredExam};

/// A question as the exam showed it, with its domain in that exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamQuestion {
    pub question: Question,
    pub domain: String,
}

/// What an exam screen shows: the session, its questions as shown, its guide, and the result
/// once submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamView {
    pub id: i64,
    pub user: UserId,
    pub guide: ExamGuide,
    pub session: Session,
    pub questions: Vec<ExamQuestion>,
    pub result: Option<ExamResult>,
}

/// What `/exam start` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamRequest {
    /// The exam code (`DVA-C02`, any case).
    pub code: String,
    /// Default: the real exam's length.
    pub questions: Option<usize>,
    /// Default: the real exam's time, scaled to the length.
    pub minutes: Option<u32>,
    /// Picks the questions.
    pub seed: u64,
}

/// What a member does on an exam screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExamAction {
    /// Show the current state (and submit it if time ran out).
    Show,
    /// Answer the question at this position (0-based) with these picks.
    Answer {
        position: usize,
        picks: Vec<usize>,
    },
    ToggleFlag {
        position: usize,
    },
    GoTo {
        position: usize,
    },
    Next,
    Previous,
    Submit,
}

/// One past exam of a member.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamSummary {
    pub id: i64,
    pub exam: String,
    pub started_at: DateTime<Utc>,
    pub result: Option<ExamResult>,
}

fn session_error(e: SessionError) -> ServiceError {
    UserError::Exam(e.to_string()).into()
}

fn damaged(what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("a stored exam's {what} cannot be read: {e}"))
}

impl Study {
    /// Starts a timed mock exam: `questions` drawn to the domain weights (default the real
    /// exam's length) with `minutes` (default the real exam's time, scaled to the length).
    pub async fn start_exam(
        &self,
        guild: GuildId,
        user: UserId,
        req: &ExamRequest,
        now: DateTime<Utc>,
    ) -> Result<ExamView, ServiceError> {
        let ExamRequest {
            code,
            questions,
            minutes,
            seed,
        } = req.clone();
        let code = code.as_str();
        let content = self.content();
        let guide = content
            .exams
            .get(code)
            .map_err(|e| UserError::Exam(e.to_string()))?
            .clone();
        let n = questions.unwrap_or(guide.questions);
        if !(1..=200).contains(&n) {
            return Err(UserError::Exam(format!(
                "an exam has 1 to 200 questions; the real {} has {}",
                guide.code, guide.questions
            ))
            .into());
        }
        let minutes = minutes.unwrap_or_else(|| {
            // The real exam's pace for a shorter or longer one, 1 to 300 minutes.
            let scaled = (u64::from(guide.minutes) * n as u64).div_ceil(guide.questions as u64);
            u32::try_from(scaled).unwrap_or(u32::MAX).clamp(1, 300)
        });
        if !(1..=300).contains(&minutes) {
            return Err(UserError::Exam("an exam lasts 1 to 300 minutes".into()).into());
        }
        let pool = crate::content::exam_pool(&content.bank, &guide.code);
        let ids = exam::draw(&guide, &pool, n, &mut StdRng::seed_from_u64(seed))
            .map_err(|e| UserError::Exam(e.to_string()))?;
        let shown: Vec<ExamQuestion> = ids
            .iter()
            .filter_map(|id| content.bank.get(id))
            .map(|q| ExamQuestion {
                question: q.clone(),
                domain: q.domains.get(&guide.code).cloned().unwrap_or_default(),
            })
            .collect();
        let session = Session::start(&guide.code, ids, now, minutes).map_err(session_error)?;
        let session_json = serde_json::to_string(&session).map_err(|e| damaged("session", e))?;
        let questions_json = serde_json::to_string(&shown).map_err(|e| damaged("questions", e))?;
        let created = self
            .store
            .create_exam(&NewExam {
                guild,
                user,
                exam: &guide.code,
                session: &session_json,
                questions: &questions_json,
                started_at: session.started_at(),
                deadline: session.deadline(),
            })
            .await?;
        let id = created.map_err(|_| {
            UserError::Exam(
                "you already have an exam open here: /exam resume to go on, or submit it first"
                    .into(),
            )
        })?;
        Ok(ExamView {
            id,
            user,
            guide,
            session,
            questions: shown,
            result: None,
        })
    }

    /// The member's open exam here (submitted first if its time ran out).
    pub async fn resume_exam(
        &self,
        guild: GuildId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<ExamView, ServiceError> {
        let open = self.store.open_exam(guild, user).await?.ok_or_else(|| {
            UserError::Exam("you have no open exam here; /exam start begins one".into())
        })?;
        self.exam_action(guild, user, open.id, ExamAction::Show, now)
            .await
    }

    /// Applies a member's action to their exam and saves it; an exam whose time ran out is
    /// submitted (by the timer) before anything else. Another member's exam is refused.
    pub async fn exam_action(
        &self,
        guild: GuildId,
        user: UserId,
        id: i64,
        action: ExamAction,
        now: DateTime<Utc>,
    ) -> Result<ExamView, ServiceError> {
        // A save that lost a race with another click reads again and retries.
        for _ in 0..5 {
            let stored = self
                .store
                .exam(guild, id)
                .await?
                .ok_or_else(|| UserError::Exam("that exam is not from this server".into()))?;
            if stored.user != user {
                return Err(UserError::Exam(
                    "this exam belongs to someone else; /exam start begins your own".into(),
                )
                .into());
            }
            let mut view = self.view_of(&stored)?;
            if view.result.is_some() {
                return match action {
                    ExamAction::Show => Ok(view),
                    _ => Err(UserError::Exam(
                        "this exam was already submitted; its result is below".into(),
                    )
                    .into()),
                };
            }
            let timed_out = view.session.tick(now);
            if timed_out || action == ExamAction::Submit {
                if !timed_out {
                    view.session.submit(now).map_err(session_error)?;
                }
                if self.finish(&stored, &mut view).await? {
                    return Ok(view);
                }
                continue;
            }
            match &action {
                ExamAction::Show => return Ok(view),
                ExamAction::Answer { position, picks } => {
                    let q = view.questions.get(*position).ok_or_else(|| {
                        session_error(SessionError::NoSuchQuestion {
                            position: *position,
                            len: view.questions.len(),
                        })
                    })?;
                    let shape = AnswerShape {
                        picks: q.question.answer.count(),
                        choices: q.question.choices.len(),
                    };
                    view.session
                        .answer(now, *position, picks, shape)
                        .map_err(session_error)?;
                    // Answering moves on, like the real exam's Next.
                    if *position + 1 < view.session.len() {
                        view.session
                            .go_to(now, *position + 1)
                            .map_err(session_error)?;
                    }
                }
                ExamAction::ToggleFlag { position } => {
                    view.session
                        .toggle_flag(now, *position)
                        .map_err(session_error)?;
                }
                ExamAction::GoTo { position } => {
                    view.session.go_to(now, *position).map_err(session_error)?;
                }
                ExamAction::Next => {
                    view.session.next(now).map_err(session_error)?;
                }
                ExamAction::Previous => {
                    view.session.previous(now).map_err(session_error)?;
                }
                ExamAction::Submit => {}
            }
            let json = serde_json::to_string(&view.session).map_err(|e| damaged("session", e))?;
            if self.store.save_exam(id, stored.version, &json).await? {
                return Ok(view);
            }
        }
        Err(ServiceError::Store(StoreError::Contended {
            what: "an exam",
        }))
    }

    /// Submits the open exams whose time ran out (a background loop calls this); returns how
    /// many it submitted.
    pub async fn submit_expired_exams(&self, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        let mut n = 0;
        for (guild, id) in self.store.expired_exams(now, 100).await? {
            let Some(stored) = self.store.exam(guild, id).await? else {
                continue;
            };
            let mut view = self.view_of(&stored)?;
            if view.session.tick(now) && self.finish(&stored, &mut view).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// A member's exams here, newest first.
    pub async fn exam_history(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<ExamSummary>, ServiceError> {
        let mut out = Vec::new();
        for e in self.store.exam_history(guild, user, 25).await? {
            let result = match &e.result {
                Some(r) => Some(serde_json::from_str(r).map_err(|err| damaged("result", err))?),
                None => None,
            };
            out.push(ExamSummary {
                id: e.id,
                exam: e.exam,
                started_at: e.started_at,
                result,
            });
        }
        Ok(out)
    }

    /// Readiness for every exam the member has practised here (answered a question tagged with
    /// it), from all their answers: daily questions, quizzes, reviews and mock exams.
    pub async fn readiness(
        &self,
        guild: GuildId,
        user: UserId,
    ) -> Result<Vec<Readiness>, StoreError> {
        let cards = self.store.cards(guild, user).await?;
        let content = self.content();
        let mut out = Vec::new();
        for guide in content.exams.all() {
            let mut tallies: std::collections::BTreeMap<&str, (u32, u32)> = Default::default();
            for c in &cards {
                let Some(q) = content.bank.get(&c.question_id) else {
                    continue;
                };
                if let Some(d) = q.domains.get(&guide.code) {
                    let t = tallies.entry(d.as_str()).or_default();
                    t.0 += u32::try_from(c.correct).unwrap_or(0);
                    t.1 += u32::try_from(c.answered).unwrap_or(0);
                }
            }
            if tallies.values().all(|t| t.1 == 0) {
                continue;
            }
            let tallies: Vec<exam::DomainTally> = tallies
                .into_iter()
                .map(|(d, (correct, total))| exam::DomainTally {
                    domain_id: d.to_string(),
                    correct,
                    total,
                })
                .collect();
            out.push(exam::readiness(guide, &tallies));
        }
        Ok(out)
    }

    fn view_of(&self, stored: &StoredExam) -> Result<ExamView, ServiceError> {
        let session: Session =
            serde_json::from_str(&stored.session).map_err(|e| damaged("session", e))?;
        let questions: Vec<ExamQuestion> =
            serde_json::from_str(&stored.questions).map_err(|e| damaged("questions", e))?;
        let result = match &stored.result {
            Some(r) => Some(serde_json::from_str(r).map_err(|e| damaged("result", e))?),
            None => None,
        };
        // The guide as of now; an exam whose guide left the content is graded by its own
        // domains still (a guide with the domains the questions name).
        let guide = self
            .content()
            .exams
            .get(&stored.exam)
            .cloned()
            .map_err(|e| UserError::Exam(e.to_string()))?;
        Ok(ExamView {
            id: stored.id,
            user: stored.user,
            guide,
            session,
            questions,
            result,
        })
    }

    /// Grades a submitted session and stores the result with the member's review cards.
    /// False when the exam changed meanwhile (the caller reads it again).
    async fn finish(&self, stored: &StoredExam, view: &mut ExamView) -> Result<bool, ServiceError> {
        let keys: Vec<AnswerKey> = view
            .questions
            .iter()
            .map(|q| AnswerKey {
                question_id: q.question.id.clone(),
                domain_id: q.domain.clone(),
                correct: q.question.answer.indexes(),
            })
            .collect();
        let result = exam::grade(&view.guide, &view.session, &keys)
            .map_err(|e| ServiceError::Internal(format!("grading an exam failed: {e}")))?;
        let at = view
            .session
            .submitted_at()
            .unwrap_or(view.session.deadline());
        let session = serde_json::to_string(&view.session).map_err(|e| damaged("session", e))?;
        let result_json = serde_json::to_string(&result).map_err(|e| damaged("result", e))?;
        // Every answered question feeds the member's review card (never the leaderboards).
        let memory = self.review_scheduler(stored.guild).await?;
        let answered: Vec<(&ExamQuestion, bool)> = view
            .session
            .questions()
            .iter()
            .zip(&view.questions)
            .filter(|(s, _)| s.is_answered())
            .map(|(s, q)| (q, q.question.is_correct(&s.picks)))
            .collect();
        let nexts: Vec<_> = answered
            .iter()
            .map(|(q, correct)| {
                let a = Answered {
                    user: stored.user,
                    question: &q.question,
                    source: "exam",
                    correct: *correct,
                    answer_time: None,
                    at,
                };
                super::review::card_step(&memory, &a)
            })
            .collect();
        let updates: Vec<CardUpdate<'_>> = answered
            .iter()
            .zip(&nexts)
            .map(|((q, correct), next)| CardUpdate {
                user: stored.user,
                question_id: &q.question.id,
                topic: &q.question.topic,
                source: "exam",
                correct: *correct,
                at,
                next: next.clone(),
            })
            .collect();
        let done = self
            .store
            .finish_exam(stored, &session, &result_json, at, &updates)
            .await?;
        if done {
            view.result = Some(result);
        }
        Ok(done)
    }
}
