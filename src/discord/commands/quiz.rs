//! Purpose: `/quiz start` and `/quiz stop`, and showing what a live quiz does (questions,
//! reveals, final standings) in its channel or thread. The quiz itself runs in
//! [`crate::quizzes`]; this only forwards and renders.

use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{CreateEmbed, CreateEmbedFooter};
use tokio::sync::watch;

use super::topic_autocomplete;
use crate::discord::render::{self, View, cut};
use crate::discord::{Context, Data, Error, ids};
use crate::quiz::letter;
use crate::quiz::live::{FinishReason, Standing};
use crate::service::quiz::{QuizEvent, QuizRequest};
use crate::service::{ServiceError, UserError};
use crate::store::QuizSession;

/// Live quizzes in a channel
#[poise::command(
    slash_command,
    guild_only,
    subcommands("start", "stop"),
    subcommand_required
)]
pub async fn quiz(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a live quiz here (or in a new thread)
#[poise::command(slash_command, guild_only)]
pub async fn start(
    ctx: Context<'_>,
    #[description = "Only this topic"]
    #[autocomplete = "topic_autocomplete"]
    topic: Option<String>,
    #[description = "Only questions for this exam, e.g. SAA-C03"] exam: Option<String>,
    #[description = "How many questions (5-30, default 10)"]
    #[min = 5]
    #[max = 30]
    questions: Option<u32>,
    #[description = "Seconds per question (10-120, default 20)"]
    #[min = 10]
    #[max = 120]
    seconds: Option<u32>,
    #[description = "Run it in a new thread so the channel is not taken over"] thread: Option<bool>,
) -> Result<(), Error> {
    let Some(guild_id) = ctx.guild_id() else {
        return Err(Error::user("Quizzes run in a server."));
    };
    let guild = ids::guild(guild_id);
    let parent = ctx.channel_id();
    let app = ctx.data();
    if let Some(running) = app
        .study
        .store
        .running_quiz(guild, ids::channel(parent))
        .await?
    {
        return Err(already_running(running.channel.0));
    }
    let channel = if thread.unwrap_or(false) {
        let name = format!("Quiz · {}", topic.as_deref().unwrap_or("all topics"));
        let made = parent
            .create_thread(
                ctx,
                serenity::CreateThread::new(cut(&name, 100))
                    .kind(serenity::ChannelType::PublicThread)
                    .auto_archive_duration(serenity::AutoArchiveDuration::OneHour),
            )
            .await
            .map_err(|e| match crate::discord::poster::status_of(&e) {
                Some(403) => Error::user(
                    "I may not create threads here: give my role Create Public Threads, or start without a thread.",
                ),
                _ => e.into(),
            })?;
        made.id
    } else {
        parent
    };
    let request = QuizRequest {
        guild,
        channel: ids::channel(channel),
        parent: ids::channel(parent),
        started_by: ids::user(ctx.author().id),
        topic,
        exam,
        questions: questions.map(|n| n as usize),
        seconds,
        seed: rand::random(),
    };
    let (_, events) = match app.quizzes.start(&request, app.clock.now()).await {
        Ok(r) => r,
        Err(ServiceError::User(UserError::QuizRunning(c))) => return Err(already_running(c.0)),
        Err(e) => return Err(e.into()),
    };
    let place = if channel == parent {
        String::new()
    } else {
        format!(" in <#{channel}>")
    };
    let n = questions.unwrap_or(10);
    let s = seconds.unwrap_or(20);
    ctx.send(
        View::text(&format!(
            "<@{}> started a quiz{place}: {n} questions, {s} seconds each. Everyone may answer once per question. Points: {}",
            ctx.author().id,
            crate::quiz::live::POINTS_RULE
        ))
        .reply(false),
    )
    .await?;
    show(&ctx.serenity_context().http, app, events).await;
    Ok(())
}

fn already_running(channel: u64) -> Error {
    Error::user(format!(
        "A quiz is already running in <#{channel}>; join it there, or `/quiz stop` ends it."
    ))
}

/// Stop the quiz running here and show the final standings
#[poise::command(slash_command, guild_only)]
pub async fn stop(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild_id) = ctx.guild_id() else {
        return Err(Error::user("Quizzes run in a server."));
    };
    let may_manage = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.manage_messages() || p.administrator()),
        poise::Context::Prefix(_) => false,
    };
    let app = ctx.data();
    let events = app
        .quizzes
        .stop(
            ids::guild(guild_id),
            ids::channel(ctx.channel_id()),
            ids::user(ctx.author().id),
            may_manage,
            app.clock.now(),
        )
        .await?;
    ctx.send(View::text("Quiz stopped.").reply(true)).await?;
    show(&ctx.serenity_context().http, app, events).await;
    Ok(())
}

