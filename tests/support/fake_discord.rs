#![allow(dead_code, clippy::unwrap_used)]
//! A fake Discord for tests: an HTTP/1.1 REST API and a gateway WebSocket on 127.0.0.1.
//!
//! The real serenity client (and poise) connect to it: point serenity's `HttpBuilder::proxy`
//! at [`FakeDiscord::api_base`] with the rate limiter disabled, and the client finds the gateway
//! through `GET /api/v10/gateway`. Every REST request is recorded; tests dispatch gateway events
//! (slash commands, button clicks) built with the payload builders at the bottom of this file.
//!
//! The fake is strict where Discord is strict (unknown interaction tokens, double
//! acknowledgements, empty or over-long messages, missing channel permissions, invalid command
//! registrations), so a bot that works against it has a fair chance of working against Discord.
//!
//! Include it with `#[path = "support/fake_discord.rs"] mod fake_discord;`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Discord permission bits (the ones a study bot cares about).
pub mod perm {
    pub const CREATE_INSTANT_INVITE: u64 = 1 << 0;
    pub const KICK_MEMBERS: u64 = 1 << 1;
    pub const BAN_MEMBERS: u64 = 1 << 2;
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const MANAGE_ROLES: u64 = 1 << 28;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    /// Every permission bit (serenity truncates unknown bits).
    pub const ALL: u64 = (1 << 51) - 1;
    /// What `FakeConfig::simple` gives @everyone.
    pub const EVERYONE_DEFAULT: u64 =
        VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY;
    /// What `FakeConfig::simple` gives the bot's role.
    pub const BOT_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS;
    /// What a plain member may do in a channel by default (used by `FakeUser::new`).
    pub const MEMBER_DEFAULT: u64 = EVERYONE_DEFAULT | USE_APPLICATION_COMMANDS;
}

/// The user id that owns every fake guild (never the bot).
pub const OWNER_USER_ID: u64 = 80_351_110_224_678_912;
/// Discord's epoch in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// The longest message content Discord accepts (characters).
const MAX_CONTENT: usize = 2000;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct FakeConfig {
    pub token: String,
    pub application_id: u64,
    pub bot_user_id: u64,
    pub shard_count: u32,
    pub guilds: Vec<FakeGuild>,
}

#[derive(Clone, Debug, Default)]
pub struct FakeGuild {
    /// The guild id; the @everyone role has the same id.
    pub id: u64,
    pub name: String,
    pub everyone_permissions: u64,
    /// Permissions of the bot's managed role, whose id is [`FakeGuild::bot_role_id`].
    pub bot_permissions: u64,
    /// Text channels (kind 0) and public threads (kind 11; their parent is the guild's first
    /// text channel).
    pub channels: Vec<FakeChannel>,
    /// Further roles (besides @everyone and the bot's role).
    pub roles: Vec<FakeRole>,
    /// Members besides the bot sent in GUILD_CREATE (as Discord does for a bot with the
    /// members intent): synthetic users `id * 1000 + k`, for memory measurements.
    pub extra_members: u64,
}

#[derive(Clone, Debug, Default)]
pub struct FakeChannel {
    pub id: u64,
    pub name: String,
    /// 0 text, 11 public thread.
    pub kind: u8,
    pub overwrites: Vec<Overwrite>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overwrite {
    /// A role id (the guild id for @everyone) or a member id.
    pub id: u64,
    /// 0 role, 1 member.
    pub kind: u8,
    pub allow: u64,
    pub deny: u64,
}

#[derive(Clone, Debug, Default)]
pub struct FakeRole {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
}

impl FakeConfig {
    /// One guild (on shard 0 of 1) with one text channel "study"; @everyone may view, send,
    /// embed links and read history; the bot's role has [`perm::BOT_DEFAULT`]; token "test-token".
    pub fn simple() -> FakeConfig {
        let guild = guild_id_on_shard(0, 1, 1);
        FakeConfig {
            token: "test-token".to_string(),
            application_id: 900_000_000_000_000_001,
            bot_user_id: 900_000_000_000_000_001,
            shard_count: 1,
            guilds: vec![
                FakeGuild::new(guild, "Study Group")
                    .with_channel(FakeChannel::text(guild + 10, "study")),
            ],
        }
    }

    /// The first guild's id.
    pub fn guild_id(&self) -> u64 {
        self.guilds.first().map_or(0, |g| g.id)
    }

    /// The first channel of the first guild.
    pub fn channel_id(&self) -> u64 {
        self.guilds
            .first()
            .and_then(|g| g.channels.first())
            .map_or(0, |c| c.id)
    }

    pub fn guild(&self, id: u64) -> Option<&FakeGuild> {
        self.guilds.iter().find(|g| g.id == id)
    }

    /// A member of `guild` whose `permissions` are computed in `channel` the way Discord does.
    pub fn user(
        &self,
        guild: u64,
        channel: u64,
        user_id: u64,
        name: &str,
        roles: Vec<u64>,
    ) -> FakeUser {
        let permissions = self
            .guild(guild)
            .map_or(0, |g| permissions_in(g, channel, user_id, &roles));
        FakeUser {
            id: user_id,
            name: name.to_string(),
            permissions,
            roles,
        }
    }

    /// The bot's own permissions in `channel` of `guild`.
    pub fn bot_permissions_in(&self, guild: u64, channel: u64) -> u64 {
        self.guild(guild).map_or(0, |g| {
            permissions_in(g, channel, self.bot_user_id, &[g.bot_role_id()])
        })
    }
}

impl FakeGuild {
    /// A guild with @everyone = [`perm::EVERYONE_DEFAULT`], bot role = [`perm::BOT_DEFAULT`],
    /// no channels.
    pub fn new(id: u64, name: &str) -> FakeGuild {
        FakeGuild {
            id,
            name: name.to_string(),
            everyone_permissions: perm::EVERYONE_DEFAULT,
            bot_permissions: perm::BOT_DEFAULT,
            channels: Vec::new(),
            roles: Vec::new(),
            extra_members: 0,
        }
    }

    pub fn with_channel(mut self, channel: FakeChannel) -> FakeGuild {
        self.channels.push(channel);
        self
    }

    pub fn with_role(mut self, role: FakeRole) -> FakeGuild {
        self.roles.push(role);
        self
    }

    /// The id of the bot's managed role: the guild id + 1.
    pub fn bot_role_id(&self) -> u64 {
        self.id + 1
    }

    fn first_text_channel(&self) -> Option<u64> {
        self.channels.iter().find(|c| c.kind == 0).map(|c| c.id)
    }
}

impl FakeChannel {
    pub fn text(id: u64, name: &str) -> FakeChannel {
        FakeChannel {
            id,
            name: name.to_string(),
            kind: 0,
            overwrites: Vec::new(),
        }
    }

    pub fn thread(id: u64, name: &str) -> FakeChannel {
        FakeChannel {
            id,
            name: name.to_string(),
            kind: 11,
            overwrites: Vec::new(),
        }
    }

    pub fn with_overwrite(mut self, overwrite: Overwrite) -> FakeChannel {
        self.overwrites.push(overwrite);
        self
    }
}

impl Overwrite {
    pub fn role(id: u64, allow: u64, deny: u64) -> Overwrite {
        Overwrite {
            id,
            kind: 0,
            allow,
            deny,
        }
    }

    pub fn member(id: u64, allow: u64, deny: u64) -> Overwrite {
        Overwrite {
            id,
            kind: 1,
            allow,
            deny,
        }
    }
}

/// A guild id whose snowflake puts it on `shard` of `shard_count` (`(id >> 22) % count ==
/// shard`); `n` tells several apart.
pub fn guild_id_on_shard(shard: u32, shard_count: u32, n: u64) -> u64 {
    let count = u64::from(shard_count.max(1));
    let base = 300_000_000_000_u64; // ms after Discord's epoch: 2024
    let base = base - base % count;
    (base + n * count + u64::from(shard) % count) << 22
}

/// The shard that receives `guild_id`'s events.
pub fn shard_of(guild_id: u64, shard_count: u32) -> u32 {
    u32::try_from((guild_id >> 22) % u64::from(shard_count.max(1))).unwrap_or(0)
}

/// The permissions Discord computes for a member with `roles` in `channel_id` of `guild`
/// (owner, administrator, @everyone/role/member overwrites; a thread uses its parent's
/// overwrites; without VIEW_CHANNEL nothing).
pub fn permissions_in(guild: &FakeGuild, channel_id: u64, user_id: u64, roles: &[u64]) -> u64 {
    let overwrites = guild
        .channels
        .iter()
        .find(|c| c.id == channel_id)
        .map(|c| {
            if c.kind == 11 || c.kind == 12 {
                let parent = guild.first_text_channel();
                guild
                    .channels
                    .iter()
                    .find(|p| Some(p.id) == parent)
                    .map(|p| p.overwrites.clone())
                    .unwrap_or_default()
            } else {
                c.overwrites.clone()
            }
        })
        .unwrap_or_default();
    permissions_with(guild, &overwrites, user_id, roles)
}

fn permissions_with(
    guild: &FakeGuild,
    overwrites: &[Overwrite],
    user_id: u64,
    roles: &[u64],
) -> u64 {
    if user_id == OWNER_USER_ID {
        return perm::ALL;
    }
    let mut base = guild.everyone_permissions;
    for role in roles {
        if *role == guild.bot_role_id() {
            base |= guild.bot_permissions;
        } else if let Some(r) = guild.roles.iter().find(|r| r.id == *role) {
            base |= r.permissions;
        }
    }
    if base & perm::ADMINISTRATOR != 0 {
        return perm::ALL;
    }
    if let Some(o) = overwrites.iter().find(|o| o.kind == 0 && o.id == guild.id) {
        base = (base & !o.deny) | o.allow;
    }
    let (mut allow, mut deny) = (0, 0);
    for o in overwrites
        .iter()
        .filter(|o| o.kind == 0 && o.id != guild.id && roles.contains(&o.id))
    {
        allow |= o.allow;
        deny |= o.deny;
    }
    base = (base & !deny) | allow;
    if let Some(o) = overwrites.iter().find(|o| o.kind == 1 && o.id == user_id) {
        base = (base & !o.deny) | o.allow;
    }
    if base & perm::VIEW_CHANNEL == 0 {
        0
    } else {
        base
    }
}

// ---------------------------------------------------------------------------------------------
// Recorded requests
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The path without the query, e.g. "/api/v10/channels/1/messages".
    pub path: String,
    /// The query without '?', "" when none.
    pub query: String,
    pub authorization: Option<String>,
    /// The status the fake answered with.
    pub status: u16,
    /// The JSON body (for multipart: the `payload_json` part); Null when empty or not JSON.
    pub body: Value,
    /// The JSON the fake answered with (Null for 204).
    pub response: Value,
    /// All request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Files of a multipart request: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Does `path` (its query ignored) match `pattern`? `*` matches exactly one segment; a trailing
/// `**` matches the rest (zero or more segments).
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.split('?').next().unwrap_or("");
    let path = path.split('?').next().unwrap_or("");
    let pat: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (i, p) in pat.iter().enumerate() {
        if *p == "**" && i == pat.len() - 1 {
            return segs.len() >= i;
        }
        match segs.get(i) {
            Some(s) if *p == "*" || p == s => {}
            _ => return false,
        }
    }
    pat.len() == segs.len()
}

