//! Purpose: `/ask` — full-text lookup in the notes, paged by a "More results" button.

use super::topic_autocomplete;
use crate::discord::pages::{self, ASK_PER_PAGE};
use crate::discord::{Context, Error};

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
    let per_page = limit.map_or(ASK_PER_PAGE, |n| usize::from(n.clamp(1, 10)));
    let view = pages::ask(ctx.data(), &query, topic.as_deref(), 0, per_page).await?;
    ctx.send(view.reply(false)).await?;
    Ok(())
}
