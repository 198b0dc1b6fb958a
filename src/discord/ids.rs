//! Purpose: serenity ids ⇄ the domain's ids, converted once at the edge.

use poise::serenity_prelude as serenity;

use crate::ids::{ChannelId, GuildId, RoleId, UserId};

pub fn guild(id: serenity::GuildId) -> GuildId {
    GuildId(id.get())
}

pub fn channel(id: serenity::ChannelId) -> ChannelId {
    ChannelId(id.get())
}

pub fn user(id: serenity::UserId) -> UserId {
    UserId(id.get())
}

pub fn role(id: serenity::RoleId) -> RoleId {
    RoleId(id.get())
}

/// A domain channel id as serenity's; `None` for 0, which Discord never uses.
pub fn to_channel(id: ChannelId) -> Option<serenity::ChannelId> {
    (id.0 != 0).then(|| serenity::ChannelId::new(id.0))
}