fn method_matches(pattern: &str, method: &str) -> bool {
    pattern == "*" || pattern.eq_ignore_ascii_case(method)
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// A running fake Discord. Cheap to clone.
#[derive(Clone)]
pub struct FakeDiscord {
    state: Arc<Shared>,
}

struct Shared {
    config: FakeConfig,
    http_port: u16,
    gateway_port: u16,
    notify: Notify,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    requests: Vec<Recorded>,
    handed_out: Vec<bool>,
    overrides: Vec<Override>,
    global_commands: Option<Value>,
    guild_commands: HashMap<u64, Value>,
    /// Every channel the fake knows (configured ones and created threads): id -> (guild, json).
    channels: HashMap<u64, (u64, Value)>,
    /// Message id -> current message; `message_order` keeps creation order.
    messages: HashMap<u64, Value>,
    message_order: Vec<u64>,
    /// (channel, nonce) -> message id, for `enforce_nonce`.
    nonces: HashMap<(u64, String), u64>,
    /// Interaction token -> what the fake knows about the dispatched interaction.
    interactions: HashMap<String, InteractionState>,
    /// (guild, user) -> member json seen in dispatched interactions.
    members: HashMap<(u64, u64), Value>,
    sessions: Vec<Session>,
    identified: Vec<(u32, u32)>,
    gateway_uris: Vec<String>,
    next_conn: u64,
    tasks: Vec<JoinHandle<()>>,
}

struct Override {
    method: String,
    pattern: String,
    status: u16,
    body: Value,
    headers: Vec<(String, String)>,
    remaining: usize,
}

struct InteractionState {
    id: u64,
    kind: u64,
    channel_id: u64,
    guild_id: Option<u64>,
    /// The callback type used to acknowledge it, once acknowledged.
    ack: Option<u64>,
    /// The message id of the original response (or, for 6/7, the component's message).
    original: Option<u64>,
    followups: Vec<u64>,
    /// The message a component interaction was attached to.
    component_message: Option<Value>,
}

struct Session {
    conn: u64,
    shard: u32,
    shard_count: u32,
    identify: Value,
    ready: bool,
    seq: u64,
    tx: mpsc::UnboundedSender<Outgoing>,
}

enum Outgoing {
    Text(String),
    /// Written after READY and the GUILD_CREATEs: marks the session ready.
    ReadyMark,
    Close(u16, String),
}

type HttpAnswer = (u16, Value, Vec<(String, String)>);

fn lock(state: &Shared) -> MutexGuard<'_, Inner> {
    state
        .inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeDiscord {
    /// Binds both listeners on 127.0.0.1 port 0 and starts serving.
    pub async fn start(config: FakeConfig) -> FakeDiscord {
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Discord HTTP listener");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake Discord gateway listener");
        let http_port = http.local_addr().expect("http addr").port();
        let gateway_port = gateway.local_addr().expect("gateway addr").port();

        let mut inner = Inner::default();
        for guild in &config.guilds {
            for channel in &guild.channels {
                inner.channels.insert(
                    channel.id,
                    (guild.id, channel_json(guild, channel, config.bot_user_id)),
                );
            }
        }
        let state = Arc::new(Shared {
            config,
            http_port,
            gateway_port,
            notify: Notify::new(),
            inner: Mutex::new(inner),
        });

        let s = state.clone();
        let http_task = tokio::spawn(async move {
            while let Ok((stream, _)) = http.accept().await {
                let s2 = s.clone();
                let task = tokio::spawn(async move { serve_http(s2, stream).await });
                lock(&s).tasks.push(task);
            }
        });
        let s = state.clone();
        let gateway_task = tokio::spawn(async move {
            while let Ok((stream, _)) = gateway.accept().await {
                let s2 = s.clone();
                let task = tokio::spawn(async move { serve_gateway(s2, stream).await });
                lock(&s).tasks.push(task);
            }
        });
        {
            let mut inner = lock(&state);
            inner.tasks.push(http_task);
            inner.tasks.push(gateway_task);
        }
        FakeDiscord { state }
    }

    pub fn config(&self) -> &FakeConfig {
        &self.state.config
    }

    /// "http://127.0.0.1:PORT", for `HttpBuilder::proxy`.
    pub fn api_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.state.http_port)
    }

    /// "ws://127.0.0.1:PORT2/gateway".
    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}/gateway", self.state.gateway_port)
    }

    /// Payload-builder ids for this fake: its application id, and the bot's permissions in the
    /// first channel of the first guild as `app_permissions`.
    pub fn ids(&self) -> Ids {
        let c = &self.state.config;
        let mut ids = Ids::new(c.application_id);
        ids.app_permissions = c.bot_permissions_in(c.guild_id(), c.channel_id());
        ids
    }

    /// Waits until `shard` has IDENTIFYed and READY plus its GUILD_CREATEs were written to the
    /// socket; returns the IDENTIFY's `d`.
    pub async fn wait_ready(&self, shard: u32, timeout: Duration) -> Result<Value, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let inner = lock(&self.state);
                if let Some(s) = inner
                    .sessions
                    .iter()
                    .rev()
                    .find(|s| s.shard == shard && s.ready)
                {
                    return Ok(s.identify.clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let inner = lock(&self.state);
                return Err(format!(
                    "shard {shard} not ready after {timeout:?}; IDENTIFYs so far: {:?}; requests: {}",
                    inner.identified,
                    summary(&inner.requests)
                ));
            }
        }
    }

    /// `[shard_id, shard_count]` of every IDENTIFY so far, in order.
    pub fn identified_shards(&self) -> Vec<(u32, u32)> {
        lock(&self.state).identified.clone()
    }

    /// The request URI of every gateway connection (e.g. "/gateway?v=10").
    pub fn gateway_connections(&self) -> Vec<String> {
        lock(&self.state).gateway_uris.clone()
    }

    /// Number of gateway sessions that have identified and are still connected.
    pub fn session_count(&self) -> usize {
        lock(&self.state).sessions.len()
    }

    /// Waits until exactly `n` identified sessions are connected (e.g. 0 after the bot shut
    /// down).
    pub async fn wait_session_count(&self, n: usize, timeout: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let count = self.session_count();
            if count == n {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Err(format!(
                    "{} sessions after {timeout:?}, wanted {n}",
                    self.session_count()
                ));
            }
        }
    }

    /// The callback request (`POST /interactions/{id}/{token}/callback`) of an interaction
    /// payload built by [`slash_command`], [`component`], ...
    pub async fn wait_for_callback(
        &self,
        interaction: &Value,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        self.wait_for_request("POST", &callback_path(interaction), timeout)
            .await
    }

    /// Sends a dispatch event to the session of the shard owning `data["guild_id"]` (shard 0
    /// when there is none). INTERACTION_CREATE payloads are remembered, so the callback and
    /// webhook routes know their token.
    pub async fn dispatch(&self, event: &str, data: Value) -> Result<(), String> {
        let guild = data.get("guild_id").and_then(snowflake);
        let mut inner = lock(&self.state);
        let index = inner
            .sessions
            .iter()
            .rposition(|s| match guild {
                Some(g) => shard_of(g, s.shard_count) == s.shard,
                None => s.shard == 0,
            })
            .ok_or_else(|| {
                format!(
                    "no gateway session for guild {guild:?} (sessions: {:?})",
                    inner
                        .sessions
                        .iter()
                        .map(|s| (s.shard, s.shard_count))
                        .collect::<Vec<_>>()
                )
            })?;
        if event == "INTERACTION_CREATE" {
            remember_interaction(&mut inner, &data);
        }
        let session = &mut inner.sessions[index];
        session.seq += 1;
        let frame = json!({"op": 0, "s": session.seq, "t": event, "d": data});
        session
            .tx
            .send(Outgoing::Text(frame.to_string()))
            .map_err(|_| format!("session of shard {} is closed", session.shard))
    }

    /// Sends a dispatch to the newest session of `shard`.
    pub async fn dispatch_to_shard(
        &self,
        shard: u32,
        event: &str,
        data: Value,
    ) -> Result<(), String> {
        let mut inner = lock(&self.state);
        let index = inner
            .sessions
            .iter()
            .rposition(|s| s.shard == shard)
            .ok_or_else(|| format!("no session for shard {shard}"))?;
        if event == "INTERACTION_CREATE" {
            remember_interaction(&mut inner, &data);
        }
        let session = &mut inner.sessions[index];
        session.seq += 1;
        let frame = json!({"op": 0, "s": session.seq, "t": event, "d": data});
        session
            .tx
            .send(Outgoing::Text(frame.to_string()))
            .map_err(|_| format!("session of shard {shard} is closed"))
    }

    /// Closes the newest session of `shard` with a close `code` (e.g. 4000 to make serenity
    /// reconnect, 4004 authentication failed).
    pub fn close_session(&self, shard: u32, code: u16) -> Result<(), String> {
        let inner = lock(&self.state);
        let session = inner
            .sessions
            .iter()
            .rev()
            .find(|s| s.shard == shard)
            .ok_or_else(|| format!("no session for shard {shard}"))?;
        session
            .tx
            .send(Outgoing::Close(code, "closed by test".to_string()))
            .map_err(|_| "session already closed".to_string())
    }

    /// The first request matching `method` ("*" for any) and `pattern` (see [`path_matches`])
    /// that no earlier call returned; waits up to `timeout` for it.
    pub async fn wait_for_request(
        &self,
        method: &str,
        pattern: &str,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut inner = lock(&self.state);
                let found = inner.requests.iter().enumerate().position(|(i, r)| {
                    !inner.handed_out[i]
                        && method_matches(method, &r.method)
                        && path_matches(pattern, &r.path)
                });
                if let Some(i) = found {
                    inner.handed_out[i] = true;
                    return Ok(inner.requests[i].clone());
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let inner = lock(&self.state);
                return Err(format!(
                    "no {method} {pattern} within {timeout:?}; requests so far: {}",
                    summary(&inner.requests)
                ));
            }
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// Requests the fake answered with 404 because it has no such route (not 404s of known
    /// routes such as "Unknown Message").
    pub fn unknown_routes(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r.status == 404 && r.response.get("message") == Some(&json!("404: Not Found"))
            })
            .collect()
    }

    /// The next `times` requests matching `method` and `pattern` get this answer instead of the
    /// normal one (after the Authorization check).
    pub fn respond(
        &self,
        method: &str,
        pattern: &str,
        status: u16,
        body: Value,
        headers: Vec<(String, String)>,
        times: usize,
    ) {
        if times == 0 {
            return;
        }
        lock(&self.state).overrides.push(Override {
            method: method.to_string(),
            pattern: pattern.to_string(),
            status,
            body,
            headers,
            remaining: times,
        });
    }

    /// The last command list registered globally (`None`) or for a guild; Null if none was.
    pub fn registered_commands(&self, guild: Option<u64>) -> Value {
        let inner = lock(&self.state);
        match guild {
            None => inner.global_commands.clone().unwrap_or(Value::Null),
            Some(g) => inner.guild_commands.get(&g).cloned().unwrap_or(Value::Null),
        }
    }

    /// The messages in `channel` (created through the channel route, interaction responses and
    /// follow-ups, ephemeral ones included), current state, creation order, deleted ones left out.
    /// The bot's direct message channel with `user`, once it opened one.
    pub fn dm_channel(&self, user: u64) -> Option<u64> {
        let inner = lock(&self.state);
        inner.channels.iter().find_map(|(id, (g, c))| {
            (*g == DM_GUILD && c["recipients"][0]["id"].as_str() == Some(user.to_string().as_str()))
                .then_some(*id)
        })
    }

    pub fn messages(&self, channel: u64) -> Vec<Value> {
        let inner = lock(&self.state);
        inner
            .message_order
            .iter()
            .filter_map(|id| inner.messages.get(id))
            .filter(|m| m.get("channel_id").and_then(snowflake) == Some(channel))
            .cloned()
            .collect()
    }

    /// A message by id (current state).
    pub fn message(&self, id: u64) -> Option<Value> {
        lock(&self.state).messages.get(&id).cloned()
    }

    /// The original response message of the interaction with `token`, if there is one.
    pub fn original_response(&self, token: &str) -> Option<Value> {
        let inner = lock(&self.state);
        let id = inner.interactions.get(token)?.original?;
        inner.messages.get(&id).cloned()
    }

    /// A channel object the fake knows (configured or created thread).
    pub fn channel(&self, id: u64) -> Option<Value> {
        lock(&self.state).channels.get(&id).map(|(_, c)| c.clone())
    }

    /// Stops listening and drops every connection.
    pub async fn shutdown(&self) {
        let tasks = {
            let mut inner = lock(&self.state);
            inner.sessions.clear();
            std::mem::take(&mut inner.tasks)
        };
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

fn summary(requests: &[Recorded]) -> String {
    let list: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    format!("[{}]", list.join(", "))
}

fn remember_interaction(inner: &mut Inner, data: &Value) {
    let (Some(id), Some(token)) = (
        data.get("id").and_then(snowflake),
        data.get("token").and_then(Value::as_str),
    ) else {
        return;
    };
    let guild_id = data.get("guild_id").and_then(snowflake);
    if let (Some(g), Some(member)) = (guild_id, data.get("member"))
        && let Some(user) = member
            .get("user")
            .and_then(|u| u.get("id"))
            .and_then(snowflake)
    {
        inner.members.insert((g, user), member.clone());
    }
    inner.interactions.insert(
        token.to_string(),
        InteractionState {
            id,
            kind: data.get("type").and_then(Value::as_u64).unwrap_or(0),
            channel_id: data.get("channel_id").and_then(snowflake).unwrap_or(0),
            guild_id,
            ack: None,
            original: None,
            followups: Vec::new(),
            component_message: data.get("message").cloned(),
        },
    );
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1
// ---------------------------------------------------------------------------------------------

struct HttpRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

enum ReadOutcome {
    Request(HttpRequest),
    Eof,
    Bad(&'static str),
}

async fn serve_http(state: Arc<Shared>, mut stream: TcpStream) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match read_request(&mut stream, &mut buf).await {
            ReadOutcome::Eof => return,
            ReadOutcome::Bad(why) => {
                let body = json!({"message": format!("400: Bad Request ({why})"), "code": 0});
                let _ = write_response(&mut stream, 400, &body, &[], true).await;
                return;
            }
            ReadOutcome::Request(req) => {
                let close = req.close;
                let (status, body, headers) = handle_request(&state, req);
                if write_response(&mut stream, status, &body, &headers, close)
                    .await
                    .is_err()
                    || close
                {
                    return;
                }
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0_u8; 16 * 1024];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> ReadOutcome {
    const MAX: usize = 64 * 1024 * 1024;
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1024 * 1024 {
            return ReadOutcome::Bad("header too large");
        }
        if !fill(stream, buf).await {
            return if buf.is_empty() {
                ReadOutcome::Eof
            } else {
                ReadOutcome::Bad("truncated header")
            };
        }
    };
    let Ok(head) = std::str::from_utf8(&buf[..head_end]) else {
        return ReadOutcome::Bad("header not UTF-8");
    };
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return ReadOutcome::Bad("bad request line");
    };
    let (method, target, version) = (method.to_string(), target.to_string(), version.to_string());
    let mut headers = Vec::new();
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            return ReadOutcome::Bad("bad header line");
        };
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let connection = header("connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let close = connection.contains("close")
        || (version == "HTTP/1.0" && !connection.contains("keep-alive"));
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    buf.drain(..head_end + 4);

    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(buf, b"\r\n") {
                    break i;
                }
                if !fill(stream, buf).await {
                    return ReadOutcome::Bad("truncated chunk");
                }
            };
            let size_text = String::from_utf8_lossy(&buf[..line_end]).to_string();
            let Ok(size) =
                usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            else {
                return ReadOutcome::Bad("bad chunk size");
            };
            if size > MAX || body.len() + size > MAX {
                return ReadOutcome::Bad("body too large");
            }
            buf.drain(..line_end + 2);
            if size == 0 {
                // Trailers end with an empty line.
                loop {
                    if let Some(i) = find(buf, b"\r\n") {
                        let empty = i == 0;
                        buf.drain(..i + 2);
                        if empty {
                            break;
                        }
                    } else if !fill(stream, buf).await {
                        return ReadOutcome::Bad("truncated trailer");
                    }
                }
                break body;
            }
            while buf.len() < size + 2 {
                if !fill(stream, buf).await {
                    return ReadOutcome::Bad("truncated chunk");
                }
            }
            body.extend_from_slice(&buf[..size]);
            buf.drain(..size + 2);
        }
    } else {
        let length = match header("content-length") {
            None => 0,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= MAX => n,
                _ => return ReadOutcome::Bad("bad content-length"),
            },
        };
        while buf.len() < length {
            if !fill(stream, buf).await {
                return ReadOutcome::Bad("truncated body");
            }
        }
        buf.drain(..length).collect()
    };
    ReadOutcome::Request(HttpRequest {
        method,
        target,
        headers,
        body,
        close,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    body: &Value,
    headers: &[(String, String)],
    close: bool,
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    let payload = if status == 204 || status == 304 {
        String::new()
    } else {
        body.to_string()
    };
    if status != 204 && status != 304 {
        out.push_str("Content-Type: application/json\r\n");
        out.push_str(&format!("Content-Length: {}\r\n", payload.len()));
    }
    for (k, v) in headers {
        if k.contains(['\r', '\n']) || v.contains(['\r', '\n']) {
            continue;
        }
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&payload);
    stream.write_all(out.as_bytes()).await?;
    stream.flush().await
}

/// The file parts of a multipart form: (file name, bytes exactly as sent).
fn multipart_files(headers: &[(String, String)], body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
    else {
        return Vec::new();
    };
    let delimiter = format!("\r\n--{}", boundary.trim_matches('"')).into_bytes();
    // The first boundary has no CRLF before it; add one so every part splits alike.
    let mut data = b"\r\n".to_vec();
    data.extend_from_slice(body);
    let mut files = Vec::new();
    let mut rest: &[u8] = &data;
    while let Some(at) = find(rest, &delimiter) {
        rest = &rest[at + delimiter.len()..];
        let end = find(rest, &delimiter).unwrap_or(rest.len());
        let part = &rest[..end];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]);
            if let Some(name) = head
                .split("filename=\"")
                .nth(1)
                .and_then(|n| n.split('"').next())
            {
                files.push((name.to_string(), part[split + 4..].to_vec()));
            }
        }
    }
    files
}

