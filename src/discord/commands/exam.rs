//! Purpose: `/exam start`, `/exam resume` and `/exam history`: a member's private, timed mock
//! exam (the screens and their buttons are in `exam_view.rs` and `components.rs`).

use crate::discord::{Context, Error, exam_view, ids, pages};
use crate::service::exam::ExamRequest;

/// Timed mock exams per certification, privately
#[poise::command(slash_command, guild_only, subcommands("start", "resume", "history"))]
pub async fn exam(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

async fn exam_autocomplete(ctx: Context<'_>, partial: &str) -> Vec<String> {
    let partial = partial.trim().to_uppercase();
    ctx.data()
        .study
        .content()
        .exams
        .codes()
        .filter(|c| c.contains(&partial))
        .map(str::to_string)
        .take(25)
        .collect()
}

fn guild_of(ctx: Context<'_>) -> Result<crate::ids::GuildId, Error> {
    ctx.guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Mock exams belong to a server: use this in one."))
}

/// Start a timed mock exam: questions drawn to the exam guide's domain weights
#[poise::command(slash_command, guild_only, ephemeral)]
pub async fn start(
    ctx: Context<'_>,
    #[description = "Which exam, e.g. DVA-C02"]
    #[autocomplete = "exam_autocomplete"]
    exam: String,
    #[description = "How many questions (default: the real exam's)"]
    #[min = 1]
    #[max = 200]
    questions: Option<u32>,
    #[description = "Minutes (default: the real exam's pace)"]
    #[min = 1]
    #[max = 300]
    minutes: Option<u32>,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let app = ctx.data();
    let now = app.clock.now();
    let req = ExamRequest {
        code: exam,
        questions: questions.and_then(|n| usize::try_from(n).ok()),
        minutes,
        seed: rand::random(),
    };
    let view = app
        .study
        .start_exam(guild, ids::user(ctx.author().id), &req, now)
        .await?;
    ctx.send(exam_view::question(&view, now).reply(true))
        .await?;
    Ok(())
}

/// Go back to your open mock exam
#[poise::command(slash_command, guild_only, ephemeral)]
pub async fn resume(ctx: Context<'_>) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let app = ctx.data();
    let now = app.clock.now();
    let view = app
        .study
        .resume_exam(guild, ids::user(ctx.author().id), now)
        .await?;
    let shown = pages::exam_screen(app, &view, exam_view::question(&view, now)).await?;
    ctx.send(shown.reply(true)).await?;
    Ok(())
}

/// Your past mock exams with their scores
#[poise::command(slash_command, guild_only, ephemeral)]
pub async fn history(ctx: Context<'_>) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let list = ctx
        .data()
        .study
        .exam_history(guild, ids::user(ctx.author().id))
        .await?;
    ctx.send(exam_view::history(&list).reply(true)).await?;
    Ok(())
}
