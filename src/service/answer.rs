//! Purpose: a member answers a posted question (a daily question, or a live-quiz question
//! through [`super::quiz`]): the picks are checked against the question, graded, given their
//! points, and recorded once; the member's roles are remembered for study-group standings.

use chrono::{DateTime, Utc};

use super::review::Answered;
use super::{ServiceError, Study, UserError};
use crate::ids::{GuildId, PostId, RoleId, UserId};
use crate::quiz::{Question, letter};
use crate::scores::{self, NewAnswer, PeriodKeys, RecordOutcome};
use crate::store::StoreError;

/// What a member sees after answering.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerReply {
    pub outcome: RecordOutcome,
    pub question: Question,
    /// Points this answer earned (0 when wrong or not recorded).
    pub points: i64,
}

/// Checks a member's picks against a question: sorted, without repeats, each on the question,
/// as many as the question asks for.
pub fn check_picks(question: &Question, picked: &[usize]) -> Result<Vec<usize>, UserError> {
    let mut picked = picked.to_vec();
    picked.sort_unstable();
    picked.dedup();
    if picked.iter().any(|&i| i >= question.choices.len()) {
        return Err(UserError::NoSuchChoice);
    }
    if picked.len() != question.answer.count() {
        return Err(UserError::WrongPickCount {
            expected: question.answer.count(),
            picked: picked.len(),
        });
    }
    Ok(picked)
}

/// `[0, 2]` → `A,C`, as answers are stored.
pub fn choice_letters(picked: &[usize]) -> String {
    picked
        .iter()
        .map(|&i| letter(i).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Study {
    /// Records a member's answer to a daily post: graded against the bank, the first answer
    /// counts. `roles` are the member's roles as Discord reports them with the click (for
    /// study-group standings); `None` when unknown.
    #[tracing::instrument(skip(self, roles), fields(guild = %guild, post = %post, user = %user))]
    pub async fn answer(
        &self,
        guild: GuildId,
        post: PostId,
        user: UserId,
        picked: &[usize],
        roles: Option<&[RoleId]>,
        now: DateTime<Utc>,
    ) -> Result<AnswerReply, ServiceError> {
        let Some(stored) = self.store.post(guild, post).await? else {
            return Err(UserError::UnknownPost.into());
        };
        // Graded against the question as it was shown, whatever the bank says today.
        let question = stored
            .shown
            .as_deref()
            .and_then(Question::from_shown_json)
            .or_else(|| self.content().bank.get(&stored.question_id).cloned())
            .ok_or(UserError::UnknownQuestion)?;
        let picked = check_picks(&question, picked)?;
        let correct = question.is_correct(&picked);
        let points = if correct {
            scores::points_for(question.difficulty)
        } else {
            0
        };
        let answer = NewAnswer {
            post,
            user,
            choice: choice_letters(&picked),
            correct,
            points,
            at: now,
        };
        let zone = self.guild_zone(guild).await?;
        let keys = PeriodKeys::at(now, zone);
        let store = &self.store;
        // The score and the member's review card change together or not at all.
        let (outcome, _card) = self
            .with_card_update(
                guild,
                &Answered {
                    user,
                    question: &question,
                    source: "daily",
                    correct,
                    answer_time: None,
                    at: now,
                },
                async |card| {
                    store
                        .record_answer_reviewed(guild, &answer, &keys, Some(card))
                        .await
                },
            )
            .await?;
        let recorded = matches!(outcome, RecordOutcome::Recorded { .. });
        if recorded && let Some(roles) = roles {
            // Roles only rank study groups; a failure here must not lose the answer.
            if let Err(e) = self.store.set_member_roles(guild, user, roles).await {
                tracing::warn!(error = %e, "could not record a member's roles");
            }
        }
        Ok(AnswerReply {
            outcome,
            question,
            points: if recorded { points } else { 0 },
        })
    }

    /// The number of answers to a daily post while it is open; `None` once it closed (its
    /// reveal shows the final count) or when it is not this server's.
    pub async fn open_answer_count(
        &self,
        guild: GuildId,
        post: PostId,
    ) -> Result<Option<i64>, StoreError> {
        match self.store.post(guild, post).await? {
            Some(p) if p.open => Ok(Some(self.store.answer_count(post).await?)),
            _ => Ok(None),
        }
    }
}
