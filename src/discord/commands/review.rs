//! Purpose: `/review` (a member's private spaced-repetition queue, and the daily reminder
//! switch) and `/review-settings` (a server's desired retention and new questions a day).

use super::topic_autocomplete;
use crate::discord::{Context, Error, ids, perms, render};
use crate::service::review::ReviewFilter;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum OnOff {
    #[name = "on"]
    On,
    #[name = "off"]
    Off,
}

/// Your private review queue: what is due, then new questions from your weakest topics
#[poise::command(slash_command, guild_only, ephemeral)]
pub async fn review(
    ctx: Context<'_>,
    #[description = "Only this topic"]
    #[autocomplete = "topic_autocomplete"]
    topic: Option<String>,
    #[description = "Only questions for this exam"]
    #[autocomplete = "super::daily::exam_autocomplete"]
    exam: Option<String>,
    #[description = "A daily message when reviews are due (off by default)"] remind: Option<OnOff>,
) -> Result<(), Error> {
    let guild = ctx
        .guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Reviews belong to a server: use this in one."))?;
    let app = ctx.data();
    let user = ids::user(ctx.author().id);
    let now = app.clock.now();
    if let Some(r) = remind {
        let on = matches!(r, OnOff::On);
        app.study.set_review_reminder(guild, user, on).await?;
        let text = if on {
            "Reminders on: once a day, when reviews are due, I send you a message. `/review remind: off` stops them."
        } else {
            "Reminders off."
        };
        ctx.send(render::ephemeral(text)).await?;
        return Ok(());
    }
    let filter = ReviewFilter { topic, exam };
    let next = app.study.next_review(guild, user, &filter, now).await?;
    ctx.send(render::review_next(user.0, &next, &filter, now).reply(true))
        .await?;
    Ok(())
}

/// How this server's reviews are scheduled (Manage Server)
#[poise::command(
    slash_command,
    guild_only,
    rename = "review-settings",
    default_member_permissions = "MANAGE_GUILD"
)]
pub async fn review_settings(
    ctx: Context<'_>,
    #[description = "Desired retention, 0.70 to 0.97 (default 0.9): higher means more reviews"]
    retention: Option<f64>,
    #[description = "New questions a member gets a day (default 10)"]
    #[min = 0]
    #[max = 100]
    new_per_day: Option<i64>,
) -> Result<(), Error> {
    perms::require_manage_guild_to(ctx, "change review settings")?;
    let guild = ctx
        .guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Use this in a server."))?;
    let s = ctx
        .data()
        .study
        .set_review_settings(guild, retention, new_per_day)
        .await?;
    ctx.send(render::ephemeral(&format!(
        "Reviews here: desired retention {:.2}, {} new question(s) a day.",
        s.desired_retention, s.new_per_day
    )))
    .await?;
    Ok(())
}
