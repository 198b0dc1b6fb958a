//! Purpose: the servers the bot is in: remembered when it joins (keeping a time zone already
//! set), marked when it leaves, and their data deleted after a grace period.

use chrono::{DateTime, Duration, Utc};

use super::Study;
use crate::ids::GuildId;
use crate::store::StoreError;

impl Study {
    /// The bot is in `guild` (joined, or seen again at start).
    pub async fn joined_guild(&self, guild: GuildId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let zone = self.store.guild_time_zone(guild).await?;
        self.store
            .upsert_guild(guild, zone.as_deref().unwrap_or("UTC"), now)
            .await
    }

    /// The bot was removed from `guild`; its data is kept for the grace period.
    pub async fn left_guild(&self, guild: GuildId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.store.mark_guild_left(guild, now).await
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
