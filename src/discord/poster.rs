//! Purpose: the scheduler's [`Poster`] over Discord's REST API: sends a daily question with the
//! slot's nonce (`enforce_nonce`, so a retry returns the first message instead of a second
//! one), edits it when it closes, and turns Discord's refusals into [`PostError`]s.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use tokio::sync::Mutex;

use super::ids::to_channel;
use super::render;
use crate::clock::Clock;
use crate::ops::Metrics;
use crate::schedule::{PostError, PostRequest, Poster, Reveal};

/// Posts through serenity's HTTP client.
#[derive(Clone)]
pub struct DiscordPoster {
    http: Arc<serenity::Http>,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    /// Shared with the answer-count refresher: one edit of a post at a time.
    edits: Arc<Mutex<()>>,
}

impl DiscordPoster {
    pub fn new(
        http: Arc<serenity::Http>,
        edits: Arc<Mutex<()>>,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> DiscordPoster {
        DiscordPoster {
            http,
            metrics,
            clock,
            edits,
        }
    }
}

/// The HTTP status of a refused request, if it was one.
pub fn status_of(e: &serenity::Error) -> Option<u16> {
    match e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) => {
            Some(r.status_code.as_u16())
        }
        _ => None,
    }
}

fn post_error(e: &serenity::Error) -> PostError {
    match e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) => {
            match r.status_code.as_u16() {
                403 => PostError::Forbidden(r.error.message.clone()),
                404 => PostError::NotFound,
                // serenity keeps no retry-after here; the scheduler waits at least a second.
                429 => PostError::RateLimited(1000),
                _ => PostError::Unavailable(format!("{} {}", r.status_code, r.error.message)),
            }
        }
        // A channel id that is not a valid snowflake behaves like a deleted channel.
        serenity::Error::Model(_) => PostError::NotFound,
        other => PostError::Unavailable(other.to_string()),
    }
}

impl Poster for DiscordPoster {
    async fn post_question(&self, request: &PostRequest) -> Result<u64, PostError> {
        let channel = to_channel(request.channel).ok_or(PostError::NotFound)?;
        let mut message = render::daily_question(request, 0)
            .message()
            .nonce(serenity::Nonce::String(request.nonce.clone()))
            .enforce_nonce(true);
        message = match request.mention {
            Some(role) => message.allowed_mentions(
                serenity::CreateAllowedMentions::new()
                    .roles([serenity::RoleId::new(role.0.max(1))]),
            ),
            None => message.allowed_mentions(serenity::CreateAllowedMentions::new()),
        };
        match channel.send_message(&self.http, message).await {
            Ok(m) => {
                self.metrics.post("ok");
                let lag = (self.clock.now() - request.due_at)
                    .to_std()
                    .unwrap_or_default();
                self.metrics.scheduler_lag(lag);
                Ok(m.id.get())
            }
            Err(e) => {
                let e = post_error(&e);
                self.metrics.post(match e {
                    PostError::Forbidden(_) => "forbidden",
                    PostError::NotFound => "not_found",
                    PostError::RateLimited(_) => "rate_limited",
                    PostError::Unavailable(_) => "unavailable",
                });
                Err(e)
            }
        }
    }

    async fn reveal(&self, reveal: &Reveal) -> Result<(), PostError> {
        let channel = to_channel(reveal.channel).ok_or(PostError::NotFound)?;
        let Some(message) = reveal.message_id.filter(|m| *m != 0) else {
            return Ok(()); // never posted: nothing to edit
        };
        let _edit = self.edits.lock().await;
        channel
            .edit_message(
                &self.http,
                serenity::MessageId::new(message),
                render::reveal(reveal).edit(),
            )
            .await
            .map(|_| ())
            .map_err(|e| post_error(&e))
    }
}
