//! Purpose: button and menu clicks. A click carries a `custom_id` this module wrote
//! ([`CustomId`]); anything else, or a post from another server, is refused politely and
//! changes nothing. Answer counts on daily posts are refreshed in batches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse};
use tokio::sync::{Mutex, watch};

use super::render::{self, View};
use super::{Data, Error, GENERIC_FAILURE, commands, ids};
use crate::ids::{PostId, RoleId};
use crate::ops::Outcome;
use crate::scores::{self, Period, RecordOutcome};
use crate::service::{AnswerReply, ServiceError};
use crate::store::PostKind;

/// Discord's limit on a `custom_id`.
const MAX_CUSTOM_ID: usize = 100;

/// Whose leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaderboardScope {
    Server,
    Channel(u64),
    Group(u64),
}

impl LeaderboardScope {
    pub fn to_scope(&self) -> scores::Scope {
        match self {
            LeaderboardScope::Server => scores::Scope::Server,
            LeaderboardScope::Channel(c) => scores::Scope::Channel(crate::ids::ChannelId(*c)),
            LeaderboardScope::Group(r) => scores::Scope::Group(RoleId(*r)),
        }
    }
}

/// What a button or menu does. Encoded in its `custom_id` (at most 100 characters), so a click
/// can be handled by any process, also after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomId {
    /// `a:<post>:<choice>` for a button; `a:<post>` for a menu (the picks come as values).
    Answer { post: PostId, choice: Option<usize> },
    /// `n:<question id>`: show the notes a question cites.
    Notes { question: String },
    /// `k:<offset>:<topic>:<query>`: a page of `/ask` results.
    AskPage {
        offset: usize,
        topic: Option<String>,
        query: String,
    },
    /// `l:<s|c123|g456>:<w|m|a>:<page>`.
    Leaderboard {
        scope: LeaderboardScope,
        period: Period,
        page: u32,
        kind: Option<PostKind>,
    },
    /// `f:<y|n>:<user>`: confirm or cancel `/forget-me`.
    Forget { confirm: bool, user: u64 },
}

impl CustomId {
    /// The `custom_id`, or `None` when it would be longer than Discord allows.
    pub fn encode(&self) -> Option<String> {
        let s = match self {
            CustomId::Answer {
                post,
                choice: Some(c),
            } => format!("a:{}:{c}", post.0),
            CustomId::Answer { post, choice: None } => format!("a:{}", post.0),
            CustomId::Notes { question } => format!("n:{question}"),
            CustomId::AskPage {
                offset,
                topic,
                query,
            } => {
                format!("k:{offset}:{}:{query}", topic.as_deref().unwrap_or(""))
            }
            CustomId::Leaderboard {
                scope,
                period,
                page,
                kind,
            } => {
                let scope = match scope {
                    LeaderboardScope::Server => "s".to_string(),
                    LeaderboardScope::Channel(c) => format!("c{c}"),
                    LeaderboardScope::Group(r) => format!("g{r}"),
                };
                let period = match period {
                    Period::Week => 'w',
                    Period::Month => 'm',
                    Period::AllTime => 'a',
                };
                let kind = match kind {
                    None => "",
                    Some(PostKind::Daily) => ":d",
                    Some(PostKind::Quiz) => ":q",
                };
                format!("l:{scope}:{period}:{page}{kind}")
            }
            CustomId::Forget { confirm, user } => {
                format!("f:{}:{user}", if *confirm { 'y' } else { 'n' })
            }
        };
        (s.len() <= MAX_CUSTOM_ID).then_some(s)
    }