/// Moves running quizzes on every `interval` (time is the app's clock) until `stop`.
pub(crate) async fn drive(
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
        match app.quizzes.tick(app.clock.now()).await {
            Ok(events) => show(&http, &app, events).await,
            Err(e) => tracing::error!(error = ?e, "quiz tick failed"),
        }
    }
}

/// Tells the channels of quizzes abandoned by a restart.
pub(crate) async fn tell_abandoned(http: &serenity::Http, sessions: &[QuizSession]) {
    for s in sessions {
        let Some(channel) = ids::to_channel(s.channel) else {
            continue;
        };
        let text = "The bot restarted, so this quiz was stopped. Points scored so far are kept; `/quiz start` begins a new one.";
        if let Err(e) = channel.send_message(http, View::text(text).message()).await {
            tracing::warn!(channel = %s.channel, error = %e, "could not tell a channel its quiz was abandoned");
        }
    }
}

/// Shows quiz events in their channels. A failure (a deleted thread, a missing permission) is
/// logged; the quiz goes on or ends by itself.
pub(crate) async fn show(http: &serenity::Http, app: &Data, events: Vec<QuizEvent>) {
    for event in events {
        let (channel, view, edit) = match &event {
            QuizEvent::Ask {
                channel,
                post,
                index,
                total,
                question,
                closes_at,
                ..
            } => {
                let view = render::quiz_question(question, *post, index + 1, *total, *closes_at);
                (*channel, view, None)
            }
            QuizEvent::Reveal {
                channel,
                post,
                index,
                question,
                winners,
                answered,
                split,
                top,
                ..
            } => {
                let right = if winners.is_empty() {
                    "Nobody got it.".to_string()
                } else {
                    winners
                        .iter()
                        .map(|w| format!("<@{}> +{}", w.user.0, w.points))
                        .collect::<Vec<_>>()
                        .join(" · ")
                };
                let votes: Vec<String> = split
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| format!("{}: {n}", letter(i)))
                    .collect();
                let embed = CreateEmbed::new()
                    .title(format!(
                        "Question {} · answer {}",
                        index + 1,
                        question.answer.letters()
                    ))
                    .description(cut(
                        &format!("{}\n\n**Right:** {right}", question.explanation),
                        4096,
                    ))
                    .field(
                        "Answers",
                        format!(
                            "{answered} ({})",
                            if votes.is_empty() {
                                "none".into()
                            } else {
                                votes.join(", ")
                            }
                        ),
                        true,
                    )
                    .field("Top 5", standings_text(top), true)
                    .colour(0x95a5a6);
                let mut rows = render::answer_controls(*post, question, true);
                rows.push(render::after_reveal(*post, question));
                (*channel, View::embed(embed), Some((*post, rows)))
            }
            QuizEvent::Finished {
                channel,
                reason,
                asked,
                standings,
                ..
            } => {
                let head = match reason {
                    FinishReason::Completed => "Quiz over!",
                    FinishReason::Stopped => "Quiz stopped.",
                    FinishReason::Silent => "Nobody is here, so the quiz ended.",
                    FinishReason::Abandoned => {
                        "The bot is restarting, so the quiz ended. Points scored so far are kept."
                    }
                };
                let embed = CreateEmbed::new()
                    .title("Final standings")
                    .description(format!("{head}\n\n{}", standings_text(standings)))
                    .footer(CreateEmbedFooter::new(format!(
                        "{asked} question(s) asked · points count in /leaderboard"
                    )))
                    .colour(0xf1c40f);
                (*channel, View::embed(embed), None)
            }
        };
        let Some(target) = ids::to_channel(channel) else {
            continue;
        };
        // A reveal first turns the question's buttons off.
        if let Some((post, rows)) = edit
            && let Some(message) = app.quiz_messages.lock().await.remove(&post)
            && let Err(e) = target
                .edit_message(http, message, serenity::EditMessage::new().components(rows))
                .await
        {
            tracing::warn!(%channel, error = %e, "could not close a quiz question");
        }
        match target.send_message(http, view.message()).await {
            Ok(m) => {
                if let QuizEvent::Ask { post, .. } = &event {
                    app.quiz_messages.lock().await.insert(*post, m.id);
                    if let Err(e) = app.study.post_sent(*post, m.id.get()).await {
                        tracing::warn!(error = %e, "could not record a quiz message id");
                    }
                }
            }
            Err(e) => tracing::warn!(%channel, error = %e, "could not show a quiz step"),
        }
    }
}

fn standings_text(rows: &[Standing]) -> String {
    if rows.is_empty() {
        return "No points yet.".into();
    }
    rows.iter()
        .take(10)
        .map(|s| {
            format!(
                "**{}.** <@{}> · {} pts ({} right)",
                s.rank, s.user.0, s.points, s.correct
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
