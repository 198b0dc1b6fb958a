//! Purpose: `/topics`, `/forget-me` and `/help`.

use poise::serenity_prelude as serenity;

use crate::discord::custom_id::CustomId;
use crate::discord::render::{self, View};
use crate::discord::{Context, Error};

/// The topics the notes and questions cover
#[poise::command(slash_command)]
pub async fn topics(ctx: Context<'_>) -> Result<(), Error> {
    let rows = ctx.data().study.topics();
    ctx.send(render::topics(&rows).reply(true)).await?;
    Ok(())
}

/// Delete your answers and scores in this server
#[poise::command(slash_command, guild_only, rename = "forget-me")]
pub async fn forget_me(ctx: Context<'_>) -> Result<(), Error> {
    let user = ctx.author().id.get();
    let yes = CustomId::Forget {
        confirm: true,
        user,
    }
    .encode()
    .unwrap_or_default();
    let no = CustomId::Forget {
        confirm: false,
        user,
    }
    .encode()
    .unwrap_or_default();
    let view =
        View::text("This deletes all your answers and scores in this server, for good. Sure?")
            .with_components(vec![serenity::CreateActionRow::Buttons(vec![
                serenity::CreateButton::new(yes)
                    .label("Delete my data")
                    .style(serenity::ButtonStyle::Danger),
                serenity::CreateButton::new(no)
                    .label("Cancel")
                    .style(serenity::ButtonStyle::Secondary),
            ])]);
    ctx.send(view.reply(true)).await?;
    Ok(())
}

/// What this bot does and how to start
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    ctx.send(render::help(crate::scores::POINTS_RULE, crate::quiz::live::POINTS_RULE).reply(true))
        .await?;
    Ok(())
}
