//! Purpose: the slash commands, one file per family. Each one only translates: arguments →
//! one service (or search) call → a rendered reply.

pub mod ask;
pub mod daily;
pub mod exam;
pub mod misc;
pub mod quiz;
pub mod reports;
pub mod review;
pub mod scores;

use super::{Context, Data, Error};

/// Every command, as registered with Discord.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        daily::daily(),
        quiz::quiz(),
        scores::leaderboard(),
        scores::groups(),
        scores::stats(),
        exam::exam(),
        review::review(),
        review::review_settings(),
        reports::report(),
        reports::reports(),
        misc::topics(),
        misc::forget_me(),
        misc::help(),
    ]
}

/// Up to 25 topics starting with (or else containing) what was typed.
pub async fn topic_autocomplete(ctx: Context<'_>, partial: &str) -> Vec<String> {
    let partial = partial.trim().to_lowercase();
    let content = ctx.data().study.content();
    let topics = content.index.topics();
    let mut starts: Vec<String> = topics
        .keys()
        .filter(|t| t.starts_with(&partial))
        .cloned()
        .collect();
    if starts.len() < 25 {
        starts.extend(
            topics
                .keys()
                .filter(|t| !t.starts_with(&partial) && t.contains(&partial))
                .cloned(),
        );
    }
    starts.truncate(25);
    starts
}
