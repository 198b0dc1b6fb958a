//! Purpose: an admin's daily question for a channel: set it (time, zone, days, filters,
//! window, role to mention), pause, resume, bring today's forward, remove, and list them.
//! Input is parsed into domain types once, with a message a person can act on.

use chrono::{DateTime, Duration, Utc};

use super::{ServiceError, Study, UserError};
use crate::ids::{ChannelId, GuildId, RoleId};
use crate::schedule::{DailySchedule, Weekdays, next_slot, parse_local_time, parse_zone};

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
            && !self.content().bank.topic_counts().contains_key(topic)
        {
            return Err(UserError::UnknownTopic(topic.clone()).into());
        }
        if let Some(exam) = &req.exam
            && !self.content().bank.exam_counts().contains_key(exam)
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
}
