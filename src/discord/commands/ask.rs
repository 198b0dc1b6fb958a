//! Purpose: `/ask` — full-text lookup in the notes, paged by a "More results" button.

use std::sync::Arc;

use anyhow::Context as _;

use super::topic_autocomplete;
use crate::discord::render::{self, AskPage, View};
use crate::discord::{Context, Data, Error};
use crate::search::SearchOptions;
use crate::service::UserError;

/// Results per page unless the member asks for another number.
pub const PER_PAGE: usize = 5;

/// Look something up in the study notes
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "What to look up, e.g. kinesis fanout"]
    #[max_length = 200]
    query: String,
    #[description = "Only this topic"]
    #[autocomplete = "topic_autocomplete"]
    topic: Option<String>,
    #[description = "Results per page (1-10)"]
    #[min = 1]
    #[max = 10]
    limit: Option<u8>,
) -> Result<(), Error> {
    let per_page = limit.map_or(PER_PAGE, |n| usize::from(n.clamp(1, 10)));
    let view = page(ctx.data(), &query, topic.as_deref(), 0, per_page).await?;
    ctx.send(view.reply(false)).await?;
    Ok(())
}

/// One page of results, from rank `offset`. Also used by the "More results" button.
pub async fn page(
    app: &Data,
    query: &str,
    topic: Option<&str>,
    offset: usize,
    per_page: usize,
) -> Result<View, Error> {
    if query.trim().is_empty() {
        return Err(Error::user(
            "Type what to look up, for example `/ask kinesis fanout`.",
        ));
    }
    if let Some(t) = topic
        && !app.index.topics().contains_key(t)
    {
        return Err(UserError::UnknownTopic(t.to_string()).into());
    }
    let index = Arc::clone(&app.index);
    let options = SearchOptions {
        limit: offset + per_page + 1,
        topic: topic.map(str::to_string),
    };
    let q = query.to_string();
    let results = tokio::task::spawn_blocking(move || index.search(&q, &options))
        .await
        .context("the search panicked")?
        .context("the search failed")?;
    app.metrics.search(results.took);
    let n = results.hits.len();
    let shown = &results.hits[offset.min(n)..(offset + per_page).min(n)];
    let more = n > offset + per_page;
    let corrections: Vec<(String, String)> = results
        .corrections
        .iter()
        .map(|c| (c.typed.clone(), c.used.clone()))
        .collect();
    // Nothing found although a spelling from the notes was tried: offer the corrected query.
    let suggestion = (results.hits.is_empty() && !corrections.is_empty()).then(|| {
        query
            .split_whitespace()
            .map(|w| {
                corrections
                    .iter()
                    .find(|(typed, _)| typed.eq_ignore_ascii_case(w))
                    .map_or(w.to_string(), |(_, used)| used.clone())
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    Ok(render::ask(&AskPage {
        query,
        topic,
        hits: shown,
        offset,
        more,
        corrections,
        suggestion,
    }))
}
