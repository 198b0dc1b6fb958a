//! Tests of the fake Discord itself: its payloads deserialize with serenity's own types, the real
//! serenity client connects to it and talks to it, and its test controls behave.

#![allow(clippy::unwrap_used)]

#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::sync::Arc;
use std::time::Duration;

use fake_discord::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use serenity::all::{
    ChannelId, ChannelType, Client, ClientBuilder, Command, CommandDataOptionValue,
    CommandOptionType, ComponentInteractionDataKind, Context, CreateActionRow, CreateButton,
    CreateCommand, CreateCommandOption, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateThread, EditInteractionResponse, EventHandler, GatewayIntents, Guild, GuildId,
    HttpBuilder, Interaction, MessageId, Permissions, Ready,
};
use serenity::model::channel::Nonce;
use serenity::model::event::{Event, GatewayEvent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WAIT: Duration = Duration::from_secs(10);

/// Parses a gateway frame the way serenity's shard does and insists it is a known dispatch.
fn dispatch_event(frame: &Value) -> Event {
    let parsed: GatewayEvent = serde_json::from_value(frame.clone())
        .unwrap_or_else(|e| panic!("frame does not parse: {e}\n{frame}"));
    match parsed {
        GatewayEvent::Dispatch(_, Event::Unknown(u)) => {
            panic!("serenity does not recognise this frame (Event::Unknown): {u:?}")
        }
        GatewayEvent::Dispatch(_, event) => event,
        other => panic!("not a dispatch: {other:?}"),
    }
}

fn frame(event: &str, data: &Value) -> Value {
    json!({"op": 0, "s": 7, "t": event, "d": data})
}

fn rich_config() -> FakeConfig {
    let mut config = FakeConfig::simple();
    let guild = &mut config.guilds[0];
    let g = guild.id;
    guild.roles.push(FakeRole {
        id: g + 2,
        name: "Moderator".into(),
        permissions: perm::MANAGE_MESSAGES,
    });
    // A second channel only moderators may write in, and a thread.
    guild.channels.push(
        FakeChannel::text(g + 11, "announcements")
            .with_overwrite(Overwrite::role(g, 0, perm::SEND_MESSAGES))
            .with_overwrite(Overwrite::role(g + 2, perm::SEND_MESSAGES, 0)),
    );
    guild
        .channels
        .push(FakeChannel::thread(g + 12, "aws-notes"));
    config
}

#[test]
fn ready_and_guild_create_deserialize_as_serenity_events() {
    let config = rich_config();
    let guild = &config.guilds[0];
    let ready = ready_payload(&config, &[guild], "s1", "ws://127.0.0.1:1/gateway", 0, 1);
    let direct: Ready = serde_json::from_value(ready.clone()).unwrap();
    assert_eq!(direct.user.id.get(), config.bot_user_id);
    assert!(direct.user.bot);
    assert_eq!(direct.application.id.get(), config.application_id);
    assert_eq!(direct.shard.map(|s| (s.id.0, s.total)), Some((0, 1)));
    match dispatch_event(&frame("READY", &ready)) {
        Event::Ready(r) => {
            assert_eq!(r.ready.guilds.len(), 1);
            assert_eq!(r.ready.guilds[0].id.get(), guild.id);
        }
        other => panic!("expected Ready, got {other:?}"),
    }

    let create = guild_create_payload(&config, guild);
    let g: Guild = match dispatch_event(&frame("GUILD_CREATE", &create)) {
        Event::GuildCreate(e) => e.guild,
        other => panic!("expected GuildCreate, got {other:?}"),
    };
    assert_eq!(g.id.get(), guild.id);
    assert_eq!(g.name, "Study Group");
    // serenity silently skips channels that do not deserialize: count them.
    assert_eq!(
        g.channels.len(),
        2,
        "every non-thread channel survives deserialization"
    );
    assert_eq!(g.threads.len(), 1);
    assert_eq!(g.threads[0].kind, ChannelType::PublicThread);
    assert_eq!(g.threads[0].parent_id.map(|p| p.get()), Some(guild.id + 10));
    assert_eq!(g.roles.len(), 3);
    let bot_member = g
        .members
        .get(&config.bot_user_id.into())
        .expect("the bot's member is in GUILD_CREATE");
    assert_eq!(
        bot_member.roles.iter().map(|r| r.get()).collect::<Vec<_>>(),
        vec![guild.bot_role_id()]
    );

    // serenity's permission computation agrees with the fake's.
    for channel in g.channels.values() {
        let serenity_perms = g.user_permissions_in(channel, bot_member);
        assert_eq!(
            serenity_perms.bits(),
            config.bot_permissions_in(guild.id, channel.id.get()),
            "channel {}",
            channel.name
        );
    }
    let study = &g.channels[&ChannelId::new(guild.id + 10)];
    assert!(
        g.user_permissions_in(study, bot_member)
            .contains(Permissions::SEND_MESSAGES | Permissions::EMBED_LINKS)
    );
    let announcements = &g.channels[&ChannelId::new(guild.id + 11)];
    assert!(
        !g.user_permissions_in(announcements, bot_member)
            .contains(Permissions::SEND_MESSAGES)
    );
    assert_eq!(announcements.permission_overwrites.len(), 2);
    let moderator = config.user(guild.id, guild.id + 11, 42, "mod", vec![guild.id + 2]);
    assert_ne!(moderator.permissions & perm::SEND_MESSAGES, 0);
    assert_eq!(
        config
            .user(guild.id, guild.id + 11, 43, "member", vec![])
            .permissions
            & perm::SEND_MESSAGES,
        0
    );
}

#[test]
fn interactions_deserialize_as_the_right_variants() {
    let config = rich_config();
    let ids = Ids::new(config.application_id);
    let (guild, channel) = (config.guild_id(), config.channel_id());
    let user = FakeUser::new(4242, "ana")
        .with_permissions(perm::MEMBER_DEFAULT | perm::MANAGE_GUILD)
        .with_roles(vec![guild + 2]);

    // Slash command with a subcommand, a string and a channel option with resolved data.
    let options = json!([subcommand(
        "start",
        json!([
            option(3, "topic", json!("s3")),
            option(4, "count", json!(5)),
            option(7, "where", json!((guild + 11).to_string())),
        ])
    )]);
    let resolved = resolved_channel(guild + 11, "announcements", 0, perm::VIEW_CHANNEL);
    let cmd = slash_command_resolved(&ids, guild, channel, &user, "quiz", options, resolved);
    let again = slash_command(&ids, guild, channel, &user, "quiz", Value::Null);
    assert_ne!(interaction_id(&cmd), interaction_id(&again));
    assert_ne!(interaction_token(&cmd), interaction_token(&again));
    let interaction = match dispatch_event(&frame("INTERACTION_CREATE", &cmd)) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("expected InteractionCreate, got {other:?}"),
    };
    let Interaction::Command(c) = interaction else {
        panic!("expected Interaction::Command, got {interaction:?}")
    };
    assert_eq!(c.id.get(), interaction_id(&cmd));
    assert_eq!(c.token, interaction_token(&cmd));
    assert_eq!(c.guild_id.map(|g| g.get()), Some(guild));
    assert_eq!(c.channel_id.get(), channel);
    assert_eq!(
        c.user.id.get(),
        4242,
        "serenity copies member.user into user"
    );
    let member = c.member.as_ref().expect("member");
    assert_eq!(
        member.permissions.map(|p| p.bits()),
        Some(perm::MEMBER_DEFAULT | perm::MANAGE_GUILD)
    );
    assert_eq!(member.roles.len(), 1);
    assert_eq!(
        c.app_permissions.map(|p| p.bits()),
        Some(ids.app_permissions)
    );
    assert_eq!(c.locale, "en-US");
    assert_eq!(c.guild_locale.as_deref(), Some("en-US"));
    assert_eq!(c.data.name, "quiz");
    assert_eq!(c.data.id.get(), command_id("quiz"));
    let CommandDataOptionValue::SubCommand(sub) = &c.data.options[0].value else {
        panic!("expected subcommand")
    };
    assert_eq!(c.data.options[0].name, "start");
    assert_eq!(sub[0].value, CommandDataOptionValue::String("s3".into()));
    assert_eq!(sub[1].value, CommandDataOptionValue::Integer(5));
    assert_eq!(
        sub[2].value,
        CommandDataOptionValue::Channel(ChannelId::new(guild + 11))
    );
    assert_eq!(
        c.data.resolved.channels[&ChannelId::new(guild + 11)]
            .name
            .as_deref(),
        Some("announcements")
    );

    // Role and user options with resolved data.
    let target = FakeUser::new(777, "bo");
    let mut resolved = resolved_role(guild + 2, "Moderator", perm::MANAGE_MESSAGES);
    resolved["users"] = resolved_user(&target)["users"].clone();
    resolved["members"] = resolved_user(&target)["members"].clone();
    let cmd = slash_command_resolved(
        &ids,
        guild,
        channel,
        &user,
        "grant",
        json!([
            option(8, "role", json!((guild + 2).to_string())),
            option(6, "who", json!("777"))
        ]),
        resolved,
    );
    let Ok(Interaction::Command(c)) = serde_json::from_value::<Interaction>(cmd) else {
        panic!("grant is not a command")
    };
    assert_eq!(c.data.resolved.roles.len(), 1);
    assert_eq!(
        c.data
            .resolved
            .roles
            .values()
            .next()
            .map(|r| r.guild_id.get()),
        Some(guild)
    );
    assert_eq!(c.data.resolved.users[&777.into()].name, "bo");
    assert_eq!(c.data.resolved.members.len(), 1);

    // Autocomplete.
    let ac = autocomplete(
        &ids,
        guild,
        channel,
        &user,
        "quiz",
        json!([subcommand("start", json!([focused_option("topic", "ec")]))]),
    );
    let interaction = match dispatch_event(&frame("INTERACTION_CREATE", &ac)) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("expected InteractionCreate, got {other:?}"),
    };
    let Interaction::Autocomplete(a) = interaction else {
        panic!("expected Interaction::Autocomplete, got {interaction:?}")
    };
    let focused = a.data.autocomplete().expect("a focused option");
    assert_eq!((focused.name, focused.value), ("topic", "ec"));

    // A button and a string select on a message.
    let msg = message(
        5555,
        channel,
        config.bot_user_id,
        "Question 1",
        json!([{"title": "Q1", "description": "Which?"}]),
        json!([{"type": 1, "components": [{"type": 2, "style": 1, "label": "A", "custom_id": "quiz:a"}]}]),
    );
    let button = component(
        &ids,
        guild,
        channel,
        &user,
        "quiz:a",
        2,
        vec![],
        msg.clone(),
    );
    let interaction = match dispatch_event(&frame("INTERACTION_CREATE", &button)) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("expected InteractionCreate, got {other:?}"),
    };
    let Interaction::Component(b) = interaction else {
        panic!("expected Interaction::Component, got {interaction:?}")
    };
    assert_eq!(b.data.custom_id, "quiz:a");
    assert!(matches!(b.data.kind, ComponentInteractionDataKind::Button));
    assert_eq!(b.message.id.get(), 5555);
    assert_eq!(b.message.components.len(), 1);
    assert_eq!(
        b.member
            .as_ref()
            .and_then(|m| m.permissions)
            .map(|p| p.bits()),
        Some(user.permissions)
    );
    let select = component(
        &ids,
        guild,
        channel,
        &user,
        "quiz:pick",
        3,
        vec!["b".into(), "c".into()],
        msg,
    );
    let Ok(Interaction::Component(s)) = serde_json::from_value::<Interaction>(select) else {
        panic!("select is not a component")
    };
    match &s.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => {
            assert_eq!(values, &vec!["b".to_string(), "c".to_string()])
        }
        other => panic!("expected StringSelect, got {other:?}"),
    }

    // A modal submission.
    let modal = modal_submit(&ids, guild, channel, &user, "note", &[("body", "hello")]);
    let Ok(Interaction::Modal(m)) = serde_json::from_value::<Interaction>(modal) else {
        panic!("not a modal")
    };
    assert_eq!(m.data.custom_id, "note");
}

