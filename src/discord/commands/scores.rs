//! Purpose: `/leaderboard`, `/groups` and `/stats`: a server's scores, never another's.

use poise::serenity_prelude as serenity;

use crate::discord::custom_id::LeaderboardScope;
use crate::discord::render;
use crate::discord::{Context, Error, ids, pages};
use crate::ids::GuildId;
use crate::scores::Period;
use crate::service::MIN_GROUP_MEMBERS;
use crate::store::PostKind;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ScopeChoice {
    #[name = "server"]
    Server,
    #[name = "channel"]
    Channel,
    #[name = "group"]
    Group,
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "week"]
    Week,
    #[name = "month"]
    Month,
    #[name = "all time"]
    All,
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum KindChoice {
    #[name = "all points"]
    All,
    #[name = "daily questions"]
    Daily,
    #[name = "live quizzes"]
    Quiz,
}

impl KindChoice {
    fn kind(self) -> Option<PostKind> {
        match self {
            KindChoice::All => None,
            KindChoice::Daily => Some(PostKind::Daily),
            KindChoice::Quiz => Some(PostKind::Quiz),
        }
    }
}

impl From<PeriodChoice> for Period {
    fn from(p: PeriodChoice) -> Period {
        match p {
            PeriodChoice::Week => Period::Week,
            PeriodChoice::Month => Period::Month,
            PeriodChoice::All => Period::AllTime,
        }
    }
}

fn guild_of(ctx: Context<'_>) -> Result<GuildId, Error> {
    ctx.guild_id()
        .map(ids::guild)
        .ok_or_else(|| Error::user("Scores belong to a server: use this in one."))
}

/// Top members by points
#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Whose scores: the server (default), this channel, or a study group"]
    scope: Option<ScopeChoice>,
    #[description = "The study group's role (for scope: group)"] group: Option<serenity::RoleId>,
    #[description = "This week (default), this month, or all time"] period: Option<PeriodChoice>,
    #[description = "Points from daily questions, live quizzes, or both (default)"] kind: Option<
        KindChoice,
    >,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let kind = kind.and_then(KindChoice::kind);
    let scope = match (scope, group) {
        (Some(ScopeChoice::Group) | None, Some(role)) => LeaderboardScope::Group(role.get()),
        (Some(ScopeChoice::Group), None) => {
            return Err(Error::user("Pick the study group's role in `group`."));
        }
        (Some(ScopeChoice::Channel), _) => LeaderboardScope::Channel(ctx.channel_id().get()),
        (Some(ScopeChoice::Server) | None, _) => LeaderboardScope::Server,
    };
    let period = period.map_or(Period::Week, Period::from);
    let view = pages::leaderboard(
        ctx.data(),
        guild,
        ids::user(ctx.author().id),
        &scope,
        period,
        kind,
        0,
    )
    .await?;
    ctx.send(view.reply(false)).await?;
    Ok(())
}

/// Study groups (roles) ranked by their members' average points
#[poise::command(slash_command, guild_only)]
pub async fn groups(
    ctx: Context<'_>,
    #[description = "This week (default), this month, or all time"] period: Option<PeriodChoice>,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let period = period.map_or(Period::Week, Period::from);
    let app = ctx.data();
    let standings = app
        .study
        .group_standings(guild, period, app.clock.now())
        .await?;
    ctx.send(render::groups(&standings, period, MIN_GROUP_MEMBERS).reply(false))
        .await?;
    Ok(())
}

/// Answers, accuracy, streaks and topics of a member (you by default)
#[poise::command(slash_command, guild_only)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose stats (default: yours)"] user: Option<serenity::UserId>,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let who = user.unwrap_or(ctx.author().id);
    let app = ctx.data();
    let s = app.study.stats(guild, ids::user(who)).await?;
    let review = app
        .study
        .review_stats(guild, ids::user(who), app.clock.now())
        .await?;
    let readiness = app.study.readiness(guild, ids::user(who)).await?;
    let mut view = render::stats(who.get(), &s, Some(&review));
    if !readiness.is_empty()
        && let Some(embed) = view.embeds.pop()
    {
        view.embeds.push(embed.field(
            "Exam readiness (estimate, 90% range)",
            render::cut(
                &crate::discord::exam_view::readiness_lines(&readiness),
                1024,
            ),
            false,
        ));
    }
    ctx.send(view.reply(user.is_none())).await?;
    Ok(())
}
