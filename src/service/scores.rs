//! Purpose: what members see of their scores: leaderboards (server, channel, study group;
//! week, month, all time; daily questions, live quizzes or both), study-group standings,
//! personal stats with streaks; and deleting a member's data or that of servers the bot left.

use chrono::{DateTime, Utc};

use super::Study;
use crate::ids::{GuildId, UserId};
use crate::scores::{self, GroupStanding, Leaderboard, Period, Scope, Stats};
use crate::store::{PostKind, StoreError};

/// Leaderboard lines per page.
pub const PAGE_SIZE: u32 = 10;
/// A study group needs this many members to be ranked.
pub const MIN_GROUP_MEMBERS: i64 = 2;

impl Study {
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
        kind: Option<PostKind>,
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

    /// Deletes a member's data in one server, or everywhere.
    pub async fn forget_me(&self, user: UserId, guild: Option<GuildId>) -> Result<u64, StoreError> {
        self.store.delete_user_data(user, guild).await
    }
}
