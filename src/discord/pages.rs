//! Purpose: views that both a slash command and a button show — a page of `/ask` results and
//! a leaderboard page — each one use-case call rendered. Commands and clicks both depend on
//! this module and on `render`, never on each other.

use super::custom_id::LeaderboardScope;
use super::render::{self, View};
use super::{Data, Error};
use crate::ids::{GuildId, UserId};
use crate::scores::Period;
use crate::service::PAGE_SIZE;
use crate::store::PostKind;

/// `/ask` results per page unless the member asks for another number.
pub const ASK_PER_PAGE: usize = 5;

/// One page of `/ask` results, from rank `offset`.
pub async fn ask(
    app: &Data,
    query: &str,
    topic: Option<&str>,
    offset: usize,
    per_page: usize,
) -> Result<View, Error> {
    let page = app.study.ask(query, topic, offset, per_page).await?;
    app.metrics.search(page.took);
    Ok(render::ask(&render::AskPage {
        query,
        topic,
        hits: &page.hits,
        offset: page.offset,
        more: page.more,
        corrections: page.corrections,
        suggestion: page.suggestion,
        vague: page.vague,
        answer: page.answer.as_deref(),
        sides: page.sides.as_ref(),
    }))
}

/// One leaderboard page as `me` sees it.
pub async fn leaderboard(
    app: &Data,
    guild: GuildId,
    me: UserId,
    scope: &LeaderboardScope,
    period: Period,
    kind: Option<PostKind>,
    page: u32,
) -> Result<View, Error> {
    let board = app
        .study
        .leaderboard_of_kind(
            guild,
            scope.to_scope(),
            period,
            kind,
            page,
            me,
            app.clock.now(),
        )
        .await?;
    Ok(render::leaderboard(
        &board, scope, period, kind, page, PAGE_SIZE,
    ))
}

/// A mock exam screen as `shown`, with the per-domain picture once the exam has its result.
pub async fn exam_screen(
    app: &Data,
    view: &crate::service::exam::ExamView,
    shown: View,
) -> Result<View, Error> {
    match &view.result {
        Some(result) => Ok(match app.study.exam_picture(result).await? {
            Some(png) => shown.with_png("exam.png", png),
            None => shown,
        }),
        None => Ok(shown),
    }
}
