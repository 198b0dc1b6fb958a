//! Purpose: the use cases, as plain async functions over the store and the question bank:
//! answer a question, leaderboards, study-group standings, personal stats, delete my data,
//! forget servers the bot left. No Discord here (the bot calls these), no SQL (the store has it).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::ids::{ChannelId, RoleId};
use crate::ids::{GuildId, PostId, UserId};
use crate::quiz::{Bank, Question, letter};
use crate::schedule::{
    DailySchedule, ScheduleError, Weekdays, next_slot, parse_local_time, parse_zone,
};
use crate::scores::{
    self, GroupStanding, Leaderboard, NewAnswer, Period, PeriodKeys, RecordOutcome, Scope, Stats,
};
use crate::store::{Store, StoreError};

/// Leaderboard lines per page.
pub const PAGE_SIZE: u32 = 10;
/// A study group needs this many members to be ranked.
pub const MIN_GROUP_MEMBERS: i64 = 2;

/// An error worth showing to the person who caused it, as written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UserError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("there is no topic {0:?}; /topics lists them")]
    UnknownTopic(String),
    #[error("no question is for exam {0:?}")]
    UnknownExam(String),
    #[error("the answer window can be at most 24 hours")]
    WindowTooLong,
    #[error("this channel has no daily question; set one with /daily set")]
    NoSchedule,
    #[error("pick {expected} answer(s); you picked {picked}")]
    WrongPickCount { expected: usize, picked: usize },
    #[error("that choice is not on this question")]
    NoSuchChoice,
    #[error("this question is no longer in the question bank")]
    UnknownQuestion,
    #[error("that question is not from this server; nothing was recorded")]
    UnknownPost,
    #[error("this channel's daily question is paused or off; /daily resume first")]
    DailyPaused,
    /// A live quiz refused something; the message says what.
    #[error("{0}")]
    Quiz(String),
    #[error("a quiz is already running (channel {0}); /quiz stop ends it")]
    QuizRunning(ChannelId),
    #[error("no quiz is running here")]
    NoQuiz,
    #[error("only the member who started the quiz, or one who may manage messages, can stop it")]
    NotYourQuiz,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a member sees after clicking an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerReply {
    pub outcome: RecordOutcome,
    pub question: Question,
}

/// The use cases, over one store and one bank.
#[derive(Debug, Clone)]
pub struct Study {
    pub store: Store,
    pub bank: Bank,
}

impl Study {
    pub fn new(store: Store, bank: Bank) -> Study {
        Study { store, bank }
    }

    /// The server's time zone (UTC when unknown or unparsable).
    pub async fn guild_zone(&self, guild: GuildId) -> Result<Tz, StoreError> {
        Ok(self
            .store
            .guild_time_zone(guild)
            .await?
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(chrono_tz::UTC))
    }

    /// Records a member's answer to a post: graded against the bank, the first answer counts.
    #[tracing::instrument(skip(self), fields(guild = %guild, post = %post, user = %user))]
    pub async fn answer(
        &self,
        guild: GuildId,
        post: PostId,
        user: UserId,
        picked: &[usize],
        now: DateTime<Utc>,
    ) -> Result<AnswerReply, ServiceError> {
        let Some(stored) = self.store.post(guild, post).await? else {
            return Err(UserError::UnknownPost.into());
        };
        let question = self
            .bank
            .get(&stored.question_id)
            .cloned()
            .ok_or(UserError::UnknownQuestion)?;
        let mut picked = picked.to_vec();
        picked.sort_unstable();
        picked.dedup();
        if picked.iter().any(|&i| i >= question.choices.len()) {
            return Err(UserError::NoSuchChoice.into());
        }
        if picked.len() != question.answer.count() {
            return Err(UserError::WrongPickCount {
                expected: question.answer.count(),
                picked: picked.len(),
            }
            .into());
        }
        let correct = question.is_correct(&picked);
        let answer = NewAnswer {
            post,
            user,
            choice: picked
                .iter()
                .map(|&i| letter(i).to_string())
                .collect::<Vec<_>>()
                .join(","),
            correct,
            points: if correct {
                scores::points_for(question.difficulty)
            } else {
                0
            },
            at: now,
        };
        let zone = self.guild_zone(guild).await?;
        let outcome = self
            .store
            .record_answer(guild, &answer, &PeriodKeys::at(now, zone))
            .await?;
        Ok(AnswerReply { outcome, question })
    }