#[test]
fn message_builder_deserializes_as_a_serenity_message() {
    let m = message(
        99,
        12,
        34,
        "hi",
        json!([{"title": "T", "description": "D", "fields": [{"name": "n", "value": "v", "inline": false}]}]),
        json!([{"type": 1, "components": [{"type": 3, "custom_id": "pick", "options": [{"label": "a", "value": "a"}]}]}]),
    );
    let msg: serenity::all::Message = serde_json::from_value(m).unwrap();
    assert_eq!(
        (msg.id.get(), msg.channel_id.get(), msg.author.id.get()),
        (99, 12, 34)
    );
    assert_eq!(msg.content, "hi");
    assert_eq!(msg.embeds[0].fields.len(), 1);
    assert_eq!(msg.components.len(), 1);
    let plain: serenity::all::Message =
        serde_json::from_value(message(1, 2, 3, "x", Value::Null, Value::Null)).unwrap();
    assert!(plain.embeds.is_empty());
}

#[test]
fn guild_ids_and_paths() {
    for count in [1_u32, 2, 3, 16] {
        for shard in 0..count {
            for n in 0..3 {
                let id = guild_id_on_shard(shard, count, n);
                assert_eq!(shard_of(id, count), shard);
                assert_eq!((id >> 22) % u64::from(count), u64::from(shard));
            }
        }
    }
    assert_ne!(guild_id_on_shard(0, 2, 1), guild_id_on_shard(0, 2, 2));
    assert!(path_matches(
        "/api/v10/interactions/*/*/callback",
        "/api/v10/interactions/1/abc/callback"
    ));
    assert!(!path_matches(
        "/api/v10/interactions/*/callback",
        "/api/v10/interactions/1/abc/callback"
    ));
    assert!(path_matches(
        "/api/v10/webhooks/**",
        "/api/v10/webhooks/1/t/messages/@original"
    ));
    assert!(path_matches(
        "/api/v10/channels/1/messages",
        "/api/v10/channels/1/messages?x=1"
    ));
    assert!(!path_matches(
        "/api/v10/channels/1/messages",
        "/api/v10/channels/2/messages"
    ));
    assert!(!path_matches(
        "/api/v10/channels/*",
        "/api/v10/channels/1/messages"
    ));
}