    /// Reads a `custom_id`; `None` for anything this bot did not write.
    pub fn decode(s: &str) -> Option<CustomId> {
        let (kind, rest) = s.split_once(':')?;
        match kind {
            "a" => {
                let (post, choice) = match rest.split_once(':') {
                    Some((p, c)) => (p, Some(c.parse().ok()?)),
                    None => (rest, None),
                };
                Some(CustomId::Answer {
                    post: PostId(post.parse().ok()?),
                    choice,
                })
            }
            "n" if !rest.is_empty() => Some(CustomId::Notes {
                question: rest.to_string(),
            }),
            "k" => {
                let mut parts = rest.splitn(3, ':');
                let offset = parts.next()?.parse().ok()?;
                let topic = parts.next()?;
                let query = parts.next()?;
                (!query.trim().is_empty()).then(|| CustomId::AskPage {
                    offset,
                    topic: (!topic.is_empty()).then(|| topic.to_string()),
                    query: query.to_string(),
                })
            }
            "l" => {
                let mut parts = rest.split(':');
                let scope = parts.next()?;
                let scope = match scope.split_at_checked(1)? {
                    ("s", "") => LeaderboardScope::Server,
                    ("c", id) => LeaderboardScope::Channel(id.parse().ok()?),
                    ("g", id) => LeaderboardScope::Group(id.parse().ok()?),
                    _ => return None,
                };
                let period = match parts.next()? {
                    "w" => Period::Week,
                    "m" => Period::Month,
                    "a" => Period::AllTime,
                    _ => return None,
                };
                let page = parts.next()?.parse().ok()?;
                let kind = match parts.next() {
                    None => None,
                    Some("d") => Some(PostKind::Daily),
                    Some("q") => Some(PostKind::Quiz),
                    Some(_) => return None,
                };
                parts.next().is_none().then_some(CustomId::Leaderboard {
                    scope,
                    period,
                    page,
                    kind,
                })
            }
            "f" => {
                let (c, user) = rest.split_once(':')?;
                let confirm = match c {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                Some(CustomId::Forget {
                    confirm,
                    user: user.parse().ok()?,
                })
            }
            _ => None,
        }
    }
}

/// Daily posts whose answer count changed since the last refresh.
#[derive(Debug, Default)]
pub(crate) struct CountUpdates {
    dirty: std::sync::Mutex<HashMap<PostId, Dirty>>,
    /// Held around every edit of a daily post (count refresh and reveal), so a stale count
    /// never overwrites the revealed answer.
    pub(crate) edits: Arc<Mutex<()>>,
}

#[derive(Debug, Clone)]
struct Dirty {
    guild: crate::ids::GuildId,
    channel: serenity::ChannelId,
    message: serenity::MessageId,
    embed: serenity::Embed,
}

impl CountUpdates {
    fn mark(&self, post: PostId, d: Dirty) {
        self.dirty
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(post, d);
    }

    fn take(&self) -> Vec<(PostId, Dirty)> {
        self.dirty
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect()
    }
}

/// Every `interval`, rewrites the footer of daily posts that got answers: one edit per post
/// however many clicks, which keeps well inside Discord's per-channel edit limit.
pub(crate) async fn refresh_counts(
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
        for (post, d) in app.counts.take() {
            let _edit = app.counts.edits.lock().await;
            let open = match app.study.store.post(d.guild, post).await {
                Ok(p) => p.is_some_and(|p| p.open),
                Err(e) => {
                    tracing::warn!(%post, error = %e, "could not read a post to refresh its answer count");
                    continue;
                }
            };
            if !open {
                continue; // closed: the reveal shows the final count
            }
            let count = match app.study.store.answer_count(post).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(%post, error = %e, "could not count answers");
                    continue;
                }
            };
            let embed = serenity::CreateEmbed::from(d.embed).footer(
                serenity::CreateEmbedFooter::new(render::answers_footer(count)),
            );
            if let Err(e) = d
                .channel
                .edit_message(&http, d.message, serenity::EditMessage::new().embed(embed))
                .await
            {
                tracing::warn!(%post, channel = %d.channel, error = %e, "could not refresh the answer count");
            }
        }
    }
}

