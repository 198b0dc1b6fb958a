//! Purpose: `/daily` — set up, pause, resume, remove, inspect and trigger a channel's daily
//! question. Admins only (Manage Server), and every reply is private.

use poise::serenity_prelude as serenity;

use super::topic_autocomplete;
use crate::discord::render::{self, View};
use crate::discord::{Context, Error, ids, perms};
use crate::service::DailyRequest;

/// Daily questions in a channel (admins)
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("set", "pause", "resume", "remove", "status", "now"),
    subcommand_required
)]
pub async fn daily(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

fn guild_of(ctx: Context<'_>) -> Result<crate::ids::GuildId, Error> {
    ctx.guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("This works only in a server."))
}

async fn reply(ctx: Context<'_>, view: View) -> Result<(), Error> {
    ctx.send(view.reply(true)).await?;
    Ok(())
}

/// Refuses, naming what is missing, unless the bot can view, send and embed in `channel`.
async fn ensure_bot_can_post(
    ctx: Context<'_>,
    channel: serenity::ChannelId,
    then: &str,
) -> Result<(), Error> {
    let Some(guild_id) = ctx.guild_id() else {
        return Err(Error::user("This works only in a server."));
    };
    let missing = perms::bot_missing_in(ctx.serenity_context(), guild_id, channel).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::user(format!(
        "I can't post in <#{channel}>: I am missing {} there. Give my role {} in the channel's settings, then run `{then}` again.",
        missing.join(", "),
        if missing.len() == 1 {
            "that permission"
        } else {
            "those permissions"
        }
    )))
}

/// Time zones matching what was typed, for autocomplete.
async fn zone_autocomplete(_: Context<'_>, partial: &str) -> Vec<String> {
    let partial = partial.trim().to_lowercase().replace(' ', "_");
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| n.to_lowercase().contains(&partial))
        .take(25)
        .map(str::to_string)
        .collect()
}

pub(super) async fn exam_autocomplete(ctx: Context<'_>, partial: &str) -> Vec<String> {
    let partial = partial.trim().to_uppercase();
    ctx.data()
        .study
        .content()
        .bank
        .exam_counts()
        .into_keys()
        .filter(|e| e.contains(&partial))
        .take(25)
        .collect()
}

/// Post a question in a channel every day at a local time
#[poise::command(slash_command, guild_only)]
#[allow(clippy::too_many_arguments)] // one per command option
pub async fn set(
    ctx: Context<'_>,
    #[description = "Where to post"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
    #[description = "Local time, e.g. 09:00 or 7:30pm"] time: String,
    #[description = "IANA time zone, e.g. Europe/Berlin (default: the server's, else UTC)"]
    #[autocomplete = "zone_autocomplete"]
    timezone: Option<String>,
    #[description = "Days, e.g. mon-fri or mon,wed,fri (default: every day)"] days: Option<String>,
    #[description = "Only questions of this topic"]
    #[autocomplete = "topic_autocomplete"]
    topic: Option<String>,
    #[description = "Only questions for this exam, e.g. SAA-C03"]
    #[autocomplete = "exam_autocomplete"]
    exam: Option<String>,
    #[description = "A role to mention with each question"] mention: Option<serenity::RoleId>,
    #[description = "Hours answers are taken (default: until the next question; at most 24)"]
    #[min = 1]
    #[max = 24]
    hours: Option<u32>,
) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    ensure_bot_can_post(ctx, channel, "/daily set").await?;
    let request = DailyRequest {
        channel: channel.get(),
        time,
        zone: timezone,
        days,
        topic,
        exam,
        window_hours: hours,
        mention: mention.map(ids::role),
    };
    let app = ctx.data();
    let s = app
        .study
        .set_daily(guild, &request, app.clock.now())
        .await?;
    let next = match s.next {
        Some((_, at)) => format!(
            "The first one comes {} ({}).",
            render::relative(at),
            render::full_time(at)
        ),
        None => "No day is selected, so nothing will be posted.".into(),
    };
    tracing::info!(%guild, channel = %channel, by = %ctx.author().id, "daily question set");
    reply(
        ctx,
        View::text(&format!(
            "Daily question set for <#{channel}>: {} {}, {}. {next}",
            s.local_time.format("%H:%M"),
            s.zone.name(),
            s.days
        )),
    )
    .await
}

/// Stop posting in a channel until resumed
#[poise::command(slash_command, guild_only)]
pub async fn pause(
    ctx: Context<'_>,
    #[description = "The channel"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    ctx.data()
        .study
        .pause_daily(guild, ids::channel(channel))
        .await?;
    reply(
        ctx,
        View::text(&format!(
            "Paused the daily question in <#{channel}>. `/daily resume` starts it again."
        )),
    )
    .await
}

/// Start posting again in a paused channel
#[poise::command(slash_command, guild_only)]
pub async fn resume(
    ctx: Context<'_>,
    #[description = "The channel"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    ensure_bot_can_post(ctx, channel, "/daily resume").await?;
    let app = ctx.data();
    let s = app
        .study
        .resume_daily(guild, ids::channel(channel), app.clock.now())
        .await?;
    let next = s.next.map_or("no day is selected".to_string(), |(_, at)| {
        format!("next post {}", render::relative(at))
    });
    reply(
        ctx,
        View::text(&format!(
            "Resumed the daily question in <#{channel}>: {next}."
        )),
    )
    .await
}

/// Remove a channel's daily question
#[poise::command(slash_command, guild_only)]
pub async fn remove(
    ctx: Context<'_>,
    #[description = "The channel"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    ctx.data()
        .study
        .remove_daily(guild, ids::channel(channel))
        .await?;
    reply(
        ctx,
        View::text(&format!(
            "Removed the daily question of <#{channel}>. Scores are kept."
        )),
    )
    .await
}

/// Show every channel's daily question, its next post and any problem
#[poise::command(slash_command, guild_only)]
pub async fn status(ctx: Context<'_>) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    let schedules = ctx.data().study.daily_status(guild).await?;
    reply(ctx, render::daily_status(&schedules)).await
}

/// Post today's question now instead of at its time
#[poise::command(slash_command, guild_only)]
pub async fn now(
    ctx: Context<'_>,
    #[description = "The channel"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
) -> Result<(), Error> {
    perms::require_manage_guild(ctx)?;
    let guild = guild_of(ctx)?;
    let app = ctx.data();
    let text = match app
        .study
        .daily_now(guild, ids::channel(channel), app.clock.now())
        .await?
    {
        Ok(()) => format!("Posting today's question in <#{channel}> now."),
        Err(Some(next)) => format!(
            "Today's question is already posted in <#{channel}>; the next one comes {}.",
            render::relative(next)
        ),
        Err(None) => format!("<#{channel}> has no next post (no day is selected)."),
    };
    reply(ctx, View::text(&text)).await
}