// ---------------------------------------------------------------------------------------------
// The real serenity client against the fake
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
enum Got {
    Ready(Box<Ready>),
    GuildCreate(Box<Guild>),
    Interaction(Box<Interaction>),
}

struct Forward(mpsc::UnboundedSender<Got>);

#[serenity::async_trait]
impl EventHandler for Forward {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let _ = self.0.send(Got::Ready(Box::new(ready)));
    }

    async fn guild_create(&self, _ctx: Context, guild: Guild, _is_new: Option<bool>) {
        let _ = self.0.send(Got::GuildCreate(Box::new(guild)));
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        let _ = self.0.send(Got::Interaction(Box::new(interaction)));
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Got>) -> Got {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no event from serenity in time")
        .expect("event channel closed")
}

fn http_for(fake: &FakeDiscord, token: &str) -> serenity::http::Http {
    HttpBuilder::new(token)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .build()
}

async fn connect(fake: &FakeDiscord) -> (Client, mpsc::UnboundedReceiver<Got>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let client =
        ClientBuilder::new_with_http(http_for(fake, &fake.config().token), GatewayIntents::GUILDS)
            .event_handler(Forward(tx))
            .await
            .expect("client builds");
    (client, rx)
}

fn http_status(err: &serenity::Error) -> Option<(u16, isize)> {
    match err {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            Some((r.status_code.as_u16(), r.error.code))
        }
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_client_connects_and_interacts() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let (guild, channel) = (fake.config().guild_id(), fake.config().channel_id());
    let (mut client, mut rx) = connect(&fake).await;
    let cache = client.cache.clone();
    let http = client.http.clone();
    let shards = client.shard_manager.clone();
    let runner = tokio::spawn(async move { client.start_autosharded().await });

    let identify = fake.wait_ready(0, WAIT).await.unwrap();
    assert_eq!(
        identify["token"],
        json!("Bot test-token"),
        "serenity sends the token with its Bot prefix"
    );
    assert_eq!(identify["shard"], json!([0, 1]));
    assert_eq!(identify["intents"], json!(GatewayIntents::GUILDS.bits()));
    assert_eq!(fake.identified_shards(), vec![(0, 1)]);
    assert!(
        fake.gateway_connections()[0].contains("v=10"),
        "{:?}",
        fake.gateway_connections()
    );

    let Got::Ready(ready) = next(&mut rx).await else {
        panic!("expected ready first")
    };
    assert_eq!(ready.user.id.get(), fake.config().bot_user_id);
    let Got::GuildCreate(g) = next(&mut rx).await else {
        panic!("expected guild_create")
    };
    assert_eq!(g.id.get(), guild);

    // The cache knows the guild, its channel, and the bot's permissions there.
    {
        let cached = cache.guild(GuildId::new(guild)).expect("guild cached");
        let ch = cached
            .channels
            .get(&ChannelId::new(channel))
            .expect("channel cached");
        let me = cached
            .members
            .get(&cache.current_user().id)
            .expect("bot member cached");
        let perms = cached.user_permissions_in(ch, me);
        assert!(
            perms.contains(Permissions::SEND_MESSAGES | Permissions::EMBED_LINKS),
            "{perms:?}"
        );
    }

    // A slash command reaches interaction_create and an ephemeral reply is recorded.
    let ids = fake.ids();
    let user = FakeUser::new(4242, "ana");
    let payload = slash_command(
        &ids,
        guild,
        channel,
        &user,
        "ping",
        json!([option(3, "topic", json!("ec2"))]),
    );
    fake.dispatch("INTERACTION_CREATE", payload.clone())
        .await
        .unwrap();
    let Got::Interaction(interaction) = next(&mut rx).await else {
        panic!("expected an interaction")
    };
    let Interaction::Command(cmd) = *interaction else {
        panic!("expected a command")
    };
    assert_eq!(cmd.data.name, "ping");
    assert_eq!(cmd.id.get(), interaction_id(&payload));
    cmd.create_response(
        &*http,
        CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content("pong")
                .ephemeral(true),
        ),
    )
    .await
    .unwrap();
    let callback = fake
        .wait_for_request("POST", "/api/v10/interactions/*/*/callback", WAIT)
        .await
        .unwrap();
    assert_eq!(callback.path, callback_path(&payload));
    assert_eq!(callback.status, 204);
    assert_eq!(callback.body["type"], json!(4));
    assert_eq!(callback.body["data"]["flags"], json!(64));
    assert_eq!(callback.body["data"]["content"], json!("pong"));
    assert_eq!(callback.authorization.as_deref(), Some("Bot test-token"));

    // Discord refuses a second acknowledgement; follow-ups and edits of the original work.
    let again = cmd
        .create_response(&*http, CreateInteractionResponse::Acknowledge)
        .await
        .unwrap_err();
    assert_eq!(http_status(&again), Some((400, 40060)));
    let followup = cmd
        .create_followup(
            &*http,
            CreateInteractionResponseFollowup::new().content("more"),
        )
        .await
        .unwrap();
    assert_eq!(followup.content, "more");
    let edited = cmd
        .edit_response(&*http, EditInteractionResponse::new().content("pong!"))
        .await
        .unwrap();
    assert_eq!(edited.content, "pong!");
    assert_eq!(cmd.get_response(&*http).await.unwrap().content, "pong!");
    assert_eq!(
        fake.original_response(&cmd.token).unwrap()["content"],
        json!("pong!")
    );

    // send_message with an enforced nonce twice gives the same message.
    let ch = ChannelId::new(channel);
    let send = || {
        CreateMessage::new()
            .content("Daily question")
            .embed(CreateEmbed::new().title("Q").description("Which service?"))
            .components(vec![CreateActionRow::Buttons(vec![
                CreateButton::new("daily:a").label("A"),
            ])])
            .nonce(Nonce::String("daily-2024-01-01".into()))
            .enforce_nonce(true)
    };
    let first = ch.send_message((&cache, &*http), send()).await.unwrap();
    let second = ch.send_message((&cache, &*http), send()).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.embeds[0].title.as_deref(), Some("Q"));
    assert_eq!(first.components.len(), 1);
    let posted = fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "POST" && r.path.ends_with(&format!("/channels/{channel}/messages"))
        })
        .count();
    assert_eq!(posted, 2, "both sends reached the fake");
    let stored: Vec<Value> = fake
        .messages(channel)
        .into_iter()
        .filter(|m| m["nonce"] == json!("daily-2024-01-01"))
        .collect();
    assert_eq!(stored.len(), 1);

    // A button click on that message, answered by updating the message.
    let click = component(
        &ids,
        guild,
        channel,
        &user,
        "daily:a",
        2,
        vec![],
        fake.message(first.id.get()).unwrap(),
    );
    fake.dispatch("INTERACTION_CREATE", click).await.unwrap();
    let Got::Interaction(interaction) = next(&mut rx).await else {
        panic!("expected an interaction")
    };
    let Interaction::Component(press) = *interaction else {
        panic!("expected a component")
    };
    assert_eq!(press.data.custom_id, "daily:a");
    assert_eq!(press.message.id, first.id);
    press
        .create_response(
            &*http,
            CreateInteractionResponse::UpdateMessage(
                CreateInteractionResponseMessage::new().content("Answered"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        fake.message(first.id.get()).unwrap()["content"],
        json!("Answered")
    );

    // A thread from the message, then a message in the thread.
    let thread = ch
        .create_thread_from_message(&*http, first.id, CreateThread::new("discussion"))
        .await
        .unwrap();
    assert_eq!(thread.kind, ChannelType::PublicThread);
    assert_eq!(thread.parent_id, Some(ch));
    let in_thread = thread.id.say(&*http, "in the thread").await.unwrap();
    assert_eq!(in_thread.channel_id, thread.id);
    assert_eq!(fake.channel(thread.id.get()).unwrap()["type"], json!(11));

    // Command registration echoes valid Command objects; Discord's name rules apply.
    let commands = vec![
        CreateCommand::new("quiz")
            .description("Start a quiz")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "topic", "The topic")
                    .required(true)
                    .set_autocomplete(true),
            ),
        CreateCommand::new("ping").description("Ping"),
    ];
    let registered = Command::set_global_commands(&*http, commands)
        .await
        .unwrap();
    assert_eq!(
        registered
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["quiz", "ping"]
    );
    assert_eq!(registered[0].id.get(), command_id("quiz"));
    assert_eq!(registered[0].options[0].name, "topic");
    assert_eq!(
        fake.registered_commands(None).as_array().map(Vec::len),
        Some(2)
    );
    let in_guild = GuildId::new(guild)
        .set_commands(
            &*http,
            vec![CreateCommand::new("admin").description("Admin")],
        )
        .await
        .unwrap();
    assert_eq!(in_guild[0].guild_id.map(|g| g.get()), Some(guild));
    assert_eq!(
        fake.registered_commands(Some(guild))[0]["name"],
        json!("admin")
    );
    let bad = Command::set_global_commands(
        &*http,
        vec![CreateCommand::new("Quiz").description("Upper case")],
    )
    .await
    .unwrap_err();
    assert_eq!(http_status(&bad), Some((400, 50035)));
    assert_eq!(
        fake.registered_commands(None).as_array().map(Vec::len),
        Some(2),
        "a refused registration changes nothing"
    );

    // Every other REST call the client made was one the fake knows.
    assert!(
        fake.unknown_routes().is_empty(),
        "unexpected 404s: {:?}",
        fake.unknown_routes()
    );

    shards.shutdown_all().await;
    let _ = tokio::time::timeout(WAIT, runner).await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_without_send_permission_is_refused() {
    let mut config = FakeConfig::simple();
    let g = config.guild_id();
    let locked = g + 20;
    config.guilds[0].channels.push(
        FakeChannel::text(locked, "locked").with_overwrite(Overwrite::role(
            g,
            0,
            perm::SEND_MESSAGES,
        )),
    );
    let fake = FakeDiscord::start(config).await;
    let http = Arc::new(http_for(&fake, "test-token"));
    // Straight to REST (no cache check): Discord answers 403 Missing Permissions.
    let err = http
        .send_message(ChannelId::new(locked), vec![], &json!({"content": "hi"}))
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((403, 50013)));
    // An unknown channel is 404 Unknown Channel; an empty message is 400.
    let err = http
        .send_message(ChannelId::new(123), vec![], &json!({"content": "hi"}))
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((404, 10003)));
    let err = http
        .send_message(
            ChannelId::new(fake.config().channel_id()),
            vec![],
            &json!({"content": ""}),
        )
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((400, 50006)));
    let long = "x".repeat(2001);
    let err = http
        .send_message(
            ChannelId::new(fake.config().channel_id()),
            vec![],
            &json!({"content": long}),
        )
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((400, 50035)));
    // Editing a message that does not exist.
    let err = http
        .edit_message(
            ChannelId::new(fake.config().channel_id()),
            MessageId::new(1),
            &json!({"content": "x"}),
            vec![],
        )
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((404, 10008)));
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_is_refused() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let http = http_for(&fake, "wrong-token");
    let err = http.get_current_user().await.unwrap_err();
    assert_eq!(http_status(&err).map(|s| s.0), Some(401));
    let recorded = fake
        .wait_for_request("GET", "/api/v10/users/@me", WAIT)
        .await
        .unwrap();
    assert_eq!(recorded.authorization.as_deref(), Some("Bot wrong-token"));
    assert_eq!(recorded.status, 401);
    // The right token works.
    let me = http_for(&fake, "test-token")
        .get_current_user()
        .await
        .unwrap();
    assert_eq!(me.id.get(), fake.config().bot_user_id);

    // The gateway closes with 4004 on a wrong IDENTIFY token.
    let mut ws = raw_gateway(&fake).await;
    assert_eq!(next_json(&mut ws).await["op"], json!(10));
    ws.send(WsMessage::Text(
        json!({"op": 2, "d": {"token": "Bot wrong-token", "shard": [0, 1], "intents": 1}})
            .to_string(),
    ))
    .await
    .unwrap();
    let close = loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("gateway answers")
        {
            Some(Ok(WsMessage::Close(frame))) => break frame,
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(4004));
    assert!(fake.identified_shards().is_empty());
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn respond_overrides_win_then_expire() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let http = http_for(&fake, "test-token");
    fake.respond(
        "GET",
        "/api/v10/users/@me",
        403,
        json!({"message": "Missing Permissions", "code": 50013}),
        vec![],
        1,
    );
    let err = http.get_current_user().await.unwrap_err();
    assert_eq!(http_status(&err), Some((403, 50013)));
    assert!(
        http.get_current_user().await.is_ok(),
        "the override was used once"
    );

    let channel = fake.config().channel_id();
    fake.respond(
        "POST",
        "/api/v10/channels/*/messages",
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}),
        vec![("retry-after".into(), "0.2".into())],
        1,
    );
    let path = format!("/api/v10/channels/{channel}/messages");
    let (status, headers, body) =
        raw_http(&fake, "POST", &path, Some(&json!({"content": "hi"}))).await;
    assert_eq!(status, 429);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("retry-after") && v == "0.2"),
        "{headers:?}"
    );
    assert_eq!(body["retry_after"], json!(0.2));
    let (status, _, body) = raw_http(&fake, "POST", &path, Some(&json!({"content": "hi"}))).await;
    assert_eq!(status, 200);
    assert_eq!(body["content"], json!("hi"));
    let statuses: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);

    // Several overrides in a row: 404 twice, then normal.
    fake.respond(
        "GET",
        "/api/v10/channels/*",
        404,
        json!({"message": "Unknown Channel", "code": 10003}),
        vec![],
        2,
    );
    for _ in 0..2 {
        let err = http.get_channel(ChannelId::new(channel)).await.unwrap_err();
        assert_eq!(http_status(&err), Some((404, 10003)));
    }
    assert!(http.get_channel(ChannelId::new(channel)).await.is_ok());
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_request_hands_out_each_request_once_and_times_out() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let http = http_for(&fake, "test-token");
    let err = fake
        .wait_for_request("GET", "/api/v10/users/@me", Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.contains("no GET /api/v10/users/@me"), "{err}");

    http.get_current_user().await.unwrap();
    http.get_current_user().await.unwrap();
    let a = fake
        .wait_for_request("GET", "/api/v10/users/@me", WAIT)
        .await
        .unwrap();
    let b = fake
        .wait_for_request("GET", "/api/v10/users/@me", WAIT)
        .await
        .unwrap();
    assert!(a.at <= b.at);
    assert!(
        fake.wait_for_request("GET", "/api/v10/users/@me", Duration::from_millis(100))
            .await
            .is_err()
    );
    assert!(
        fake.wait_for_request("POST", "/api/v10/users/@me", Duration::from_millis(50))
            .await
            .is_err(),
        "the method must match"
    );

    // A waiter is woken by a request that arrives later.
    let waiter = {
        let fake = fake.clone();
        tokio::spawn(async move {
            fake.wait_for_request("GET", "/api/v10/gateway/**", WAIT)
                .await
        })
    };
    tokio::task::yield_now().await;
    http.get_bot_gateway().await.unwrap();
    let got = waiter.await.unwrap().unwrap();
    assert_eq!(got.path, "/api/v10/gateway/bot");
    assert_eq!(fake.requests().len(), 3);
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_server_survives_odd_input() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let addr = fake.api_base().trim_start_matches("http://").to_string();
    let auth = "Authorization: Bot test-token\r\n";

    // Two requests on one keep-alive connection, the second a chunked POST; then Connection: close.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let body = r#"{"content":"chunked"}"#;
    let channel = fake.config().channel_id();
    let req = format!(
        "GET /api/v10/users/@me HTTP/1.1\r\nHost: x\r\n{auth}\r\n\
         POST /api/v10/channels/{channel}/messages HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n\
         GET /api/v10/nowhere?x=1 HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(WAIT, s.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
    assert!(out.contains("HTTP/1.1 404 Not Found"), "{out}");
    assert!(out.contains("\"content\":\"chunked\""), "{out}");
    let nowhere = fake
        .wait_for_request("GET", "/api/v10/nowhere", WAIT)
        .await
        .unwrap();
    assert_eq!(nowhere.query, "x=1");
    assert_eq!(fake.unknown_routes().len(), 1);

    // Garbage gets a 400, and the server keeps serving.
    for garbage in [
        "NOT HTTP\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        "GET / HTTP/1.1\r\nbad header\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(garbage.as_bytes()).await.unwrap();
        let mut out = String::new();
        tokio::time::timeout(WAIT, s.read_to_string(&mut out))
            .await
            .unwrap()
            .unwrap();
        assert!(out.starts_with("HTTP/1.1 400"), "{garbage:?} -> {out}");
    }
    // Non-JSON bodies and unknown interactions are refused without a panic.
    let (status, _, _) = raw_http(
        &fake,
        "POST",
        &format!("/api/v10/channels/{channel}/messages"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _, body) = raw_http(
        &fake,
        "POST",
        "/api/v10/interactions/1/nope/callback",
        Some(&json!({"type": 4})),
    )
    .await;
    assert_eq!((status, body["code"].clone()), (404, json!(10062)));
    let (status, _, _) = raw_http(&fake, "GET", "/api/v10/users/@me", None).await;
    assert_eq!(status, 200);
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_routes_guilds_to_their_shards() {
    let mut config = FakeConfig::simple();
    config.shard_count = 2;
    let (g0, g1) = (guild_id_on_shard(0, 2, 1), guild_id_on_shard(1, 2, 1));
    config.guilds = vec![
        FakeGuild::new(g0, "zero").with_channel(FakeChannel::text(g0 + 10, "a")),
        FakeGuild::new(g1, "one").with_channel(FakeChannel::text(g1 + 10, "b")),
    ];
    let fake = FakeDiscord::start(config).await;
    assert!(
        fake.dispatch("GUILD_UPDATE", json!({"guild_id": g0.to_string()}))
            .await
            .is_err(),
        "no session yet"
    );

    let mut shard1 = raw_gateway(&fake).await;
    let mut shard0 = raw_gateway(&fake).await;
    for (ws, shard) in [(&mut shard0, 0), (&mut shard1, 1)] {
        assert_eq!(next_json(ws).await["op"], json!(10));
        let identify =
            json!({"op": 2, "d": {"token": "Bot test-token", "shard": [shard, 2], "intents": 1}});
        ws.send(WsMessage::Text(identify.to_string()))
            .await
            .unwrap();
    }
    for (ws, shard, guild) in [(&mut shard0, 0, g0), (&mut shard1, 1, g1)] {
        fake.wait_ready(shard, WAIT).await.unwrap();
        let ready = next_json(ws).await;
        assert_eq!(
            (ready["t"].clone(), ready["s"].clone()),
            (json!("READY"), json!(1))
        );
        assert_eq!(
            ready["d"]["guilds"],
            json!([{"id": guild.to_string(), "unavailable": true}])
        );
        assert_eq!(ready["d"]["shard"], json!([shard, 2]));
        dispatch_event(&ready);
        let create = next_json(ws).await;
        assert_eq!(
            (create["t"].clone(), create["s"].clone()),
            (json!("GUILD_CREATE"), json!(2))
        );
        assert_eq!(create["d"]["id"], json!(guild.to_string()));
        dispatch_event(&create);
    }
    let mut shards = fake.identified_shards();
    shards.sort_unstable();
    assert_eq!(shards, vec![(0, 2), (1, 2)]);

    // A dispatch goes to the shard owning the guild, with the next sequence number.
    let ids = fake.ids();
    let user = FakeUser::new(5, "x");
    fake.dispatch(
        "INTERACTION_CREATE",
        slash_command(&ids, g1, g1 + 10, &user, "ping", Value::Null),
    )
    .await
    .unwrap();
    let got = next_json(&mut shard1).await;
    assert_eq!(
        (got["t"].clone(), got["s"].clone()),
        (json!("INTERACTION_CREATE"), json!(3))
    );
    assert_eq!(got["d"]["guild_id"], json!(g1.to_string()));
    dispatch_event(&got);

    // Heartbeat is acknowledged; a resume is refused with INVALID_SESSION false.
    shard0
        .send(WsMessage::Text(json!({"op": 1, "d": 2}).to_string()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut shard0).await, json!({"op": 11}));
    shard0
        .send(WsMessage::Text(
            json!({"op": 6, "d": {"token": "Bot test-token", "session_id": "x", "seq": 2}})
                .to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_json(&mut shard0).await, json!({"op": 9, "d": false}));

    // A client close completes the handshake and ends the session.
    shard0.close(None).await.unwrap();
    let rest = tokio::time::timeout(WAIT, async {
        while let Some(Ok(m)) = shard0.next().await {
            if m.is_close() {
                return true;
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(rest, "the fake answered the close");
    fake.wait_session_count(1, WAIT).await.unwrap();
    assert!(
        fake.dispatch("GUILD_UPDATE", json!({"guild_id": g0.to_string()}))
            .await
            .is_err(),
        "shard 0's session is gone"
    );
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_objects_deserialize_with_serenity() {
    let fake = FakeDiscord::start(rich_config()).await;
    let (guild, channel) = (fake.config().guild_id(), fake.config().channel_id());
    let http = http_for(&fake, "test-token");
    let app = http.get_current_application_info().await.unwrap();
    assert_eq!(app.id.get(), fake.config().application_id);
    assert_eq!(app.owner.map(|o| o.id.get()), Some(OWNER_USER_ID));
    assert_eq!(
        http.get_current_user().await.unwrap().id.get(),
        fake.config().bot_user_id
    );
    assert_eq!(http.get_gateway().await.unwrap().url, fake.gateway_url());
    let bot_gateway = http.get_bot_gateway().await.unwrap();
    assert_eq!(
        (bot_gateway.url, bot_gateway.shards),
        (fake.gateway_url(), 1)
    );

    let partial = http.get_guild(GuildId::new(guild)).await.unwrap();
    assert_eq!(
        (partial.id.get(), partial.name.as_str(), partial.roles.len()),
        (guild, "Study Group", 3)
    );
    let roles = http.get_guild_roles(GuildId::new(guild)).await.unwrap();
    assert!(
        roles
            .iter()
            .any(|r| r.id.get() == guild && r.permissions.bits() == perm::EVERYONE_DEFAULT)
    );
    let me = http
        .get_member(GuildId::new(guild), fake.config().bot_user_id.into())
        .await
        .unwrap();
    assert_eq!(me.roles.len(), 1);
    let err = http
        .get_member(GuildId::new(guild), 31337.into())
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((404, 10007)));
    match http.get_channel(ChannelId::new(channel)).await.unwrap() {
        serenity::all::Channel::Guild(c) => {
            assert_eq!((c.name.as_str(), c.guild_id.get()), ("study", guild))
        }
        other => panic!("expected a guild channel, got {other:?}"),
    }
    let channels = http.get_channels(GuildId::new(guild)).await.unwrap();
    assert_eq!(channels.len(), 3, "text channels and the configured thread");

    let made = http
        .create_thread(
            ChannelId::new(channel),
            &json!({"name": "standalone", "type": 11}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(made.kind, ChannelType::PublicThread);
    assert!(made.thread_metadata.is_some());
    let msg = made.id.say(&http, "first").await.unwrap();
    let fetched = http.get_message(made.id, msg.id).await.unwrap();
    assert_eq!(fetched.content, "first");
    http.delete_message(made.id, msg.id, None).await.unwrap();
    assert!(fake.messages(made.id.get()).is_empty());
    // Without CREATE_PUBLIC_THREADS, Discord refuses.
    let g = fake.config().guild_id();
    let refused = FakeDiscord::start({
        let mut c = FakeConfig::simple();
        c.guilds[0].bot_permissions &= !perm::CREATE_PUBLIC_THREADS;
        c.guilds[0].channels[0]
            .overwrites
            .push(Overwrite::role(g, 0, perm::CREATE_PUBLIC_THREADS));
        c
    })
    .await;
    let err = http_for(&refused, "test-token")
        .create_thread(
            ChannelId::new(refused.config().channel_id()),
            &json!({"name": "t", "type": 11}),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), Some((403, 50013)));
    refused.shutdown().await;
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
    fake.shutdown().await;
}

type PoiseError = Box<dyn std::error::Error + Send + Sync>;

/// Answers with the topic.
#[poise::command(slash_command)]
async fn topic(
    ctx: poise::Context<'_, (), PoiseError>,
    #[description = "Which topic"] name: String,
) -> Result<(), PoiseError> {
    ctx.say(format!("topic: {name}")).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poise_framework_runs_against_the_fake() {
    let fake = FakeDiscord::start(FakeConfig::simple()).await;
    let (guild, channel) = (fake.config().guild_id(), fake.config().channel_id());
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![topic()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let mut client =
        ClientBuilder::new_with_http(http_for(&fake, "test-token"), GatewayIntents::GUILDS)
            .framework(framework)
            .await
            .unwrap();
    let shards = client.shard_manager.clone();
    let runner = tokio::spawn(async move { client.start().await });

    fake.wait_ready(0, WAIT).await.unwrap();
    let put = fake
        .wait_for_request("PUT", "/api/v10/applications/*/commands", WAIT)
        .await
        .unwrap();
    assert_eq!(put.status, 200, "{:?}", put.response);
    assert_eq!(put.body[0]["name"], json!("topic"));
    assert_eq!(put.body[0]["description"], json!("Answers with the topic."));
    fake.wait_for_request("GET", "/api/v10/oauth2/applications/@me", WAIT)
        .await
        .unwrap();

    let ids = fake.ids();
    let user = FakeUser::new(4242, "ana");
    let payload = slash_command(
        &ids,
        guild,
        channel,
        &user,
        "topic",
        json!([option(3, "name", json!("iam"))]),
    );
    fake.dispatch("INTERACTION_CREATE", payload.clone())
        .await
        .unwrap();
    let callback = fake.wait_for_callback(&payload, WAIT).await.unwrap();
    assert_eq!(callback.status, 204);
    assert_eq!(callback.body["type"], json!(4));
    assert_eq!(callback.body["data"]["content"], json!("topic: iam"));
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );

    shards.shutdown_all().await;
    let _ = tokio::time::timeout(WAIT, runner).await;
    fake.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Raw clients
// ---------------------------------------------------------------------------------------------

type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn raw_gateway(fake: &FakeDiscord) -> Ws {
    let url = format!("{}?v=10&encoding=json", fake.gateway_url());
    let addr = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    ws
}

async fn next_json(ws: &mut Ws) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("gateway frame in time")
        {
            Some(Ok(WsMessage::Text(t))) => return serde_json::from_str(&t).unwrap(),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// One HTTP request on its own connection: (status, headers, JSON body or Null).
async fn raw_http(
    fake: &FakeDiscord,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Vec<(String, String)>, Value) {
    let addr = fake.api_base().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(addr).await.unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bot {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        fake.config().token,
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    tokio::time::timeout(WAIT, s.read_to_string(&mut out))
        .await
        .unwrap()
        .unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    (
        status,
        headers,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}