/// The JSON of a request body: plain JSON, or the `payload_json` part of a multipart form.
fn parse_body(headers: &[(String, String)], body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let Some(boundary) = content_type.split("boundary=").nth(1) else {
            return Value::Null;
        };
        let boundary = format!("--{}", boundary.trim_matches('"'));
        let text = String::from_utf8_lossy(body);
        for part in text.split(boundary.as_str()) {
            if let Some((part_head, part_body)) = part.split_once("\r\n\r\n")
                && part_head.contains("name=\"payload_json\"")
            {
                return serde_json::from_str(part_body.trim_end_matches("\r\n"))
                    .unwrap_or(Value::Null);
            }
        }
        return Value::Null;
    }
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

fn handle_request(state: &Shared, req: HttpRequest) -> HttpAnswer {
    let (path, query) = match req.target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (req.target.clone(), String::new()),
    };
    let authorization = req
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    let body = parse_body(&req.headers, &req.body);
    let expected_auth = format!("Bot {}", state.config.token);

    let mut inner = lock(state);
    let answer = if authorization.as_deref() != Some(expected_auth.as_str()) {
        (
            401,
            json!({"message": "401: Unauthorized", "code": 0}),
            Vec::new(),
        )
    } else if let Some(i) = inner
        .overrides
        .iter()
        .position(|o| method_matches(&o.method, &req.method) && path_matches(&o.pattern, &path))
    {
        let o = &mut inner.overrides[i];
        o.remaining -= 1;
        let answer = (o.status, o.body.clone(), o.headers.clone());
        if o.remaining == 0 {
            inner.overrides.remove(i);
        }
        answer
    } else {
        route(state, &mut inner, &req.method, &path, &body)
    };
    inner.requests.push(Recorded {
        method: req.method.clone(),
        path,
        query,
        authorization,
        status: answer.0,
        body,
        response: if answer.0 == 204 {
            Value::Null
        } else {
            answer.1.clone()
        },
        files: multipart_files(&req.headers, &req.body),
        headers: req.headers,
        at: Instant::now(),
    });
    inner.handed_out.push(false);
    drop(inner);
    state.notify.notify_waiters();
    answer
}

fn error(status: u16, code: u64, message: &str) -> HttpAnswer {
    (
        status,
        json!({"message": message, "code": code}),
        Vec::new(),
    )
}

fn ok(body: Value) -> HttpAnswer {
    (200, body, Vec::new())
}

fn no_content() -> HttpAnswer {
    (204, Value::Null, Vec::new())
}

fn not_found() -> HttpAnswer {
    error(404, 0, "404: Not Found")
}

fn invalid_form(field: &str, code: &str, message: &str) -> HttpAnswer {
    let mut errors = json!({"_errors": [{"code": code, "message": message}]});
    for part in field.rsplit('.') {
        if !part.is_empty() {
            errors = json!({ part: errors });
        }
    }
    (
        400,
        json!({"message": "Invalid Form Body", "code": 50035, "errors": errors}),
        Vec::new(),
    )
}

fn unknown_message() -> HttpAnswer {
    error(404, 10008, "Unknown Message")
}

