//! Purpose: sends the daily "reviews due" direct message to members who asked for it. Who gets
//! one and when is the review use case's (`Study::due_reminders`: once a day, from 09:00 in the
//! server's zone, only when something is due, claimed so several processes send it once);
//! this loop only delivers it.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use tokio::sync::watch;

use super::Data;

/// Every `interval`, sends the reminders that are due.
pub(crate) async fn run(
    app: Data,
    http: Arc<serenity::Http>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
        }
        let due = match app.study.due_reminders(app.clock.now()).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the review reminders");
                continue;
            }
        };
        for (guild, user, count) in due {
            let text = format!(
                "📚 {count} review{} due in your study server: run `/review` there to go through {}. \
                 (Stop these with `/review remind: off`.) https://discord.com/channels/{}",
                if count == 1 { "" } else { "s" },
                if count == 1 { "it" } else { "them" },
                guild.0
            );
            let message = serenity::CreateMessage::new().content(text);
            let Some(to) = std::num::NonZeroU64::new(user.0).map(serenity::UserId::from) else {
                continue;
            };
            // A member with DMs closed gets nothing; that is theirs to change, so it is logged.
            if let Err(e) = to.direct_message(&http, message).await {
                tracing::info!(%guild, %user, error = %e, "could not send a review reminder");
            }
        }
    }
}
