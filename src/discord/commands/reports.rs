//! Purpose: `/report` (a member reports a question, with details) and `/reports` (an admin's
//! list of open reports, with resolve and dismiss buttons).

use crate::discord::{Context, Error, ids, perms, render};
use crate::service::reports::ReportReason;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ReasonChoice {
    #[name = "wrong answer"]
    WrongAnswer,
    #[name = "unclear"]
    Unclear,
    #[name = "typo"]
    Typo,
    #[name = "other"]
    Other,
}

impl From<ReasonChoice> for ReportReason {
    fn from(r: ReasonChoice) -> ReportReason {
        match r {
            ReasonChoice::WrongAnswer => ReportReason::WrongAnswer,
            ReasonChoice::Unclear => ReportReason::Unclear,
            ReasonChoice::Typo => ReportReason::Typo,
            ReasonChoice::Other => ReportReason::Other,
        }
    }
}

/// Report a question that is wrong, unclear or has a typo
#[poise::command(slash_command, guild_only)]
pub async fn report(
    ctx: Context<'_>,
    #[description = "The question's id, e.g. sqs-004 (shown under a revealed question)"]
    #[max_length = 64]
    question: String,
    #[description = "What is wrong"] reason: ReasonChoice,
    #[description = "Details (at most 500 characters)"]
    #[max_length = 500]
    details: Option<String>,
) -> Result<(), Error> {
    let guild = ctx
        .guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Use this in a server."))?;
    let app = ctx.data();
    let reported = app
        .study
        .report_question(
            guild,
            ids::user(ctx.author().id),
            Some(&question),
            None,
            reason.into(),
            details.as_deref(),
            app.clock.now(),
        )
        .await?;
    ctx.send(render::reported(&reported).reply(true)).await?;
    Ok(())
}

/// Open reports of questions in this server (Manage Server)
#[poise::command(slash_command, guild_only, default_member_permissions = "MANAGE_GUILD")]
pub async fn reports(ctx: Context<'_>) -> Result<(), Error> {
    perms::require_manage_guild_to(ctx, "see reports")?;
    let guild = ctx
        .guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Use this in a server."))?;
    let list = ctx.data().study.open_reports(guild).await?;
    ctx.send(render::reports(&list).reply(true)).await?;
    Ok(())
}
