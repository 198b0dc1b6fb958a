//! Purpose: `/leaderboard`, `/groups` and `/stats`: a server's scores, never another's.

use poise::serenity_prelude as serenity;

use crate::discord::custom_id::LeaderboardScope;
use crate::discord::render;
use crate::discord::{Context, Error, ids, pages};
use crate::ids::GuildId;
use crate::scores::Period;
use crate::service::MIN_GROUP_MEMBERS;
use crate::service::progress::SeriesOf;
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
    #[description = "Add a picture of the top 5's points over the period"] chart: Option<bool>,
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
    let app = ctx.data();
    let mut view = pages::leaderboard(
        app,
        guild,
        ids::user(ctx.author().id),
        &scope,
        period,
        kind,
        0,
    )
    .await?;
    if chart == Some(true) {
        // A few lookups of names may take a moment: tell Discord an answer is coming.
        ctx.defer().await?;
        let now = app.clock.now();
        let board = app
            .study
            .leaderboard_of_kind(
                guild,
                scope.to_scope(),
                period,
                kind,
                0,
                ids::user(ctx.author().id),
                now,
            )
            .await?;
        let mut series = Vec::new();
        for row in board.rows.iter().take(5) {
            series.push((member_name(ctx, row.user).await, SeriesOf::Member(row.user)));
        }
        let title = format!("Top {} · points {}", series.len(), period_words(period));
        match app
            .study
            .points_picture(guild, period, kind, series, &title, now)
            .await?
        {
            Some(png) => view = view.with_png("points.png", png),
            None => view.content = Some("No points yet in this period, so no picture.".into()),
        }
    }
    ctx.send(view.reply(false)).await?;
    Ok(())
}

fn period_words(period: Period) -> &'static str {
    match period {
        Period::Week => "this week",
        Period::Month => "this month",
        Period::AllTime => "over the last 90 days",
    }
}

/// A member's name for a picture (a picture cannot show a mention): their server nickname or
/// user name, else their rank's placeholder.
async fn member_name(ctx: Context<'_>, user: crate::ids::UserId) -> String {
    let (Some(guild), Some(id)) = (
        ctx.guild_id(),
        std::num::NonZeroU64::new(user.0).map(serenity::UserId::from),
    ) else {
        return format!("member {}", user.0);
    };
    match guild.member(ctx, id).await {
        Ok(m) => m.display_name().to_string(),
        Err(e) => {
            tracing::debug!(error = %e, "no name for a chart line");
            format!("member …{}", user.0 % 10_000)
        }
    }
}

/// Study groups (roles) ranked by their members' average points
#[poise::command(slash_command, guild_only)]
pub async fn groups(
    ctx: Context<'_>,
    #[description = "This week (default), this month, or all time"] period: Option<PeriodChoice>,
    #[description = "Add a picture of the top 5 groups' points over the period"] chart: Option<
        bool,
    >,
) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let period = period.map_or(Period::Week, Period::from);
    let app = ctx.data();
    let now = app.clock.now();
    let standings = app.study.group_standings(guild, period, now).await?;
    let mut view = render::groups(&standings, period, MIN_GROUP_MEMBERS);
    if chart == Some(true) {
        ctx.defer().await?;
        let names: std::collections::HashMap<u64, String> = ctx
            .guild()
            .map(|g| {
                g.roles
                    .iter()
                    .map(|(id, r)| (id.get(), r.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let series = standings
            .iter()
            .take(5)
            .map(|g| {
                let name = names
                    .get(&g.role.0)
                    .cloned()
                    .unwrap_or_else(|| format!("group {}", g.rank));
                (name, SeriesOf::Group(g.role))
            })
            .collect();
        let title = format!("Study groups · points {}", period_words(period));
        match app
            .study
            .points_picture(guild, period, None, series, &title, now)
            .await?
        {
            Some(png) => view = view.with_png("groups.png", png),
            None => view.content = Some("No points yet in this period, so no picture.".into()),
        }
    }
    ctx.send(view.reply(false)).await?;
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
    let picture = app
        .study
        .progress_picture(guild, ids::user(who), "Progress", app.clock.now())
        .await?;
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
    if let Some(png) = picture {
        view = view.with_png("progress.png", png);
    }
    ctx.send(view.reply(user.is_none())).await?;
    Ok(())
}