fn unknown_channel() -> HttpAnswer {
    error(404, 10003, "Unknown Channel")
}

fn unknown_webhook() -> HttpAnswer {
    error(404, 10015, "Unknown Webhook")
}

fn missing_permissions() -> HttpAnswer {
    error(403, 50013, "Missing Permissions")
}

fn missing_access() -> HttpAnswer {
    error(403, 50001, "Missing Access")
}

fn parse_id(s: &str) -> Option<u64> {
    s.parse::<u64>().ok().filter(|n| *n > 0)
}

fn route(state: &Shared, inner: &mut Inner, method: &str, path: &str, body: &Value) -> HttpAnswer {
    let Some(rest) = path.strip_prefix("/api/v10") else {
        return not_found();
    };
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let config = &state.config;
    let app = config.application_id.to_string();
    let m = method.to_ascii_uppercase();
    match (m.as_str(), segs.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": gateway_base(state)})),
        ("GET", ["gateway", "bot"]) => ok(json!({
            "url": gateway_base(state),
            "shards": config.shard_count,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        })),
        ("GET", ["users", "@me"]) => ok(bot_user(config)),
        ("POST", ["users", "@me", "channels"]) => create_dm(inner, body),
        ("GET", ["oauth2", "applications", "@me"]) | ("GET", ["applications", "@me"]) => {
            ok(application_json(config))
        }
        ("PUT", ["applications", a, "commands"]) if *a == app => {
            register_commands(config, inner, None, body)
        }
        ("PUT", ["applications", a, "guilds", g, "commands"]) if *a == app => match parse_id(g) {
            Some(g) if config.guild(g).is_some() => register_commands(config, inner, Some(g), body),
            _ => missing_access(),
        },
        ("GET", ["applications", a, "commands"]) if *a == app => {
            ok(inner.global_commands.clone().unwrap_or_else(|| json!([])))
        }
        ("GET", ["applications", a, "guilds", g, "commands"]) if *a == app => ok(parse_id(g)
            .and_then(|g| inner.guild_commands.get(&g).cloned())
            .unwrap_or_else(|| json!([]))),
        (_, ["applications", a, ..]) if *a != app => error(404, 10002, "Unknown Application"),
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(config, inner, id, token, body)
        }
        (_, ["webhooks", a, token, ..]) if *a == app => {
            webhook_route(config, inner, &m, token, &segs[3..], body)
        }
        (_, ["webhooks", ..]) => unknown_webhook(),
        ("GET", ["channels", c]) => match parse_id(c).and_then(|c| inner.channels.get(&c)) {
            Some((_, channel)) => ok(channel.clone()),
            None => unknown_channel(),
        },
        ("POST", ["channels", c, "messages"]) => match parse_id(c) {
            Some(c) => create_channel_message(config, inner, c, body),
            None => unknown_channel(),
        },
        (_, ["channels", c, "messages", msg]) if m == "GET" || m == "PATCH" || m == "DELETE" => {
            match (parse_id(c), parse_id(msg)) {
                (Some(c), Some(msg)) => channel_message(inner, &m, c, msg, body),
                _ => unknown_message(),
            }
        }
        ("POST", ["channels", c, "threads"]) => match parse_id(c) {
            Some(c) => create_thread(config, inner, c, None, body),
            None => unknown_channel(),
        },
        ("POST", ["channels", c, "messages", msg, "threads"]) => match (parse_id(c), parse_id(msg))
        {
            (Some(c), Some(msg)) => create_thread(config, inner, c, Some(msg), body),
            _ => unknown_channel(),
        },
        ("GET", ["guilds", g]) => match parse_id(g).and_then(|g| config.guild(g)) {
            Some(guild) => ok(partial_guild_json(guild, config.bot_user_id)),
            None => error(404, 10004, "Unknown Guild"),
        },
        ("GET", ["guilds", g, "roles"]) => match parse_id(g).and_then(|g| config.guild(g)) {
            Some(guild) => ok(Value::Array(roles_json(guild, config.bot_user_id))),
            None => error(404, 10004, "Unknown Guild"),
        },
        ("GET", ["guilds", g, "channels"]) => match parse_id(g).and_then(|g| config.guild(g)) {
            Some(guild) => {
                let mut list: Vec<&(u64, Value)> = inner
                    .channels
                    .values()
                    .filter(|(gid, _)| *gid == guild.id)
                    .collect();
                list.sort_by_key(|(_, c)| c.get("id").and_then(snowflake));
                ok(Value::Array(
                    list.into_iter().map(|(_, c)| c.clone()).collect(),
                ))
            }
            None => error(404, 10004, "Unknown Guild"),
        },
        ("GET", ["guilds", g, "members", u]) => {
            match (parse_id(g).and_then(|g| config.guild(g)), parse_id(u)) {
                (Some(guild), Some(u)) if u == config.bot_user_id => ok(bot_member(config, guild)),
                (Some(guild), Some(u)) => match inner.members.get(&(guild.id, u)) {
                    Some(member) => {
                        let mut member = member.clone();
                        if let Some(obj) = member.as_object_mut() {
                            obj.remove("permissions");
                        }
                        ok(member)
                    }
                    None => error(404, 10007, "Unknown Member"),
                },
                (None, _) => error(404, 10004, "Unknown Guild"),
                _ => error(404, 10013, "Unknown User"),
            }
        }
        _ => not_found(),
    }
}

fn gateway_base(state: &Shared) -> String {
    format!("ws://127.0.0.1:{}/gateway", state.gateway_port)
}

// --- commands ------------------------------------------------------------------------------

fn valid_command_name(name: &str, lowercase: bool) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || c.is_alphanumeric())
        && (!lowercase || !name.chars().any(char::is_uppercase))
}