/// Handles one click. Never fails loudly: every path answers the interaction.
pub(crate) async fn handle(
    ctx: &serenity::Context,
    app: &Data,
    click: &ComponentInteraction,
) -> Result<(), Error> {
    let Some(_busy) = app.enter() else {
        return respond(
            ctx,
            click,
            View::text("The bot is restarting; please try again in a minute."),
            true,
        )
        .await;
    };
    let started = std::time::Instant::now();
    let outcome = route(app, click).await;
    let kind = match CustomId::decode(&click.data.custom_id) {
        Some(CustomId::Answer { .. }) => "click: answer",
        Some(CustomId::Notes { .. }) => "click: notes",
        Some(CustomId::AskPage { .. }) => "click: more results",
        Some(CustomId::Leaderboard { .. }) => "click: leaderboard page",
        Some(CustomId::Forget { .. }) => "click: forget me",
        None => "click: unknown",
    };
    let (view, ephemeral, update) = match outcome {
        Ok(reply) => {
            app.metrics
                .interaction(kind, Outcome::Ok, started.elapsed());
            reply
        }
        Err(Error::User(message)) => {
            app.metrics
                .interaction(kind, Outcome::UserError, started.elapsed());
            (View::text(&message), true, false)
        }
        Err(Error::Internal(e)) => {
            app.metrics
                .interaction(kind, Outcome::Error, started.elapsed());
            tracing::error!(custom_id = %click.data.custom_id, error = ?e, "click failed");
            (View::text(GENERIC_FAILURE), true, false)
        }
    };
    if update {
        let response = CreateInteractionResponse::UpdateMessage(view.response(false));
        click.create_response(ctx, response).await?;
        Ok(())
    } else {
        respond(ctx, click, view, ephemeral).await
    }
}

async fn respond(
    ctx: &serenity::Context,
    click: &ComponentInteraction,
    view: View,
    ephemeral: bool,
) -> Result<(), Error> {
    click
        .create_response(
            ctx,
            CreateInteractionResponse::Message(view.response(ephemeral)),
        )
        .await?;
    Ok(())
}

/// (what to show, privately?, as an update of the clicked message?)
type Reply = (View, bool, bool);

