//! Purpose: button and menu clicks. A click carries a `custom_id` the bot wrote
//! ([`CustomId`]); anything else, or a post from another server, is refused politely and
//! changes nothing. Each click is translated into one use-case call and its reply rendered;
//! the rules (grading, points, who may do what) live in `crate::service`. Answer counts on
//! daily posts are refreshed in batches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ComponentInteraction, ComponentInteractionDataKind, CreateInteractionResponse};
use tokio::sync::{Mutex, watch};

use super::custom_id::{CustomId, ExamOp};
use super::exam_view;
use super::render::{self, View};
use super::{Data, Error, GENERIC_FAILURE, ids, pages, perms};
use crate::ids::{PostId, RoleId};
use crate::ops::Outcome;
use crate::scores::RecordOutcome;
use crate::service::exam::ExamAction;
use crate::service::reports::ReportReason;
use crate::service::review::ReviewFilter;

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
            let count = match app.study.open_answer_count(d.guild, post).await {
                Ok(Some(n)) => n,
                Ok(None) => continue, // closed: the reveal shows the final count
                Err(e) => {
                    tracing::warn!(%post, error = %e, "could not count a post's answers");
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
        Some(CustomId::Report { .. } | CustomId::ReportReason { .. }) => "click: report",
        Some(CustomId::CloseReports { .. }) => "click: close reports",
        Some(CustomId::Review { .. } | CustomId::ReviewNext { .. }) => "click: review",
        Some(CustomId::Exam { .. }) => "click: exam",
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
        return Err(Error::user(OUT_OF_DATE));
    };
    let Some(guild) = click.guild_id else {
        return Err(Error::user("This works only in a server."));
    };
    let guild = ids::guild(guild);
    let user = ids::user(click.user.id);
    match id {
        CustomId::Answer { post, choice } => answer(app, click, post, choice).await,
        CustomId::Notes { question } => {
            let section = app.study.notes_for_question(&question)?;
            Ok((render::section(&section), true, false))
        }
        CustomId::AskPage {
            offset,
            topic,
            query,
        } => {
            let per_page = pages::ASK_PER_PAGE;
            let view = pages::ask(app, &query, topic.as_deref(), offset, per_page).await?;
            Ok((view, true, false))
        }
        CustomId::Leaderboard {
            scope,
            period,
            page,
            kind,
        } => {
            let view = pages::leaderboard(app, guild, user, &scope, period, kind, page).await?;
            Ok((view, true, false))
        }
        CustomId::Report { post } => Ok((render::report_reasons(post), true, false)),
        CustomId::Review {
            user: owner,
            shown,
            question,
            choice,
            topic,
            exam,
        } => {
            if owner != user.0 {
                return Err(Error::user(
                    "This review belongs to someone else; run /review for your own.",
                ));
            }
            let picks = picks(click, choice)?;
            let shown = chrono::DateTime::from_timestamp(shown, 0)
                .ok_or_else(|| Error::user(OUT_OF_DATE))?;
            let fb = app
                .study
                .review_answer(guild, user, &question, &picks, shown, app.clock.now())
                .await?;
            // The filter rides on to the Next button of the feedback.
            let filter = ReviewFilter { topic, exam };
            Ok((render::review_feedback(user.0, &fb, &filter), true, true))
        }
        CustomId::Exam { id, op } => {
            let now = app.clock.now();
            let action = match op {
                ExamOp::Answer { position, choice } => ExamAction::Answer {
                    position,
                    picks: picks(click, choice)?,
                },
                ExamOp::Flag { position } => ExamAction::ToggleFlag { position },
                ExamOp::Previous => ExamAction::Previous,
                ExamOp::Next => ExamAction::Next,
                ExamOp::GoTo => ExamAction::GoTo {
                    position: picks(click, None)?
                        .first()
                        .copied()
                        .ok_or_else(|| Error::user(OUT_OF_DATE))?,
                },
                ExamOp::Submit => ExamAction::Submit,
                ExamOp::Review | ExamOp::ReviewToSubmit | ExamOp::Show => ExamAction::Show,
            };
            let view = app.study.exam_action(guild, user, id, action, now).await?;
            let shown = match op {
                ExamOp::Review => exam_view::review(&view, now, false),
                ExamOp::ReviewToSubmit => exam_view::review(&view, now, true),
                _ => exam_view::question(&view, now),
            };
            Ok((pages::exam_screen(app, &view, shown).await?, true, true))
        }
        CustomId::ReviewNext {
            user: owner,
            topic,
            exam,
        } => {
            if owner != user.0 {
                return Err(Error::user(
                    "This review belongs to someone else; run /review for your own.",
                ));
            }
            let filter = ReviewFilter { topic, exam };
            let now = app.clock.now();
            let next = app.study.next_review(guild, user, &filter, now).await?;
            Ok((render::review_next(user.0, &next, &filter, now), true, true))
        }
        CustomId::ReportReason { post } => {
            let reason = match &click.data.kind {
                ComponentInteractionDataKind::StringSelect { values } => values
                    .first()
                    .and_then(|v| ReportReason::parse(v))
                    .ok_or_else(|| Error::user(OUT_OF_DATE))?,
                _ => return Err(Error::user(OUT_OF_DATE)),
            };
            let reported = app
                .study
                .report_question(guild, user, None, Some(post), reason, None, app.clock.now())
                .await?;
            Ok((render::reported(&reported), true, true))
        }
        CustomId::CloseReports { resolve, question } => {
            if !perms::member_manages_guild(click.member.as_ref()) {
                return Err(Error::user(
                    "Only members with the Manage Server permission can close reports.",
                ));
            }
            let n = app
                .study
                .close_reports(guild, &question, resolve, user, app.clock.now())
                .await?;
            let list = app.study.open_reports(guild).await?;
            let mut view = render::reports(&list);
            view.content = Some(format!(
                "{} report(s) of `{question}` {}. {}",
                n,
                if resolve { "resolved" } else { "dismissed" },
                view.content.unwrap_or_default()
            ));
            Ok((view, true, true))
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

const OUT_OF_DATE: &str = "This button is out of date or not mine; nothing was recorded.";

/// The choices a click picked: one button, or the values of a menu.
fn picks(click: &ComponentInteraction, choice: Option<usize>) -> Result<Vec<usize>, Error> {
    match (choice, &click.data.kind) {
        (Some(c), ComponentInteractionDataKind::Button) => Ok(vec![c]),
        (None, ComponentInteractionDataKind::StringSelect { values }) => values
            .iter()
            .map(|v| v.parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|_| Error::user("That choice is not on this question; nothing was recorded.")),
        _ => Err(Error::user(OUT_OF_DATE)),
    }
}

/// An answer to a live-quiz question or a daily question.
async fn answer(
    app: &Data,
    click: &ComponentInteraction,
    post: PostId,
    choice: Option<usize>,
) -> Result<Reply, Error> {
    let guild = click
        .guild_id
        .map(ids::guild)
        .ok_or_else(|| Error::user("This works only in a server."))?;
    let user = ids::user(click.user.id);
    let picks = picks(click, choice)?;
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
    let roles: Option<Vec<RoleId>> = click
        .member
        .as_ref()
        .map(|m| m.roles.iter().map(|r| ids::role(*r)).collect());
    let reply = app
        .study
        .answer(guild, post, user, &picks, roles.as_deref(), now)
        .await?;
    match reply.outcome {
        RecordOutcome::Recorded { correct } => {
            app.metrics.answer_recorded();
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
            Ok((
                render::feedback(&reply.question, correct, reply.points),
                true,
                false,
            ))
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
