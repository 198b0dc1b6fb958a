//! Purpose: permission checks. Who may change a server's settings (Manage Server), and whether
//! the bot itself can post in a channel (View Channel, Send Messages, Embed Links), with the
//! missing ones named.

use poise::serenity_prelude as serenity;
use serenity::Permissions;

use super::{Context, Error};

/// What the bot needs in a channel that gets daily questions.
const NEEDED: [(Permissions, &str); 3] = [
    (Permissions::VIEW_CHANNEL, "View Channel"),
    (Permissions::SEND_MESSAGES, "Send Messages"),
    (Permissions::EMBED_LINKS, "Embed Links"),
];

/// Refuses unless the member has Manage Server (or Administrator) here. Discord sends the
/// member's computed permissions with every interaction; that is what is checked, so the
/// command's `default_member_permissions` being changed by an admin cannot open it up.
pub fn require_manage_guild(ctx: Context<'_>) -> Result<(), Error> {
    require_manage_guild_to(ctx, "change daily questions")
}

/// [`require_manage_guild`], saying what the member tried (`"see reports"`).
pub fn require_manage_guild_to(ctx: Context<'_>, what: &str) -> Result<(), Error> {
    let member = match ctx {
        poise::Context::Application(a) => a.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    if member_manages_guild(member) {
        Ok(())
    } else {
        Err(Error::user(format!(
            "Only members with the Manage Server permission can {what}."
        )))
    }
}

/// Whether a member, as Discord describes them with an interaction, has Manage Server (or
/// Administrator) here. A click carries the same computed permissions as a command.
pub fn member_manages_guild(member: Option<&serenity::Member>) -> bool {
    member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator())
}

/// The permissions the bot lacks in `channel`, by name; empty when it can post there.
pub async fn bot_missing_in(
    ctx: &serenity::Context,
    guild: serenity::GuildId,
    channel: serenity::ChannelId,
) -> Result<Vec<&'static str>, Error> {
    let me = ctx.cache.current_user().id;
    // From the cache when it has everything (the bot keeps no server cache, see
    // `discord::start`; kept for a client built with one); else ask Discord.
    let cached = ctx.cache.guild(guild).and_then(|g| {
        let channel = g.channels.get(&channel)?;
        let member = g.members.get(&me)?;
        Some(g.user_permissions_in(channel, member))
    });
    let have = match cached {
        Some(p) => p,
        None => {
            let partial = guild.to_partial_guild(ctx).await?;
            let channel = match channel.to_channel(ctx).await?.guild() {
                Some(c) if c.guild_id == guild => c,
                _ => {
                    return Err(Error::user(
                        "That channel is not a text channel of this server.",
                    ));
                }
            };
            let member = guild.member(ctx, me).await?;
            partial.user_permissions_in(&channel, &member)
        }
    };
    Ok(missing(have))
}

fn missing(have: Permissions) -> Vec<&'static str> {
    if have.administrator() {
        return Vec::new();
    }
    NEEDED
        .iter()
        .filter(|(p, _)| !have.contains(*p))
        .map(|(_, name)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_permissions_are_named() {
        assert_eq!(
            missing(Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES),
            ["Embed Links"]
        );
        assert_eq!(
            missing(Permissions::empty()),
            ["View Channel", "Send Messages", "Embed Links"]
        );
        assert!(missing(Permissions::ADMINISTRATOR).is_empty());
    }
}