async fn route(app: &Data, click: &ComponentInteraction) -> Result<Reply, Error> {
    let Some(id) = CustomId::decode(&click.data.custom_id) else {
        tracing::info!(custom_id = %click.data.custom_id, "unknown button");
        return Err(Error::user(
            "This button is out of date or not mine; nothing was recorded.",
        ));
    };
    let Some(guild) = click.guild_id else {
        return Err(Error::user("This works only in a server."));
    };
    let guild = ids::guild(guild);
    let user = ids::user(click.user.id);
    match id {
        CustomId::Answer { post, choice } => {
            let picks: Vec<usize> = match (choice, &click.data.kind) {
                (Some(c), ComponentInteractionDataKind::Button) => vec![c],
                (None, ComponentInteractionDataKind::StringSelect { values }) => values
                    .iter()
                    .map(|v| v.parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        Error::user("That choice is not on this question; nothing was recorded.")
                    })?,
                _ => {
                    return Err(Error::user(
                        "This button is out of date or not mine; nothing was recorded.",
                    ));
                }
            };
            let now = app.clock.now();
            if let Some(live) = app.quizzes.answer(guild, post, user, &picks, now).await {
                let (feedback, _question) = live?;
                app.metrics.answer_recorded();
                return Ok((
                    render::quiz_feedback(feedback.correct, feedback.points),
                    true,
                    false,
                ));
            }
            let reply = match app.study.answer(guild, post, user, &picks, now).await {
                Ok(r) => r,
                Err(ServiceError::User(e)) => return Err(e.into()),
                Err(ServiceError::Store(e)) => return Err(e.into()),
            };
            let AnswerReply { outcome, question } = reply;
            match outcome {
                RecordOutcome::Recorded { correct } => {
                    app.metrics.answer_recorded();
                    if let Some(member) = &click.member {
                        let roles: Vec<RoleId> =
                            member.roles.iter().map(|r| ids::role(*r)).collect();
                        if let Err(e) = app.study.store.set_member_roles(guild, user, &roles).await
                        {
                            tracing::warn!(error = %e, "could not record a member's roles");
                        }
                    }
                    if let Some(embed) = click.message.embeds.first() {
                        app.counts.mark(
                            post,
                            Dirty {
                                guild,
                                channel: click.channel_id,
                                message: click.message.id,
                                embed: embed.clone(),
                            },
                        );
                    }
                    let points = if correct {
                        scores::points_for(question.difficulty)
                    } else {
                        0
                    };
                    Ok((render::feedback(&question, correct, points), true, false))
                }
                RecordOutcome::AlreadyAnswered { choice, .. } => Err(Error::user(format!(
                    "You already answered {}. Only your first answer counts.",
                    choice.replace(',', ", ")
                ))),
                RecordOutcome::Closed => Err(Error::user(
                    "This question is closed; the answer is shown on the message.",
                )),
                RecordOutcome::UnknownPost => Err(Error::user(
                    "That question is not from this server; nothing was recorded.",
                )),
            }
        }
        CustomId::Notes { question } => {
            let q =
                app.study.bank.get(&question).ok_or_else(|| {
                    Error::user("That question is no longer in the question bank.")
                })?;
            let section =
                crate::notes::find_section(app.index.passages(), &q.source.file, &q.source.anchor)
                    .ok_or_else(|| {
                        Error::user(format!("The notes section {} was not found.", q.source))
                    })?;
            Ok((render::section(section), true, false))
        }
        CustomId::AskPage {
            offset,
            topic,
            query,
        } => {
            let view = commands::ask::page(
                app,
                &query,
                topic.as_deref(),
                offset,
                commands::ask::PER_PAGE,
            )
            .await?;
            Ok((view, true, false))
        }
        CustomId::Leaderboard {
            scope,
            period,
            page,
            kind,
        } => {
            let view =
                commands::scores::leaderboard_page(app, guild, user, &scope, period, kind, page)
                    .await?;
            Ok((view, true, false))
        }
        CustomId::Forget {
            confirm,
            user: owner,
        } => {
            if owner != user.0 {
                return Err(Error::user(
                    "This button belongs to someone else's /forget-me.",
                ));
            }
            if !confirm {
                return Ok((View::text("Nothing was deleted."), true, true));
            }
            let deleted = app.study.forget_me(user, Some(guild)).await?;
            tracing::info!(%guild, deleted, "member data deleted on request");
            Ok((
                View::text(&format!(
                    "Done: your {deleted} answer(s) and scores in this server are deleted."
                )),
                true,
                true,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_custom_id_reads_back_as_written() {
        let ids = [
            CustomId::Answer {
                post: PostId(42),
                choice: Some(3),
            },
            CustomId::Answer {
                post: PostId(7),
                choice: None,
            },
            CustomId::Notes {
                question: "kinesis-007".into(),
            },
            CustomId::AskPage {
                offset: 5,
                topic: Some("kinesis".into()),
                query: "fan out: how?".into(),
            },
            CustomId::AskPage {
                offset: 0,
                topic: None,
                query: "sqs fifo".into(),
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Group(99),
                period: Period::Month,
                page: 2,
                kind: Some(PostKind::Quiz),
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Server,
                period: Period::AllTime,
                page: 0,
                kind: None,
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Channel(5),
                period: Period::Week,
                page: 1,
                kind: Some(PostKind::Daily),
            },
            CustomId::Forget {
                confirm: true,
                user: 12,
            },
        ];
        for id in ids {
            let s = id.encode().unwrap();
            assert_eq!(CustomId::decode(&s), Some(id), "{s}");
        }
    }

    #[test]
    fn foreign_or_broken_custom_ids_are_not_mine() {
        for s in [
            "",
            "x",
            "a:",
            "a:abc",
            "a:1:z",
            "l:s:w",
            "l:q:w:1",
            "l:s:w:1:2",
            "f:maybe:1",
            "k:1::",
            "n:",
            "poll:3",
        ] {
            assert_eq!(CustomId::decode(s), None, "{s}");
        }
    }

    #[test]
    fn a_query_too_long_for_a_custom_id_gets_no_button() {
        let id = CustomId::AskPage {
            offset: 0,
            topic: None,
            query: "x".repeat(120),
        };
        assert_eq!(id.encode(), None);
    }
}