    /// A leaderboard page for the period containing `now` in the server's zone.
    pub async fn leaderboard(
        &self,
        guild: GuildId,
        scope: Scope,
        period: Period,
        page: u32,
        me: UserId,
        now: DateTime<Utc>,
    ) -> Result<Leaderboard, StoreError> {
        self.leaderboard_of_kind(guild, scope, period, None, page, me, now)
            .await
    }

    /// A leaderboard page of one kind of points (daily questions or quizzes); `None`: both.
    #[allow(clippy::too_many_arguments)]
    pub async fn leaderboard_of_kind(
        &self,
        guild: GuildId,
        scope: Scope,
        period: Period,
        kind: Option<crate::store::PostKind>,
        page: u32,
        me: UserId,
        now: DateTime<Utc>,
    ) -> Result<Leaderboard, StoreError> {
        let zone = self.guild_zone(guild).await?;
        self.store
            .leaderboard_of_kind(
                guild,
                scope,
                &period.key(now, zone),
                kind,
                page,
                PAGE_SIZE,
                Some(me),
            )
            .await
    }

    /// Study groups ranked by their members' average points.
    pub async fn group_standings(
        &self,
        guild: GuildId,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Vec<GroupStanding>, StoreError> {
        let zone = self.guild_zone(guild).await?;
        self.store
            .group_standings(guild, &period.key(now, zone), MIN_GROUP_MEMBERS)
            .await
    }

    /// A member's record in a server; streaks are the best over the server's channels.
    pub async fn stats(&self, guild: GuildId, user: UserId) -> Result<Stats, StoreError> {
        let (answered, correct, points) = self.store.totals(guild, user).await?;
        let by_topic = self.store.topic_stats(guild, user).await?;
        let daily = self.store.daily_results(guild, user).await?;
        let (mut current, mut best) = (0, 0);
        let mut start = 0;
        while start < daily.len() {
            let channel = daily[start].0;
            let end = daily[start..]
                .iter()
                .position(|(c, _)| *c != channel)
                .map_or(daily.len(), |i| start + i);
            let results: Vec<_> = daily[start..end].iter().map(|(_, r)| r.clone()).collect();
            let (c, b) = scores::streaks(&results);
            current = current.max(c);
            best = best.max(b);
            start = end;
        }
        Ok(Stats {
            answered,
            correct,
            points,
            by_topic,
            current_streak: current,
            best_streak: best,
        })
    }
}

/// What an admin asks for with `/daily set`.
#[derive(Debug, Clone, Default)]
pub struct DailyRequest {
    pub channel: u64,
    /// `09:30`.
    pub time: String,
    /// IANA zone; default the server's zone.
    pub zone: Option<String>,
    /// `mon,wed,fri`; default every day.
    pub days: Option<String>,
    pub topic: Option<String>,
    pub exam: Option<String>,
    /// Hours answers are taken; default until the next question, at most 24.
    pub window_hours: Option<u32>,
    pub mention: Option<RoleId>,
}

impl Study {
    /// Creates or replaces a channel's daily question; the first post is the next time the
    /// local time comes round.
    pub async fn set_daily(
        &self,
        guild: GuildId,
        req: &DailyRequest,
        now: DateTime<Utc>,
    ) -> Result<DailySchedule, ServiceError> {
        let time = parse_local_time(&req.time).map_err(UserError::from)?;
        let zone = match &req.zone {
            Some(z) => parse_zone(z).map_err(UserError::from)?,
            None => self.guild_zone(guild).await?,
        };
        let days = match &req.days {
            Some(d) => Weekdays::parse(d).map_err(UserError::from)?,
            None => Weekdays::EVERY_DAY,
        };
        if let Some(topic) = &req.topic
            && !self.bank.topic_counts().contains_key(topic)
        {
            return Err(UserError::UnknownTopic(topic.clone()).into());
        }
        if let Some(exam) = &req.exam
            && !self.bank.exam_counts().contains_key(exam)
        {
            return Err(UserError::UnknownExam(exam.clone()).into());
        }
        if req.window_hours.is_some_and(|h| h > 24) {
            return Err(UserError::WindowTooLong.into());
        }
        let channel = ChannelId(req.channel);
        // Keep a channel's seed when its schedule changes, so its order stays its own.
        let seed = match self.store.schedule(guild, channel).await? {
            Some(old) => old.seed,
            None => rand::random::<u64>() >> 1,
        };
        let mut s = DailySchedule::new(guild, channel, time, zone, seed);
        s.days = days;
        s.topics = req.topic.iter().cloned().collect();
        s.exams = req.exam.iter().cloned().collect();
        s.window = req.window_hours.map(|h| Duration::hours(i64::from(h)));
        s.mention = req.mention;
        s.next = next_slot(&s, now).map(|x| (x.local_date, x.due_at));
        self.store.upsert_schedule(&s).await?;
        Ok(s)
    }