fn check_options(options: &[Value], field: &str, depth: usize) -> Result<(), HttpAnswer> {
    if options.len() > 25 {
        return Err(invalid_form(
            field,
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        ));
    }
    let mut seen_optional = false;
    let mut names = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let f = format!("{field}.{i}");
        let kind = o.get("type").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=11).contains(&kind) {
            return Err(invalid_form(
                &format!("{f}.type"),
                "BASE_TYPE_CHOICES",
                "Value must be one of 1..11.",
            ));
        }
        let name = o.get("name").and_then(Value::as_str).unwrap_or("");
        if !valid_command_name(name, true) {
            return Err(invalid_form(
                &format!("{f}.name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                "Command name is invalid",
            ));
        }
        if names.contains(&name) {
            return Err(invalid_form(
                &format!("{f}.name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            ));
        }
        names.push(name);
        let description = o.get("description").and_then(Value::as_str).unwrap_or("");
        if !(1..=100).contains(&description.chars().count()) {
            return Err(invalid_form(
                &format!("{f}.description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ));
        }
        let choices = o
            .get("choices")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if choices > 25 {
            return Err(invalid_form(
                &format!("{f}.choices"),
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            ));
        }
        if kind <= 2 {
            if depth >= 2 || (kind == 2 && depth >= 1) {
                return Err(invalid_form(
                    &format!("{f}.type"),
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Subcommands nested too deep",
                ));
            }
            let sub = o
                .get("options")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            check_options(&sub, &format!("{f}.options"), depth + 1)?;
        } else {
            let required = o.get("required").and_then(Value::as_bool).unwrap_or(false);
            if required && seen_optional {
                return Err(invalid_form(
                    &format!("{f}.required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                ));
            }
            seen_optional |= !required;
        }
    }
    let kinds: Vec<u64> = options
        .iter()
        .filter_map(|o| o.get("type").and_then(Value::as_u64))
        .collect();
    if kinds.iter().any(|k| *k <= 2) && kinds.iter().any(|k| *k > 2) {
        return Err(invalid_form(
            field,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all other types",
        ));
    }
    Ok(())
}

fn register_commands(
    config: &FakeConfig,
    inner: &mut Inner,
    guild: Option<u64>,
    body: &Value,
) -> HttpAnswer {
    let Some(list) = body.as_array() else {
        return invalid_form("", "BASE_TYPE_ARRAY", "Must be an array.");
    };
    if list.len() > 100 {
        return invalid_form(
            "",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 100 or fewer in length.",
        );
    }
    let mut out = Vec::new();
    let mut names: Vec<(u64, String)> = Vec::new();
    for (i, cmd) in list.iter().enumerate() {
        let Some(obj) = cmd.as_object() else {
            return invalid_form(
                &i.to_string(),
                "DICT_TYPE_CONVERT",
                "Only dictionaries may be used in a DictType",
            );
        };
        let kind = obj.get("type").and_then(Value::as_u64).unwrap_or(1);
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let description = obj
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !valid_command_name(&name, kind == 1) {
            return invalid_form(
                &format!("{i}.name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                "Command name is invalid",
            );
        }
        if names.iter().any(|(k, n)| *k == kind && *n == name) {
            return invalid_form(
                &format!("{i}.name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            );
        }
        names.push((kind, name.clone()));
        if kind == 1 && !(1..=100).contains(&description.chars().count()) {
            return invalid_form(
                &format!("{i}.description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            );
        }
        if kind != 1 && !description.is_empty() {
            return invalid_form(
                &format!("{i}.description"),
                "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                "Context menu commands cannot have description",
            );
        }
        let options = obj
            .get("options")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Err(e) = check_options(&options, &format!("{i}.options"), 0) {
            return e;
        }
        let id = command_id(&name);
        let mut echoed = obj.clone();
        echoed.insert("id".into(), json!(id.to_string()));
        echoed.insert(
            "application_id".into(),
            json!(config.application_id.to_string()),
        );
        echoed.insert("version".into(), json!((id + 1).to_string()));
        echoed.insert("type".into(), json!(kind));
        echoed.insert("description".into(), json!(description));
        echoed.insert("options".into(), Value::Array(options));
        echoed
            .entry("default_member_permissions")
            .or_insert(Value::Null);
        echoed.entry("nsfw").or_insert(json!(false));
        echoed.entry("integration_types").or_insert(json!([0]));
        if let Some(g) = guild {
            echoed.insert("guild_id".into(), json!(g.to_string()));
        }
        out.push(Value::Object(echoed));
    }
    let out = Value::Array(out);
    match guild {
        None => inner.global_commands = Some(out.clone()),
        Some(g) => {
            inner.guild_commands.insert(g, out.clone());
        }
    }
    ok(out)
}

/// The id the fake gives a command named `name` (stable; payload builders use it too).
pub fn command_id(name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    1_100_000_000_000_000_000 + hash % 100_000_000_000_000_000
}

// --- messages ------------------------------------------------------------------------------

fn str_len(v: Option<&Value>) -> usize {
    v.and_then(Value::as_str).map_or(0, |s| s.chars().count())
}

/// Discord's limits on a message body (content, embeds, components).
fn check_message_body(body: &Value) -> Result<(), HttpAnswer> {
    if !body.is_object() {
        return Err(error(400, 50109, "The request body contains invalid JSON."));
    }
    if str_len(body.get("content")) > MAX_CONTENT {
        return Err(invalid_form(
            "content",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 2000 or fewer in length.",
        ));
    }
    if let Some(embeds) = body.get("embeds").and_then(Value::as_array) {
        if embeds.len() > 10 {
            return Err(invalid_form(
                "embeds",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 10 or fewer in length.",
            ));
        }
        let mut total = 0;
        for (i, e) in embeds.iter().enumerate() {
            let limits = [("title", 256), ("description", 4096)];
            for (field, max) in limits {
                let n = str_len(e.get(field));
                if n > max {
                    return Err(invalid_form(
                        &format!("embeds.{i}.{field}"),
                        "BASE_TYPE_MAX_LENGTH",
                        &format!("Must be {max} or fewer in length."),
                    ));
                }
                total += n;
            }
            let footer = str_len(e.get("footer").and_then(|f| f.get("text")));
            let author = str_len(e.get("author").and_then(|a| a.get("name")));
            if footer > 2048 {
                return Err(invalid_form(
                    &format!("embeds.{i}.footer.text"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 2048 or fewer in length.",
                ));
            }
            if author > 256 {
                return Err(invalid_form(
                    &format!("embeds.{i}.author.name"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 256 or fewer in length.",
                ));
            }
            total += footer + author;
            let fields = e
                .get("fields")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if fields.len() > 25 {
                return Err(invalid_form(
                    &format!("embeds.{i}.fields"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                ));
            }
            for (j, f) in fields.iter().enumerate() {
                let (name, value) = (str_len(f.get("name")), str_len(f.get("value")));
                if name == 0 || name > 256 {
                    return Err(invalid_form(
                        &format!("embeds.{i}.fields.{j}.name"),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 256 in length.",
                    ));
                }
                if value == 0 || value > 1024 {
                    return Err(invalid_form(
                        &format!("embeds.{i}.fields.{j}.value"),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 1024 in length.",
                    ));
                }
                total += name + value;
            }
        }
        if total > 6000 {
            return Err(invalid_form(
                "embeds",
                "MAX_EMBED_SIZE_EXCEEDED",
                "Embed size exceeds maximum size of 6000",
            ));
        }
    }
    if let Some(rows) = body.get("components").and_then(Value::as_array) {
        if rows.len() > 5 {
            return Err(invalid_form(
                "components",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 5 or fewer in length.",
            ));
        }
        let mut custom_ids = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row.get("type").and_then(Value::as_u64) != Some(1) {
                return Err(invalid_form(
                    &format!("components.{i}.type"),
                    "UNION_TYPE_CHOICES",
                    "Value of field \"type\" must be one of (1,).",
                ));
            }
            let inner = row
                .get("components")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if inner.is_empty() || inner.len() > 5 {
                return Err(invalid_form(
                    &format!("components.{i}.components"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                ));
            }
            let selects = inner
                .iter()
                .filter(|c| c.get("type").and_then(Value::as_u64).unwrap_or(0) >= 3)
                .count();
            if selects > 0 && inner.len() > 1 {
                return Err(invalid_form(
                    &format!("components.{i}.components"),
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                ));
            }
            for (j, c) in inner.iter().enumerate() {
                let f = format!("components.{i}.components.{j}");
                let kind = c.get("type").and_then(Value::as_u64).unwrap_or(0);
                let is_link = kind == 2 && c.get("style").and_then(Value::as_u64) == Some(5);
                let custom_id = c.get("custom_id").and_then(Value::as_str);
                match custom_id {
                    None if !is_link => {
                        return Err(invalid_form(
                            &format!("{f}.custom_id"),
                            "BASE_TYPE_REQUIRED",
                            "This field is required",
                        ));
                    }
                    Some(id) if id.is_empty() || id.chars().count() > 100 => {
                        return Err(invalid_form(
                            &format!("{f}.custom_id"),
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 100 in length.",
                        ));
                    }
                    Some(id) => {
                        if custom_ids.contains(&id.to_string()) {
                            return Err(invalid_form(
                                &format!("{f}.custom_id"),
                                "COMPONENT_CUSTOM_ID_DUPLICATED",
                                "Component custom id cannot be duplicated",
                            ));
                        }
                        custom_ids.push(id.to_string());
                    }
                    None => {}
                }
                if str_len(c.get("label")) > 80 {
                    return Err(invalid_form(
                        &format!("{f}.label"),
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 80 or fewer in length.",
                    ));
                }
                if kind == 3 {
                    let options = c
                        .get("options")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    if options.is_empty() || options.len() > 25 {
                        return Err(invalid_form(
                            &format!("{f}.options"),
                            "BASE_TYPE_BAD_LENGTH",
                            "Must be between 1 and 25 in length.",
                        ));
                    }
                    for (k, o) in options.iter().enumerate() {
                        let (label, value) = (str_len(o.get("label")), str_len(o.get("value")));
                        if label == 0
                            || label > 100
                            || value == 0
                            || value > 100
                            || str_len(o.get("description")) > 100
                        {
                            return Err(invalid_form(
                                &format!("{f}.options.{k}"),
                                "BASE_TYPE_BAD_LENGTH",
                                "Must be between 1 and 100 in length.",
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn is_empty_message(m: &Value) -> bool {
    let empty_array = |k: &str| m.get(k).and_then(Value::as_array).is_none_or(Vec::is_empty);
    str_len(m.get("content")) == 0
        && empty_array("embeds")
        && empty_array("components")
        && empty_array("attachments")
        && empty_array("sticker_ids")
        && m.get("poll").is_none_or(Value::is_null)
}

/// Fills a stored message from a request body (content, embeds, components, flags, tts, ...).
fn apply_body(message: &mut Map<String, Value>, body: &Value) {
    let Some(obj) = body.as_object() else {
        return;
    };
    for key in [
        "content",
        "embeds",
        "components",
        "tts",
        "attachments",
        "poll",
    ] {
        if let Some(v) = obj.get(key) {
            let v = match (key, v) {
                ("content", Value::Null) => json!(""),
                ("embeds" | "components" | "attachments", Value::Null) => json!([]),
                ("tts", Value::Null) => json!(false),
                _ => v.clone(),
            };
            message.insert(key.to_string(), v);
        }
    }
    if let Some(embeds) = message.get_mut("embeds").and_then(Value::as_array_mut) {
        for e in embeds.iter_mut() {
            if let Some(e) = e.as_object_mut() {
                e.entry("type").or_insert(json!("rich"));
            }
        }
    }
    // An uploaded file comes back as Discord stores it: an Attachment with its own id and URLs.
    if let Some(list) = message.get_mut("attachments").and_then(Value::as_array_mut) {
        for a in list.iter_mut() {
            if a.get("url").is_some() {
                continue;
            }
            let name = a["filename"].as_str().unwrap_or("file").to_string();
            let id = next_snowflake();
            *a = json!({
                "id": id.to_string(),
                "filename": name,
                "size": 0,
                "url": format!("https://cdn.discordapp.com/attachments/0/{id}/{name}"),
                "proxy_url": format!("https://media.discordapp.net/attachments/0/{id}/{name}"),
                "content_type": "image/png"
            });
        }
    }
    if let Some(flags) = obj.get("flags").and_then(Value::as_u64) {
        // Only SUPPRESS_EMBEDS (4), EPHEMERAL (64) and SUPPRESS_NOTIFICATIONS (4096) can be set.
        let old = message.get("flags").and_then(Value::as_u64).unwrap_or(0);
        message.insert("flags".into(), json!(old | (flags & (4 | 64 | 4096))));
    }
}

fn bot_author(config: &FakeConfig) -> Value {
    json!({
        "id": config.bot_user_id.to_string(),
        "username": "studybot",
        "discriminator": "0000",
        "global_name": null,
        "avatar": null,
        "bot": true,
        "public_flags": 0
    })
}

fn new_message(config: &FakeConfig, channel: u64, body: &Value) -> Map<String, Value> {
    let mut obj = match message_with_author(
        next_snowflake(),
        channel,
        bot_author(config),
        "",
        json!([]),
        json!([]),
    ) {
        Value::Object(obj) => obj,
        _ => Map::new(),
    };
    apply_body(&mut obj, body);
    obj
}

fn store_message(inner: &mut Inner, message: Value) -> u64 {
    let id = message.get("id").and_then(snowflake).unwrap_or(0);
    inner.messages.insert(id, message);
    inner.message_order.push(id);
    id
}

fn bot_can(
    config: &FakeConfig,
    inner: &Inner,
    channel: u64,
    needed: u64,
) -> Result<(), HttpAnswer> {
    let Some((guild_id, channel_json)) = inner.channels.get(&channel) else {
        return Err(unknown_channel());
    };
    // A direct message channel (made by `create_dm`): no server permissions apply.
    if *guild_id == DM_GUILD {
        return Ok(());
    }
    let Some(guild) = config.guild(*guild_id) else {
        return Err(unknown_channel());
    };
    // Threads created at runtime use their parent's overwrites.
    let lookup = match channel_json.get("parent_id").and_then(snowflake) {
        Some(parent) if guild.channels.iter().all(|c| c.id != channel) => parent,
        _ => channel,
    };
    let perms = permissions_in(guild, lookup, config.bot_user_id, &[guild.bot_role_id()]);
    if perms & perm::VIEW_CHANNEL == 0 {
        return Err(missing_access());
    }
    if perms & needed != needed {
        return Err(missing_permissions());
    }
    Ok(())
}

/// The "server" of direct message channels in `Inner::channels`.
const DM_GUILD: u64 = 0;

/// `POST /users/@me/channels {"recipient_id"}`: the bot's DM channel with a user (one per user).
fn create_dm(inner: &mut Inner, body: &Value) -> HttpAnswer {
    let Some(user) = body.get("recipient_id").and_then(snowflake) else {
        return invalid_form(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        );
    };
    let existing = inner.channels.iter().find(|(_, (g, c))| {
        *g == DM_GUILD && c["recipients"][0]["id"].as_str() == Some(user.to_string().as_str())
    });
    if let Some((_, (_, channel))) = existing {
        return ok(channel.clone());
    }
    let id = next_snowflake();
    let channel = json!({
        "id": id.to_string(),
        "type": 1,
        "last_message_id": null,
        "recipients": [{
            "id": user.to_string(),
            "username": format!("user{user}"),
            "discriminator": "0",
            "global_name": null,
            "avatar": null,
            "public_flags": 0
        }]
    });
    inner.channels.insert(id, (DM_GUILD, channel.clone()));
    ok(channel)
}

fn is_thread(inner: &Inner, channel: u64) -> bool {
    inner
        .channels
        .get(&channel)
        .and_then(|(_, c)| c.get("type"))
        .and_then(Value::as_u64)
        .is_some_and(|t| (10..=12).contains(&t))
}

fn create_channel_message(
    config: &FakeConfig,
    inner: &mut Inner,
    channel: u64,
    body: &Value,
) -> HttpAnswer {
    if !inner.channels.contains_key(&channel) {
        return unknown_channel();
    }
    let needed = if is_thread(inner, channel) {
        perm::SEND_MESSAGES_IN_THREADS
    } else {
        perm::SEND_MESSAGES
    };
    if let Err(e) = bot_can(config, inner, channel, needed) {
        return e;
    }
    if let Err(e) = check_message_body(body) {
        return e;
    }
    if is_empty_message(body) {
        return error(400, 50006, "Cannot send an empty message");
    }
    let nonce = body.get("nonce").and_then(|n| match n {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    if let Some(n) = &nonce
        && n.chars().count() > 25
    {
        return invalid_form(
            "nonce",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        );
    }
    let enforce = body
        .get("enforce_nonce")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let (Some(n), true) = (&nonce, enforce)
        && let Some(existing) = inner
            .nonces
            .get(&(channel, n.clone()))
            .and_then(|id| inner.messages.get(id))
    {
        return ok(existing.clone());
    }
    let mut message = new_message(config, channel, body);
    if let Some(n) = body.get("nonce") {
        message.insert("nonce".into(), n.clone());
    }
    if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
        let Some(target) = reference.get("message_id").and_then(snowflake) else {
            return invalid_form(
                "message_reference.message_id",
                "BASE_TYPE_REQUIRED",
                "This field is required",
            );
        };
        match inner.messages.get(&target) {
            Some(referenced) => {
                message.insert("referenced_message".into(), referenced.clone());
            }
            None if reference.get("fail_if_not_exists").and_then(Value::as_bool) != Some(false) => {
                return invalid_form(
                    "message_reference",
                    "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                    "Unknown message",
                );
            }
            None => {}
        }
        let mut r = reference.clone();
        if let Some(obj) = r.as_object_mut() {
            obj.entry("channel_id")
                .or_insert(json!(channel.to_string()));
        }
        message.insert("message_reference".into(), r);
        message.insert("type".into(), json!(19));
    }
    let message = Value::Object(message);
    let id = store_message(inner, message.clone());
    if let (Some(n), true) = (nonce, enforce) {
        inner.nonces.insert((channel, n), id);
    }
    ok(message)
}

fn edit_message(inner: &mut Inner, id: u64, body: &Value) -> HttpAnswer {
    if let Err(e) = check_message_body(body) {
        return e;
    }
    let Some(message) = inner.messages.get_mut(&id) else {
        return unknown_message();
    };
    let mut obj = message.as_object().cloned().unwrap_or_default();
    apply_body(&mut obj, body);
    obj.insert("edited_timestamp".into(), json!(now_timestamp()));
    let updated = Value::Object(obj);
    if is_empty_message(&updated) {
        return error(400, 50006, "Cannot send an empty message");
    }
    *message = updated.clone();
    ok(updated)
}

fn channel_message(
    inner: &mut Inner,
    method: &str,
    channel: u64,
    id: u64,
    body: &Value,
) -> HttpAnswer {
    if !inner.channels.contains_key(&channel) {
        return unknown_channel();
    }
    let in_channel = inner
        .messages
        .get(&id)
        .is_some_and(|m| m.get("channel_id").and_then(snowflake) == Some(channel));
    if !in_channel {
        return unknown_message();
    }
    match method {
        "GET" => ok(inner.messages.get(&id).cloned().unwrap_or(Value::Null)),
        "PATCH" => edit_message(inner, id, body),
        _ => {
            inner.messages.remove(&id);
            no_content()
        }
    }
}

fn create_thread(
    config: &FakeConfig,
    inner: &mut Inner,
    parent: u64,
    from_message: Option<u64>,
    body: &Value,
) -> HttpAnswer {
    let Some((guild_id, parent_json)) = inner.channels.get(&parent).cloned() else {
        return unknown_channel();
    };
    if parent_json
        .get("type")
        .and_then(Value::as_u64)
        .is_some_and(|t| (10..=12).contains(&t))
    {
        return error(400, 50024, "Cannot execute action on this channel type");
    }
    let kind = match from_message {
        Some(_) => 11,
        None => body.get("type").and_then(Value::as_u64).unwrap_or(12),
    };
    let needed = if kind == 12 {
        perm::CREATE_PRIVATE_THREADS
    } else {
        perm::CREATE_PUBLIC_THREADS
    };
    if let Err(e) = bot_can(config, inner, parent, needed) {
        return e;
    }
    if let Some(m) = from_message {
        let in_channel = inner
            .messages
            .get(&m)
            .is_some_and(|msg| msg.get("channel_id").and_then(snowflake) == Some(parent));
        if !in_channel {
            return unknown_message();
        }
        if inner.channels.contains_key(&m) {
            return error(
                400,
                160004,
                "A thread has already been created for this message",
            );
        }
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    if !(1..=100).contains(&name.chars().count()) {
        return invalid_form(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        );
    }
    let archive = body
        .get("auto_archive_duration")
        .and_then(Value::as_u64)
        .unwrap_or(4320);
    if ![60, 1440, 4320, 10080].contains(&archive) {
        return invalid_form(
            "auto_archive_duration",
            "BASE_TYPE_CHOICES",
            "Value must be one of {60, 1440, 4320, 10080}.",
        );
    }
    // A thread started from a message has the message's id.
    let id = from_message.unwrap_or_else(next_snowflake);
    let thread = json!({
        "id": id.to_string(),
        "type": kind,
        "guild_id": guild_id.to_string(),
        "parent_id": parent.to_string(),
        "owner_id": config.bot_user_id.to_string(),
        "name": name,
        "last_message_id": null,
        "rate_limit_per_user": body.get("rate_limit_per_user").and_then(Value::as_u64).unwrap_or(0),
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": archive,
            "archive_timestamp": now_timestamp(),
            "locked": false,
            "create_timestamp": now_timestamp(),
            "invitable": body.get("invitable").and_then(Value::as_bool).unwrap_or(true)
        },
        "member": {"id": id.to_string(), "user_id": config.bot_user_id.to_string(), "join_timestamp": now_timestamp(), "flags": 0}
    });
    inner.channels.insert(id, (guild_id, thread.clone()));
    if let Some(m) = from_message
        && let Some(Value::Object(msg)) = inner.messages.get_mut(&m)
    {
        msg.insert("thread".into(), thread.clone());
    }
    (201, thread, Vec::new())
}

// --- interactions --------------------------------------------------------------------------

fn interaction_callback(
    config: &FakeConfig,
    inner: &mut Inner,
    id: &str,
    token: &str,
    body: &Value,
) -> HttpAnswer {
    let Some(state) = inner.interactions.get(token) else {
        return error(404, 10062, "Unknown interaction");
    };
    if parse_id(id) != Some(state.id) {
        return error(404, 10062, "Unknown interaction");
    }
    if state.ack.is_some() {
        return error(400, 40060, "Interaction has already been acknowledged.");
    }
    let Some(kind) = body.get("type").and_then(Value::as_u64) else {
        return invalid_form("type", "BASE_TYPE_REQUIRED", "This field is required");
    };
    let interaction_kind = state.kind;
    let allowed: &[u64] = match interaction_kind {
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => &[1],
    };
    if !allowed.contains(&kind) {
        return error(
            400,
            50035,
            "Invalid Form Body: interaction response type not allowed for this interaction",
        );
    }
    let data = body.get("data").cloned().unwrap_or(Value::Null);
    let channel = state.channel_id;
    let component_message = state.component_message.clone();
    let mut original = None;
    match kind {
        4 => {
            if let Err(e) = check_message_body(&data) {
                return e;
            }
            if is_empty_message(&data) {
                return error(400, 50006, "Cannot send an empty message");
            }
            let mut m = new_message(config, channel, &data);
            m.insert(
                "webhook_id".into(),
                json!(config.application_id.to_string()),
            );
            m.insert(
                "application_id".into(),
                json!(config.application_id.to_string()),
            );
            m.insert(
                "type".into(),
                json!(if interaction_kind == 2 { 20 } else { 0 }),
            );
            original = Some(store_message(inner, Value::Object(m)));
        }
        5 => {
            let mut m = new_message(config, channel, &data);
            let flags = m.get("flags").and_then(Value::as_u64).unwrap_or(0);
            m.insert("flags".into(), json!(flags | 128)); // LOADING
            m.insert(
                "webhook_id".into(),
                json!(config.application_id.to_string()),
            );
            m.insert(
                "application_id".into(),
                json!(config.application_id.to_string()),
            );
            m.insert(
                "type".into(),
                json!(if interaction_kind == 2 { 20 } else { 0 }),
            );
            original = Some(store_message(inner, Value::Object(m)));
        }
        6 | 7 => {
            let Some(message) = component_message else {
                return error(400, 50035, "Invalid Form Body: no message to update");
            };
            let mid = message.get("id").and_then(snowflake).unwrap_or(0);
            if !inner.messages.contains_key(&mid) {
                store_message(inner, message);
            }
            if kind == 7 {
                if let Err(e) = check_message_body(&data) {
                    return e;
                }
                if let Some(Value::Object(m)) = inner.messages.get_mut(&mid) {
                    apply_body(m, &data);
                    m.insert("edited_timestamp".into(), json!(now_timestamp()));
                }
            }
            original = Some(mid);
        }
        8 => {
            let choices = data
                .get("choices")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if choices.len() > 25 {
                return invalid_form(
                    "data.choices",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                );
            }
            for (i, c) in choices.iter().enumerate() {
                let name = str_len(c.get("name"));
                let value_ok = match c.get("value") {
                    Some(Value::String(s)) => (1..=100).contains(&s.chars().count()),
                    Some(Value::Number(_)) => true,
                    _ => false,
                };
                if !(1..=100).contains(&name) || !value_ok {
                    return invalid_form(
                        &format!("data.choices.{i}"),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    );
                }
            }
        }
        9 => {
            let title = str_len(data.get("title"));
            let custom_id = str_len(data.get("custom_id"));
            if !(1..=45).contains(&title) || !(1..=100).contains(&custom_id) {
                return invalid_form(
                    "data",
                    "BASE_TYPE_BAD_LENGTH",
                    "Modal title or custom_id has a bad length.",
                );
            }
        }
        _ => {}
    }
    if let Some(state) = inner.interactions.get_mut(token) {
        state.ack = Some(kind);
        state.original = original;
    }
    no_content()
}

fn webhook_route(
    config: &FakeConfig,
    inner: &mut Inner,
    method: &str,
    token: &str,
    rest: &[&str],
    body: &Value,
) -> HttpAnswer {
    let Some(state) = inner.interactions.get(token) else {
        return unknown_webhook();
    };
    let acked = state.ack.is_some_and(|k| k != 8 && k != 9);
    let channel = state.channel_id;
    let original = state.original;
    let followups = state.followups.clone();
    match (method, rest) {
        ("POST", []) => {
            if !acked {
                return unknown_webhook();
            }
            if let Err(e) = check_message_body(body) {
                return e;
            }
            if is_empty_message(body) {
                return error(400, 50006, "Cannot send an empty message");
            }
            let mut m = new_message(config, channel, body);
            m.insert(
                "webhook_id".into(),
                json!(config.application_id.to_string()),
            );
            m.insert(
                "application_id".into(),
                json!(config.application_id.to_string()),
            );
            let id = store_message(inner, Value::Object(m.clone()));
            if let Some(state) = inner.interactions.get_mut(token) {
                state.followups.push(id);
            }
            ok(Value::Object(m))
        }
        (_, ["messages", which]) => {
            let id = if *which == "@original" {
                match original {
                    Some(id) => id,
                    None => return unknown_message(),
                }
            } else {
                match parse_id(which) {
                    Some(id) if followups.contains(&id) || Some(id) == original => id,
                    _ => return unknown_message(),
                }
            };
            match method {
                "GET" => inner
                    .messages
                    .get(&id)
                    .cloned()
                    .map_or_else(unknown_message, ok),
                "PATCH" => {
                    let answer = edit_message(inner, id, body);
                    if answer.0 == 200 {
                        // Editing a deferred response ends its LOADING state.
                        if let Some(Value::Object(m)) = inner.messages.get_mut(&id) {
                            let flags = m.get("flags").and_then(Value::as_u64).unwrap_or(0);
                            m.insert("flags".into(), json!(flags & !128));
                            return ok(Value::Object(m.clone()));
                        }
                    }
                    answer
                }
                "DELETE" => match inner.messages.remove(&id) {
                    Some(_) => no_content(),
                    None => unknown_message(),
                },
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

// ---------------------------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------------------------

async fn serve_gateway(state: Arc<Shared>, stream: TcpStream) {
    let mut uri = String::new();
    #[allow(clippy::result_large_err)] // the handshake callback's error type is tungstenite's
    let callback = |req: &Request, resp: Response| {
        uri = req.uri().to_string();
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let conn = {
        let mut inner = lock(&state);
        inner.gateway_uris.push(uri);
        inner.next_conn += 1;
        inner.next_conn
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();

    let writer_state = state.clone();
    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Outgoing::Text(text) => {
                    if sink.send(WsMessage::Text(text)).await.is_err() {
                        break;
                    }
                }
                Outgoing::ReadyMark => {
                    {
                        let mut inner = lock(&writer_state);
                        if let Some(s) = inner.sessions.iter_mut().find(|s| s.conn == conn) {
                            s.ready = true;
                        }
                    }
                    writer_state.notify.notify_waiters();
                }
                Outgoing::Close(code, reason) => {
                    let frame = CloseFrame {
                        code: CloseCode::from(code),
                        reason: reason.into(),
                    };
                    let _ = sink.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
            }
        }
    });
    lock(&state).tasks.push(writer);

    let _ = tx.send(Outgoing::Text(
        json!({"op": 10, "d": {"heartbeat_interval": 41250}}).to_string(),
    ));
    let mut closing = false;
    while let Some(frame) = source.next().await {
        let Ok(frame) = frame else {
            break;
        };
        let text = match frame {
            WsMessage::Text(t) => t,
            WsMessage::Binary(b) => String::from_utf8_lossy(&b).to_string(),
            WsMessage::Close(_) => {
                // Keep reading: tungstenite sends the close reply while we poll.
                closing = true;
                continue;
            }
            _ => continue,
        };
        if closing {
            continue;
        }
        let Ok(payload) = serde_json::from_str::<Value>(&text) else {
            let _ = tx.send(Outgoing::Close(
                4002,
                "Error while decoding payload.".into(),
            ));
            closing = true;
            continue;
        };
        match payload.get("op").and_then(Value::as_u64) {
            Some(1) => {
                let _ = tx.send(Outgoing::Text(json!({"op": 11}).to_string()));
            }
            Some(2) => {
                if let Err((code, reason)) = identify(&state, conn, &tx, &payload) {
                    let _ = tx.send(Outgoing::Close(code, reason.to_string()));
                    closing = true;
                }
            }
            Some(6) => {
                let _ = tx.send(Outgoing::Text(json!({"op": 9, "d": false}).to_string()));
            }
            Some(3 | 4 | 8 | 31) => {}
            _ => {
                let _ = tx.send(Outgoing::Close(4001, "Unknown opcode.".into()));
                closing = true;
            }
        }
    }
    lock(&state).sessions.retain(|s| s.conn != conn);
    state.notify.notify_waiters();
}

fn identify(
    state: &Shared,
    conn: u64,
    tx: &mpsc::UnboundedSender<Outgoing>,
    payload: &Value,
) -> Result<(), (u16, &'static str)> {
    let config = &state.config;
    let d = payload.get("d").cloned().unwrap_or(Value::Null);
    let token = d.get("token").and_then(Value::as_str).unwrap_or("");
    if token != format!("Bot {}", config.token) {
        return Err((4004, "Authentication failed."));
    }
    let shard = d.get("shard").and_then(Value::as_array);
    let (shard_id, shard_count) = match shard.map(|s| {
        (
            s.first().and_then(Value::as_u64),
            s.get(1).and_then(Value::as_u64),
        )
    }) {
        None => (0, 1),
        Some((Some(id), Some(count))) if count > 0 && id < count => (
            u32::try_from(id).unwrap_or(0),
            u32::try_from(count).unwrap_or(1),
        ),
        Some(_) => return Err((4010, "Invalid shard.")),
    };
    let mut inner = lock(state);
    if inner.sessions.iter().any(|s| s.conn == conn) {
        return Err((4005, "Already authenticated."));
    }
    inner.identified.push((shard_id, shard_count));
    let guilds: Vec<&FakeGuild> = config
        .guilds
        .iter()
        .filter(|g| shard_of(g.id, shard_count) == shard_id)
        .collect();
    let session_id = format!("fake-session-{conn}");
    let mut seq = 1;
    let ready = ready_payload(
        config,
        &guilds,
        &session_id,
        &gateway_base(state),
        shard_id,
        shard_count,
    );
    let _ = tx.send(Outgoing::Text(
        json!({"op": 0, "s": seq, "t": "READY", "d": ready}).to_string(),
    ));
    for guild in guilds {
        seq += 1;
        let d = guild_create_payload(config, guild);
        let _ = tx.send(Outgoing::Text(
            json!({"op": 0, "s": seq, "t": "GUILD_CREATE", "d": d}).to_string(),
        ));
    }
    let _ = tx.send(Outgoing::ReadyMark);
    inner.sessions.push(Session {
        conn,
        shard: shard_id,
        shard_count,
        identify: d,
        ready: false,
        seq,
        tx: tx.clone(),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

static SNOWFLAKE_COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh snowflake (current time, process-wide counter), unique within the process.
pub fn next_snowflake() -> u64 {
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(DISCORD_EPOCH_MS);
    let count = SNOWFLAKE_COUNTER.fetch_add(1, Ordering::Relaxed);
    (now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22) | (count & 0x3F_FFFF)
}

fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A snowflake from a JSON string or number.
pub fn snowflake(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The `id` of an interaction (or message) payload; 0 when missing.
pub fn interaction_id(v: &Value) -> u64 {
    v.get("id").and_then(snowflake).unwrap_or(0)
}

/// The `token` of an interaction payload; "" when missing.
pub fn interaction_token(v: &Value) -> String {
    v.get("token")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The `id` of a message payload; 0 when missing.
pub fn message_id(v: &Value) -> u64 {
    interaction_id(v)
}

/// The path of the callback route of an interaction payload.
pub fn callback_path(v: &Value) -> String {
    format!(
        "/api/v10/interactions/{}/{}/callback",
        interaction_id(v),
        interaction_token(v)
    )
}

fn bot_user(config: &FakeConfig) -> Value {
    json!({
        "id": config.bot_user_id.to_string(),
        "username": "studybot",
        "discriminator": "0000",
        "global_name": null,
        "avatar": null,
        "bot": true,
        "system": false,
        "mfa_enabled": false,
        "verified": true,
        "email": null,
        "flags": 0,
        "public_flags": 0,
        "banner": null,
        "accent_color": null
    })
}

fn owner_user() -> Value {
    json!({
        "id": OWNER_USER_ID.to_string(),
        "username": "owner",
        "discriminator": "0",
        "global_name": "Owner",
        "avatar": null,
        "public_flags": 0
    })
}

fn application_json(config: &FakeConfig) -> Value {
    json!({
        "id": config.application_id.to_string(),
        "name": "studybot",
        "icon": null,
        "description": "",
        "summary": "",
        "type": null,
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "flags": 0,
        "owner": owner_user(),
        "team": null,
        "rpc_origins": [],
        "tags": [],
        "hook": true,
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "integration_types_config": {"0": {}},
        "bot": bot_user(config)
    })
}

/// READY's `d`: the given guilds as unavailable.
pub fn ready_payload(
    config: &FakeConfig,
    guilds: &[&FakeGuild],
    session_id: &str,
    resume_url: &str,
    shard: u32,
    shard_count: u32,
) -> Value {
    let guilds: Vec<Value> = guilds
        .iter()
        .map(|g| json!({"id": g.id.to_string(), "unavailable": true}))
        .collect();
    json!({
        "v": 10,
        "user": bot_user(config),
        "guilds": guilds,
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "shard": [shard, shard_count],
        "application": {"id": config.application_id.to_string(), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["local"],
        "user_settings": {},
        "_trace": ["fake-discord"]
    })
}

fn role_json(
    id: u64,
    name: &str,
    permissions: u64,
    position: u64,
    managed: bool,
    tags: Value,
) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": managed,
        "mentionable": false,
        "flags": 0,
        "tags": tags
    })
}

fn roles_json(guild: &FakeGuild, bot_user_id: u64) -> Vec<Value> {
    let mut roles = vec![
        role_json(
            guild.id,
            "@everyone",
            guild.everyone_permissions,
            0,
            false,
            json!({}),
        ),
        role_json(
            guild.bot_role_id(),
            "studybot",
            guild.bot_permissions,
            1,
            true,
            json!({"bot_id": bot_user_id.to_string()}),
        ),
    ];
    for (i, r) in guild.roles.iter().enumerate() {
        roles.push(role_json(
            r.id,
            &r.name,
            r.permissions,
            2 + i as u64,
            false,
            json!({}),
        ));
    }
    roles
}

fn overwrites_json(overwrites: &[Overwrite]) -> Value {
    Value::Array(
        overwrites
            .iter()
            .map(|o| json!({"id": o.id.to_string(), "type": o.kind, "allow": o.allow.to_string(), "deny": o.deny.to_string()}))
            .collect(),
    )
}

fn channel_json(guild: &FakeGuild, channel: &FakeChannel, bot_user_id: u64) -> Value {
    if channel.kind == 10 || channel.kind == 11 || channel.kind == 12 {
        let parent = guild.first_text_channel().unwrap_or(guild.id);
        return json!({
            "id": channel.id.to_string(),
            "type": channel.kind,
            "guild_id": guild.id.to_string(),
            "parent_id": parent.to_string(),
            "owner_id": bot_user_id.to_string(),
            "name": channel.name,
            "last_message_id": null,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": false,
                "auto_archive_duration": 4320,
                "archive_timestamp": "2024-01-01T00:00:00.000Z",
                "locked": false,
                "create_timestamp": "2024-01-01T00:00:00.000Z"
            }
        });
    }
    let position = guild
        .channels
        .iter()
        .position(|c| c.id == channel.id)
        .unwrap_or(0);
    json!({
        "id": channel.id.to_string(),
        "type": channel.kind,
        "guild_id": guild.id.to_string(),
        "name": channel.name,
        "position": position,
        "permission_overwrites": overwrites_json(&channel.overwrites),
        "parent_id": null,
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "flags": 0
    })
}

fn bot_member(config: &FakeConfig, guild: &FakeGuild) -> Value {
    json!({
        "user": bot_user(config),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": [guild.bot_role_id().to_string()],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null
    })
}

/// A member of a guild with [`FakeGuild::extra_members`].
fn synthetic_member(guild: &FakeGuild, k: u64) -> Value {
    let id = guild.id.wrapping_mul(1000).wrapping_add(k) % (1 << 62);
    json!({
        "user": {
            "id": id.to_string(),
            "username": format!("member{k}"),
            "global_name": format!("Member {k}"),
            "discriminator": "0",
            "avatar": null,
            "bot": false
        },
        "nick": null,
        "avatar": null,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false
    })
}

fn partial_guild_json(guild: &FakeGuild, bot_user_id: u64) -> Value {
    json!({
        "id": guild.id.to_string(),
        "name": guild.name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": OWNER_USER_ID.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles_json(guild, bot_user_id),
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null
    })
}

/// GUILD_CREATE's `d`: the full guild with roles, channels (threads apart), and the bot's own
/// member, so serenity's cache can compute the bot's permissions.
pub fn guild_create_payload(config: &FakeConfig, guild: &FakeGuild) -> Value {
    let mut g = partial_guild_json(guild, config.bot_user_id);
    let is_thread = |c: &&FakeChannel| c.kind == 10 || c.kind == 11 || c.kind == 12;
    let channels: Vec<Value> = guild
        .channels
        .iter()
        .filter(|c| !is_thread(c))
        .map(|c| channel_json(guild, c, config.bot_user_id))
        .collect();
    let threads: Vec<Value> = guild
        .channels
        .iter()
        .filter(is_thread)
        .map(|c| channel_json(guild, c, config.bot_user_id))
        .collect();
    if let Some(obj) = g.as_object_mut() {
        obj.insert(
            "joined_at".into(),
            json!("2024-01-01T00:00:00.000000+00:00"),
        );
        obj.insert("large".into(), json!(false));
        obj.insert("unavailable".into(), json!(false));
        obj.insert("member_count".into(), json!(2 + guild.extra_members));
        obj.insert("voice_states".into(), json!([]));
        let mut members = vec![bot_member(config, guild)];
        members.extend((0..guild.extra_members).map(|k| synthetic_member(guild, k)));
        obj.insert("members".into(), Value::Array(members));
        obj.insert("channels".into(), Value::Array(channels));
        obj.insert("threads".into(), Value::Array(threads));
        obj.insert("presences".into(), json!([]));
        obj.insert("stage_instances".into(), json!([]));
        obj.insert("guild_scheduled_events".into(), json!([]));
        obj.insert("soundboard_sounds".into(), json!([]));
        obj.insert("embedded_activities".into(), json!([]));
        obj.insert("lazy".into(), json!(true));
    }
    g
}

/// Generates interaction ids and tokens; carries the application id and the bot's
/// permissions (`app_permissions`) that interactions report.
#[derive(Debug)]
pub struct Ids {
    pub application_id: u64,
    pub app_permissions: u64,
    pub locale: String,
    counter: AtomicU64,
}

impl Ids {
    pub fn new(application_id: u64) -> Ids {
        Ids {
            application_id,
            app_permissions: perm::EVERYONE_DEFAULT | perm::BOT_DEFAULT,
            locale: "en-US".to_string(),
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh snowflake.
    pub fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed);
        next_snowflake()
    }

    fn next_token(&self, id: u64) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("aW50ZXJhY3Rpb24-{id}-{n}")
    }
}

/// The user behind an interaction. `permissions` is what Discord sends as
/// `member.permissions`: the member's computed permissions in the channel.
#[derive(Clone, Debug)]
pub struct FakeUser {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub roles: Vec<u64>,
}

impl FakeUser {
    /// A plain member: [`perm::MEMBER_DEFAULT`], no roles.
    pub fn new(id: u64, name: &str) -> FakeUser {
        FakeUser {
            id,
            name: name.to_string(),
            permissions: perm::MEMBER_DEFAULT,
            roles: Vec::new(),
        }
    }

    pub fn with_permissions(mut self, permissions: u64) -> FakeUser {
        self.permissions = permissions;
        self
    }

    pub fn with_roles(mut self, roles: Vec<u64>) -> FakeUser {
        self.roles = roles;
        self
    }

    /// The user object.
    pub fn user_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": null,
            "public_flags": 0
        })
    }

    /// The member object as interactions carry it (with `permissions`).
    pub fn member_json(&self) -> Value {
        json!({
            "user": self.user_json(),
            "nick": null,
            "avatar": null,
            "banner": null,
            "roles": self.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "joined_at": "2024-02-01T00:00:00.000000+00:00",
            "premium_since": null,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "permissions": self.permissions.to_string(),
            "communication_disabled_until": null,
            "unusual_dm_activity_until": null
        })
    }
}

fn interaction_base(
    ids: &Ids,
    kind: u8,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    data: Value,
) -> Value {
    let id = ids.next();
    json!({
        "id": id.to_string(),
        "application_id": ids.application_id.to_string(),
        "type": kind,
        "data": data,
        "guild_id": guild.to_string(),
        "channel_id": channel.to_string(),
        "member": user.member_json(),
        "token": ids.next_token(id),
        "version": 1,
        "app_permissions": ids.app_permissions.to_string(),
        "locale": ids.locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760
    })
}

/// INTERACTION_CREATE data for a slash command (type 2). `options` is an array of
/// `{type, name, value}` (or a subcommand `{type: 1, name, options: [..]}`); Null means none.
pub fn slash_command(
    ids: &Ids,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    name: &str,
    options: Value,
) -> Value {
    slash_command_resolved(ids, guild, channel, user, name, options, Value::Null)
}

/// [`slash_command`] with `data.resolved` (e.g. `{"channels": {"id": {...}}}` for channel,
/// role and user options; see [`resolved_channel`], [`resolved_role`], [`resolved_user`]).
pub fn slash_command_resolved(
    ids: &Ids,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    name: &str,
    options: Value,
    resolved: Value,
) -> Value {
    let mut data = json!({
        "id": command_id(name).to_string(),
        "name": name,
        "type": 1,
        "options": if options.is_null() { json!([]) } else { options },
    });
    if !resolved.is_null() {
        data["resolved"] = resolved;
    }
    interaction_base(ids, 2, guild, channel, user, data)
}

/// INTERACTION_CREATE data for autocomplete (type 4). One entry of `options` (possibly inside
/// a subcommand) must be marked focused: build it with [`focused_option`].
pub fn autocomplete(
    ids: &Ids,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    name: &str,
    options: Value,
) -> Value {
    let data = json!({
        "id": command_id(name).to_string(),
        "name": name,
        "type": 1,
        "options": if options.is_null() { json!([]) } else { options },
    });
    interaction_base(ids, 4, guild, channel, user, data)
}

/// A string option being typed into: `{type: 3, name, value, focused: true}`.
pub fn focused_option(name: &str, partial: &str) -> Value {
    json!({"type": 3, "name": name, "value": partial, "focused": true})
}

/// A plain option `{type, name, value}` (3 string, 4 integer, 5 boolean, 6 user, 7 channel,
/// 8 role, 10 number; ids as strings).
pub fn option(kind: u8, name: &str, value: Value) -> Value {
    json!({"type": kind, "name": name, "value": value})
}

/// A subcommand option `{type: 1, name, options}`.
pub fn subcommand(name: &str, options: Value) -> Value {
    json!({"type": 1, "name": name, "options": if options.is_null() { json!([]) } else { options }})
}

/// `resolved.channels` entry for a channel option.
pub fn resolved_channel(id: u64, name: &str, kind: u8, permissions: u64) -> Value {
    json!({"channels": {id.to_string(): {"id": id.to_string(), "name": name, "type": kind, "permissions": permissions.to_string()}}})
}

/// `resolved.roles` entry for a role option.
pub fn resolved_role(id: u64, name: &str, permissions: u64) -> Value {
    json!({"roles": {id.to_string(): role_json(id, name, permissions, 1, false, json!({}))}})
}

/// `resolved.users` (and `members`) entries for a user option.
pub fn resolved_user(user: &FakeUser) -> Value {
    let mut member = user.member_json();
    if let Some(obj) = member.as_object_mut() {
        obj.remove("user");
    }
    json!({
        "users": {user.id.to_string(): user.user_json()},
        "members": {user.id.to_string(): member}
    })
}

/// INTERACTION_CREATE data for a message component (type 3): `component_type` 2 button
/// (`values` ignored), 3 string select (with `values`). `message` is the message the
/// component is on (see [`message`]).
#[allow(clippy::too_many_arguments)]
pub fn component(
    ids: &Ids,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    custom_id: &str,
    component_type: u8,
    values: Vec<String>,
    message: Value,
) -> Value {
    let mut data = json!({"custom_id": custom_id, "component_type": component_type});
    if component_type != 2 {
        data["values"] = json!(values);
    }
    let mut v = interaction_base(ids, 3, guild, channel, user, data);
    v["message"] = message;
    v
}

/// A modal submission (type 5): `fields` are (custom_id, value) text inputs.
pub fn modal_submit(
    ids: &Ids,
    guild: u64,
    channel: u64,
    user: &FakeUser,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
        .collect();
    interaction_base(
        ids,
        5,
        guild,
        channel,
        user,
        json!({"custom_id": custom_id, "components": rows}),
    )
}

/// A Message object as Discord returns it (author named `user<id>`). `embeds`/`components`
/// may be Null for none.
pub fn message(
    id: u64,
    channel: u64,
    author_id: u64,
    content: &str,
    embeds: Value,
    components: Value,
) -> Value {
    let author = json!({
        "id": author_id.to_string(),
        "username": format!("user{author_id}"),
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "public_flags": 0
    });
    message_with_author(id, channel, author, content, embeds, components)
}

fn message_with_author(
    id: u64,
    channel: u64,
    author: Value,
    content: &str,
    embeds: Value,
    components: Value,
) -> Value {
    let or_empty = |v: Value| if v.is_null() { json!([]) } else { v };
    json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": author,
        "content": content,
        "timestamp": now_timestamp(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": or_empty(embeds),
        "components": or_empty(components),
        "reactions": [],
        "pinned": false,
        "type": 0,
        "flags": 0
    })
}