    /// Stops posting in a channel until resumed.
    pub async fn pause_daily(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<(), ServiceError> {
        self.store
            .schedule(guild, channel)
            .await?
            .ok_or(UserError::NoSchedule)?;
        self.store
            .set_schedule_state(guild, channel, true, Some("paused by an admin"))
            .await?;
        Ok(())
    }

    /// Resumes a paused (or stopped) schedule from the next time its local time comes round.
    pub async fn resume_daily(
        &self,
        guild: GuildId,
        channel: ChannelId,
        now: DateTime<Utc>,
    ) -> Result<DailySchedule, ServiceError> {
        let mut s = self
            .store
            .schedule(guild, channel)
            .await?
            .ok_or(UserError::NoSchedule)?;
        s.enabled = true;
        s.paused_reason = None;
        s.next = next_slot(&s, now).map(|x| (x.local_date, x.due_at));
        self.store.upsert_schedule(&s).await?;
        Ok(s)
    }

    /// Brings today's daily question forward to `now`, if today's has not been posted yet
    /// (the scheduler posts it on its next tick). Returns `Err(next due)` when it already was.
    pub async fn daily_now(
        &self,
        guild: GuildId,
        channel: ChannelId,
        now: DateTime<Utc>,
    ) -> Result<Result<(), Option<DateTime<Utc>>>, ServiceError> {
        let s = self
            .store
            .schedule(guild, channel)
            .await?
            .ok_or(UserError::NoSchedule)?;
        if !s.enabled || s.paused_reason.is_some() {
            return Err(UserError::DailyPaused.into());
        }
        let today = now.with_timezone(&s.zone).date_naive();
        match s.next {
            Some((date, _)) if date <= today => {
                self.store
                    .set_next_slot(guild, channel, Some(date), Some((date, now)))
                    .await?;
                Ok(Ok(()))
            }
            next => Ok(Err(next.map(|(_, at)| at))),
        }
    }

    /// Removes a channel's daily question.
    pub async fn remove_daily(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<(), ServiceError> {
        if self.store.remove_schedule(guild, channel).await? {
            Ok(())
        } else {
            Err(UserError::NoSchedule.into())
        }
    }

    /// Every schedule of a server, with its next post and any problem.
    pub async fn daily_status(&self, guild: GuildId) -> Result<Vec<DailySchedule>, ServiceError> {
        Ok(self.store.schedules(guild).await?)
    }

    /// Deletes a member's data in one server, or everywhere.
    pub async fn forget_me(&self, user: UserId, guild: Option<GuildId>) -> Result<u64, StoreError> {
        self.store.delete_user_data(user, guild).await
    }

    /// Deletes the data of servers the bot left more than `grace` ago.
    pub async fn forget_left_guilds(
        &self,
        now: DateTime<Utc>,
        grace: Duration,
    ) -> Result<Vec<GuildId>, StoreError> {
        self.store.forget_guilds_left_before(now - grace).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ChannelId;
    use crate::notes::NoteFile;
    use crate::store::{NewPost, PostKind};
    use chrono::TimeZone;

    const BANK: &str = r#"
[[question]]
id = "sqs-001"
topic = "sqs"
exams = ["DVA-C02"]
difficulty = "medium"
prompt = "Default visibility timeout?"
choices = ["30 seconds", "1 minute", "12 hours"]
answer = "A"
explanation = "30 seconds by default."
source = "sqs.md#sqs"

[[question]]
id = "sqs-002"
topic = "sqs"
exams = ["DVA-C02"]
difficulty = "hard"
prompt = "Which two raise throughput?"
choices = ["Batching", "Long polling", "More consumers", "A smaller queue"]
answer = ["A", "C"]
explanation = "Batch and scale out."
source = "sqs.md#sqs"
"#;

    async fn study() -> (Study, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sqs.toml"), BANK).unwrap();
        let notes = vec![NoteFile {
            root: "notes".into(),
            file: "sqs.md".into(),
            front_matter: Default::default(),
            anchors: vec!["sqs".into()],
            anchor_lines: vec![1],
            topic: "sqs".into(),
        }];
        let bank = Bank::load_valid(dir.path(), &notes).unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("s.db").display()))
            .await
            .unwrap();
        (Study::new(store, bank), dir)
    }

    async fn post(study: &Study, question: &str) -> PostId {
        study
            .store
            .create_post(&NewPost {
                guild: GuildId(1),
                channel: ChannelId(2),
                kind: PostKind::Quiz,
                question_id: question.into(),
                topic: "sqs".into(),
                local_date: None,
                posted_at: Utc::now(),
                closes_at: None,
            })
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn answers_are_graded_and_the_second_click_is_told_the_first() {
        let (study, _dir) = study().await;
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let p = post(&study, "sqs-001").await;
        let r = study
            .answer(GuildId(1), p, UserId(5), &[1], now)
            .await
            .unwrap();
        assert_eq!(r.outcome, RecordOutcome::Recorded { correct: false });
        assert_eq!(r.question.explanation, "30 seconds by default.");
        let r = study
            .answer(GuildId(1), p, UserId(5), &[0], now)
            .await
            .unwrap();
        assert_eq!(
            r.outcome,
            RecordOutcome::AlreadyAnswered {
                choice: "B".into(),
                correct: false
            }
        );
        let q = post(&study, "sqs-002").await;
        let r = study
            .answer(GuildId(1), q, UserId(6), &[2, 0], now)
            .await
            .unwrap();
        assert_eq!(r.outcome, RecordOutcome::Recorded { correct: true });
        let board = study
            .leaderboard(GuildId(1), Scope::Server, Period::Week, 0, UserId(5), now)
            .await
            .unwrap();
        assert_eq!(board.rows[0].user, UserId(6));
        assert_eq!(board.rows[0].points, 3, "hard questions are worth 3");
        assert_eq!(board.me.map(|m| m.rank), Some(2));
        let stats = study.stats(GuildId(1), UserId(6)).await.unwrap();
        assert_eq!((stats.answered, stats.correct, stats.points), (1, 1, 3));
    }

    #[tokio::test]
    async fn the_week_follows_the_servers_time_zone() {
        let (study, _dir) = study().await;
        let guild = GuildId(1);
        study
            .store
            .upsert_guild(guild, "Asia/Tokyo", Utc::now())
            .await
            .unwrap();
        let p = post(&study, "sqs-001").await;
        // Sunday 16:00 UTC is Monday 01:00 in Tokyo: the answer counts in the new week.
        let sunday_utc = Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).unwrap();
        study
            .answer(guild, p, UserId(5), &[0], sunday_utc)
            .await
            .unwrap();
        let monday = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
        let week = study
            .leaderboard(guild, Scope::Server, Period::Week, 0, UserId(5), monday)
            .await
            .unwrap();
        assert_eq!(week.rows.len(), 1);
        let earlier = Utc.with_ymd_and_hms(2026, 11, 22, 14, 0, 0).unwrap();
        let last_week = study
            .leaderboard(guild, Scope::Server, Period::Week, 0, UserId(5), earlier)
            .await
            .unwrap();
        assert!(
            last_week.rows.is_empty(),
            "Sunday 23:00 in Tokyo is still the old week"
        );
    }

    #[tokio::test]
    async fn an_admin_sets_pauses_resumes_and_removes_a_daily_question() {
        let (study, _dir) = study().await;
        let guild = GuildId(1);
        study
            .store
            .upsert_guild(guild, "Europe/Berlin", Utc::now())
            .await
            .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        let req = DailyRequest {
            channel: 5,
            time: "09:00".into(),
            ..Default::default()
        };
        let s = study.set_daily(guild, &req, now).await.unwrap();
        assert_eq!(
            s.zone,
            chrono_tz::Europe::Berlin,
            "the server's zone by default"
        );
        // 10:00 UTC is 11:00 in Berlin: the next 09:00 is tomorrow, 08:00 UTC.
        assert_eq!(
            s.next.unwrap().1,
            Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap()
        );
        study.pause_daily(guild, ChannelId(5)).await.unwrap();
        let status = study.daily_status(guild).await.unwrap();
        assert_eq!(
            status[0].paused_reason.as_deref(),
            Some("paused by an admin")
        );
        let later = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let s = study
            .resume_daily(guild, ChannelId(5), later)
            .await
            .unwrap();
        assert_eq!(s.paused_reason, None);
        assert_eq!(
            s.next.unwrap().0,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        );
        // Changing the time keeps the channel's seed.
        let again = study
            .set_daily(
                guild,
                &DailyRequest {
                    time: "18:30".into(),
                    ..req.clone()
                },
                later,
            )
            .await
            .unwrap();
        assert_eq!(again.seed, s.seed);
        study.remove_daily(guild, ChannelId(5)).await.unwrap();
        assert!(study.daily_status(guild).await.unwrap().is_empty());
        assert!(matches!(
            study.remove_daily(guild, ChannelId(5)).await,
            Err(ServiceError::User(UserError::NoSchedule))
        ));
    }

    #[tokio::test]
    async fn bad_schedule_input_is_refused_with_a_message_to_act_on() {
        let (study, _dir) = study().await;
        let now = Utc::now();
        let bad = |f: fn(&mut DailyRequest)| {
            let mut r = DailyRequest {
                channel: 5,
                time: "09:00".into(),
                ..Default::default()
            };
            f(&mut r);
            r
        };
        let cases: Vec<(DailyRequest, &str)> = vec![
            (bad(|r| r.time = "9am".into()), "HH:MM"),
            (bad(|r| r.zone = Some("Berlin".into())), "IANA"),
            (bad(|r| r.days = Some("funday".into())), "mon,wed,fri"),
            (
                bad(|r| r.topic = Some("kinesys".into())),
                "no topic \"kinesys\"",
            ),
            (bad(|r| r.exam = Some("XYZ-C01".into())), "exam \"XYZ-C01\""),
            (bad(|r| r.window_hours = Some(48)), "at most 24 hours"),
        ];
        for (req, want) in cases {
            let err = study
                .set_daily(GuildId(1), &req, now)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{err} should mention {want}");
        }
        assert!(study.daily_status(GuildId(1)).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_choose_two_question_needs_two_picks_and_foreign_posts_are_refused() {
        let (study, _dir) = study().await;
        let now = Utc::now();
        let q = post(&study, "sqs-002").await;
        let err = study
            .answer(GuildId(1), q, UserId(6), &[0], now)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                ServiceError::User(UserError::WrongPickCount {
                    expected: 2,
                    picked: 1
                })
            ),
            "{err}"
        );
        let err = study
            .answer(GuildId(1), q, UserId(6), &[0, 9], now)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ServiceError::User(UserError::NoSuchChoice)),
            "{err}"
        );
        let err = study
            .answer(GuildId(99), q, UserId(6), &[0, 2], now)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ServiceError::User(UserError::UnknownPost)),
            "{err}"
        );
        assert_eq!(study.store.answer_count(q).await.unwrap(), 0);
    }
}
