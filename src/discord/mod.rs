//! Purpose: the Discord adapter. Slash commands (poise), button and menu clicks, the `Poster`
//! the scheduler sends daily questions through, and the `serve` wiring: connect, register
//! commands, run the scheduler, shut down cleanly.
//!
//! It only translates: Discord input → one call into [`crate::service`] or the search index →
//! an embed. It decides nothing the service should, and holds no SQL. This is the only module
//! (with `cli`'s `serve`) that may import serenity or poise.

mod commands;
mod components;
mod custom_id;
pub(crate) mod exam_view;
mod ids;
mod pages;
mod perms;
mod poster;
mod reminders;
mod render;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use tokio::sync::{Notify, watch};

use crate::clock::Clock;
use crate::config::Settings;
use crate::content::Library;
use crate::ops::{Metrics, Outcome};
use crate::schedule::{Scheduler, SchedulerConfig};
use crate::service::quiz::LiveQuizzes;
use crate::service::{ServiceError, Study, UserError};
use crate::store::{Store, StoreError};

pub use custom_id::CustomId;
pub use poster::DiscordPoster;
pub use render::overflows;

/// The only intents the bot needs: server create/delete events (for the cache and the store).
/// Slash commands and clicks arrive as interactions, which need no intent.
pub const INTENTS: serenity::GatewayIntents = serenity::GatewayIntents::GUILDS;

/// Permissions the bot asks for in its invite link: View Channel, Send Messages, Embed Links,
/// Read Message History, Create Public Threads, Send Messages in Threads.
pub const INVITE_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38);

/// What every command and click handler can reach.
pub struct App {
    pub study: Study,
    pub metrics: Arc<Metrics>,
    /// Gateway shards of this process, and whether each is connected (for `/healthz`).
    pub(crate) shards_up: std::sync::Mutex<std::collections::BTreeMap<u32, bool>>,
    pub clock: Arc<dyn Clock>,
    pub quizzes: LiveQuizzes,
    pub(crate) inflight: InFlight,
    pub(crate) counts: components::CountUpdates,
    /// The message of each open live-quiz question, to turn its buttons off when time is up.
    pub(crate) quiz_messages:
        tokio::sync::Mutex<std::collections::HashMap<crate::ids::PostId, serenity::MessageId>>,
    /// Servers joined and left, written in order by one task (see [`record_guild_changes`]).
    pub(crate) guild_changes: tokio::sync::mpsc::UnboundedSender<GuildChange>,
}

/// A server the bot joined (or that came back) or left, and when.
#[derive(Debug)]
pub(crate) enum GuildChange {
    Joined(crate::ids::GuildId, chrono::DateTime<chrono::Utc>),
    Left(crate::ids::GuildId, chrono::DateTime<chrono::Utc>),
}

/// Writes servers joined and left, in the order they came. The gateway handler only queues
/// them: at start Discord sends every server at once, and a handler waiting for its database
/// write would keep each server's whole description (channels, roles: tens of KB) in memory
/// until then. A change not yet written when the bot stops is sent again by Discord on the next
/// start (every server arrives again).
async fn record_guild_changes(
    study: Study,
    mut changes: tokio::sync::mpsc::UnboundedReceiver<GuildChange>,
) {
    while let Some(change) = changes.recv().await {
        let done = match change {
            GuildChange::Joined(guild, at) => study.joined_guild(guild, at).await,
            GuildChange::Left(guild, at) => study.left_guild(guild, at).await,
        };
        if let Err(e) = done {
            tracing::error!(error = ?e, "could not record a server joined or left");
        }
    }
}

pub type Data = Arc<App>;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Why a command or click failed, split by audience: a [`Error::User`] is shown as written;
/// anything else is logged with its cause and the user sees a short generic message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn user(message: impl Into<String>) -> Error {
        Error::User(message.into())
    }
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Self {
        Error::User(capitalise(&e.to_string()))
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::User(u) => u.into(),
            ServiceError::Store(s) => Error::Internal(s.into()),
            ServiceError::Search(s) => Error::Internal(s.into()),
            ServiceError::Internal(s) => Error::Internal(anyhow::anyhow!(s)),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.into())
    }
}

impl From<serenity::Error> for Error {
    fn from(e: serenity::Error) -> Self {
        Error::Internal(e.into())
    }
}

/// The message a user sees when something broke on our side.
pub const GENERIC_FAILURE: &str =
    "Something went wrong on our side; it was logged. Please try again in a minute.";

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Counts the interactions being answered, so shutdown can wait for them.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    count: AtomicUsize,
    draining: AtomicBool,
    idle: Notify,
}

/// Held while one interaction is handled.
pub(crate) struct Busy(Arc<App>);

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.inflight.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.inflight.idle.notify_waiters();
        }
    }
}

impl App {
    /// Marks one interaction in flight; `None` once shutdown began.
    pub(crate) fn enter(self: &Arc<Self>) -> Option<Busy> {
        if self.inflight.draining.load(Ordering::Acquire) {
            return None;
        }
        self.inflight.count.fetch_add(1, Ordering::AcqRel);
        Some(Busy(Arc::clone(self)))
    }

    /// Refuses new interactions and waits (up to `limit`) for those in flight.
    async fn drain(&self, limit: Duration) -> bool {
        self.inflight.draining.store(true, Ordering::Release);
        let wait = async {
            loop {
                let idle = self.inflight.idle.notified();
                if self.inflight.count.load(Ordering::Acquire) == 0 {
                    return;
                }
                idle.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl App {
    /// Ready when every gateway shard of this process is connected and the database answers.
    pub async fn health(&self) -> Result<(), String> {
        let down: Vec<u32> = {
            let shards = self.shards_up.lock().unwrap_or_else(|e| e.into_inner());
            if shards.is_empty() {
                return Err("not connected to Discord yet".into());
            }
            shards
                .iter()
                .filter(|(_, up)| !**up)
                .map(|(id, _)| *id)
                .collect()
        };
        if !down.is_empty() {
            return Err(format!("gateway shard(s) {down:?} not connected"));
        }
        self.study
            .store
            .ping()
            .await
            .map_err(|e| format!("database: {e}"))
    }
}

/// Takes `<database>.lock` for as long as the returned file is open.
fn lock_database(file: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not create {}", parent.display()))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("could not open the lock file {}", path.display()))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another studybot serve is using {} (it holds {}); SQLite is for one process: stop the other one, or use PostgreSQL (database_url = \"postgres://...\") to run several",
            file.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(anyhow::Error::new(e).context(format!("could not lock {}", path.display())))
        }
    }
}

/// How `serve` runs; tests replace the clock and speed up the loops.
pub struct Options {
    pub clock: Arc<dyn Clock>,
    pub scheduler: SchedulerConfig,
    /// How often answer counts on daily posts are refreshed (edits are batched).
    pub count_interval: Duration,
    /// Names this process in claims; unique per process.
    pub holder: String,
    /// Names this bot instance across restarts (live quizzes it left running are abandoned at
    /// its next start).
    pub instance: String,
    /// How often live quizzes are moved on.
    pub quiz_interval: Duration,
    /// Use this store instead of opening `database_url` (tests open one in a private schema).
    pub store: Option<Store>,
    /// How often the content files are checked for changes (a change reloads them).
    pub reload_interval: Duration,
    /// How often review reminders are looked for.
    pub reminder_interval: Duration,
    /// How often mock exams whose time ran out are submitted.
    pub exam_interval: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: Arc::new(crate::clock::SystemClock),
            scheduler: SchedulerConfig::default(),
            count_interval: Duration::from_secs(5),
            holder: format!("{}-{}", crate::config::host_name(), std::process::id()),
            instance: crate::config::host_name(),
            quiz_interval: Duration::from_millis(250),
            store: None,
            reload_interval: Duration::from_secs(2),
            reminder_interval: Duration::from_secs(300),
            exam_interval: Duration::from_secs(5),
        }
    }
}

/// A running bot; [`Running::stop`] shuts it down cleanly.
pub struct Running {
    app: Data,
    http: Arc<serenity::Http>,
    metrics_addr: Option<std::net::SocketAddr>,
    /// Held while running: the SQLite lock file.
    _lock: Option<std::fs::File>,
    shards: Arc<serenity::ShardManager>,
    stop_tx: watch::Sender<bool>,
    gateway: tokio::task::JoinHandle<Result<(), serenity::Error>>,
    background: Vec<tokio::task::JoinHandle<()>>,
    /// Notified to reload the content (SIGHUP).
    reload: Arc<Notify>,
}

/// Connects to Discord and starts answering: loads the content (refusing an invalid question
/// bank), opens the store, checks the token, registers commands once connected, and runs the
/// daily-question scheduler.
pub async fn start(settings: &Settings, options: Options) -> anyhow::Result<Running> {
    let token = settings.discord_token.clone().context(
        "no bot token: set DISCORD_TOKEN (or discord_token in studybot.toml); the README says how to create the application and get one",
    )?;
    let mut builder = serenity::HttpBuilder::new(token.expose());
    if let Some(url) = &settings.discord_api_url {
        tracing::warn!(%url, "talking to a Discord stand-in; the rate limiter is off");
        builder = builder.proxy(url.as_str()).ratelimiter_disabled(true);
    }
    let http = builder.build();
    let me = match http.get_current_user().await {
        Ok(me) => me,
        Err(e) if poster::status_of(&e) == Some(401) => anyhow::bail!(
            "Discord refused the bot token (401 Unauthorized): check DISCORD_TOKEN; a token changes when it is reset on the Bot page"
        ),
        Err(e) => return Err(anyhow::Error::new(e).context("could not reach Discord")),
    };
    tracing::info!(bot = %me.name, id = %me.id, "token accepted");

    // SQLite is for one process: a second `serve` on the same file stops here.
    let lock = match (&options.store, Store::sqlite_file(&settings.database_url)) {
        (None, Some(file)) => Some(lock_database(&file)?),
        _ => None,
    };

    let content = settings.content_dir.clone();
    let extra = settings.notes_dirs.clone();
    let library = tokio::task::spawn_blocking(move || Library::load(&content, &extra))
        .await
        .context("loading the content panicked")??;
    let store = match options.store.clone() {
        Some(store) => store,
        None => Store::open(&settings.database_url).await?,
    };

    let study = Study::new(store.clone(), library);
    let instance = match (&settings.instance, settings.shards) {
        (Some(name), _) => name.clone(),
        (None, Some(r)) => format!("{}-shards-{r}", options.instance),
        (None, None) => options.instance.clone(),
    };
    let metrics = Arc::new(Metrics::default());
    let (guild_changes, changes) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(record_guild_changes(study.clone(), changes));
    let app: Data = Arc::new(App {
        guild_changes,
        metrics: Arc::clone(&metrics),
        shards_up: Default::default(),
        quizzes: LiveQuizzes::new(study.clone(), instance),
        quiz_messages: Default::default(),
        study,
        clock: Arc::clone(&options.clock),
        inflight: InFlight::default(),
        counts: components::CountUpdates::default(),
    });
    let command_guild = settings.command_guild;
    let setup_app = Arc::clone(&app);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| Box::pin(on_error(error)),
            command_check: Some(|ctx| Box::pin(admit(ctx))),
            post_command: |ctx| Box::pin(count_command(ctx, Outcome::Ok)),
            event_handler: |ctx, event, _framework, app| Box::pin(on_event(ctx, event, app)),
            initialize_owners: false,
            require_cache_for_guild_check: false,
            allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match command_guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(
                            ctx,
                            commands,
                            serenity::GuildId::new(g),
                        )
                        .await?;
                        tracing::info!(
                            guild = g,
                            count = commands.len(),
                            "slash commands registered in the development server"
                        );
                    }
                    None => {
                        poise::builtins::register_globally(ctx, commands).await?;
                        tracing::info!(
                            count = commands.len(),
                            "slash commands registered globally"
                        );
                    }
                }
                tracing::info!(servers = ready.guilds.len(), "connected to Discord");
                Ok(setup_app)
            })
        })
        .build();

    // No cache of servers, channels, users or messages: the bot reads none of them on its hot
    // paths (an interaction carries the member's permissions), and the one check that needs a
    // server's roles and channel (`/daily setup`: can the bot post there?) asks Discord. A
    // cached server cost about 45 KB and a cached member 360 B (BENCHMARKS.md, "Serving
    // memory").
    let mut cache = serenity::cache::Settings::default();
    cache.cache_guilds = false;
    cache.cache_channels = false;
    cache.cache_users = false;
    cache.max_messages = 0;
    let mut client = serenity::ClientBuilder::new_with_http(http, INTENTS)
        .cache_settings(cache)
        .framework(framework)
        .await
        .context("could not set up the Discord client")?;
    let shards = Arc::clone(&client.shard_manager);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut background = Vec::new();

    let scheduler = Scheduler::new(
        store.clone(),
        app.study.shelf().clone(),
        DiscordPoster::new(
            Arc::clone(&client.http),
            Arc::clone(&app.counts.edits),
            Arc::clone(&metrics),
            Arc::clone(&options.clock),
        ),
        options.holder.clone(),
        options.scheduler.clone(),
    );
    // Quizzes a previous run left running: ended as abandoned, their channels told.
    match app.quizzes.abandon_leftovers(options.clock.now()).await {
        Ok(gone) if !gone.is_empty() => {
            tracing::warn!(
                count = gone.len(),
                "live quizzes left running by a previous run were abandoned"
            );
            commands::quiz::tell_abandoned(&client.http, &gone).await;
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = ?e, "could not clean up quizzes of a previous run"),
    }
    background.push(tokio::spawn(commands::quiz::drive(
        Arc::clone(&app),
        Arc::clone(&client.http),
        options.quiz_interval,
        stop_rx.clone(),
    )));
    let http = Arc::clone(&client.http);
    let clock = Arc::clone(&options.clock);
    let rx = stop_rx.clone();
    background.push(tokio::spawn(async move {
        scheduler.run(clock.as_ref(), rx).await;
    }));
    let reload = Arc::new(Notify::new());
    background.push(tokio::spawn(crate::content::watch(
        crate::content::Reloader::new(
            app.study.shelf().clone(),
            &settings.content_dir,
            &settings.notes_dirs,
        ),
        options.reload_interval,
        Arc::clone(&reload),
        stop_rx.clone(),
    )));
    background.push(tokio::spawn(submit_expired_exams(
        Arc::clone(&app),
        options.exam_interval,
        stop_rx.clone(),
    )));
    background.push(tokio::spawn(reminders::run(
        Arc::clone(&app),
        Arc::clone(&client.http),
        options.reminder_interval,
        stop_rx.clone(),
    )));
    background.push(tokio::spawn(components::refresh_counts(
        Arc::clone(&app),
        Arc::clone(&client.http),
        options.count_interval,
        stop_rx.clone(),
    )));
    let metrics_addr = match settings.metrics_addr {
        Some(addr) => {
            let health_app = Arc::clone(&app);
            let health: crate::ops::HealthCheck = Arc::new(move || {
                let app = Arc::clone(&health_app);
                Box::pin(async move { app.health().await })
            });
            let (bound, task) =
                crate::ops::serve(addr, Arc::clone(&metrics), health, stop_rx.clone())
                    .await
                    .with_context(|| format!("could not serve /metrics on metrics_addr {addr}"))?;
            tracing::info!(addr = %bound, "serving /healthz and /metrics");
            background.push(task);
            Some(bound)
        }
        None => None,
    };
    let shard_range = settings.shards.zip(settings.total_shards);
    let gateway = tokio::spawn(async move {
        match shard_range {
            // serenity's range end is inclusive here.
            Some((r, total)) => client.start_shard_range(r.first..r.last, total).await,
            None => client.start_autosharded().await,
        }
    });
    Ok(Running {
        app,
        http,
        metrics_addr,
        _lock: lock,
        shards,
        stop_tx,
        gateway,
        background,
        reload,
    })
}

impl Running {
    /// The use cases the bot serves, for tests that look into the store.
    pub fn app(&self) -> &Data {
        &self.app
    }

    /// Reloads the content (notes, questions, glossary) now, as SIGHUP does: the new content
    /// is checked first and swapped in only when it has no problem.
    pub fn reload_content(&self) {
        self.reload.notify_one();
    }

    /// What [`Running::reload_content`] notifies, for a signal handler to keep.
    pub fn reloader(&self) -> Arc<Notify> {
        Arc::clone(&self.reload)
    }

    /// Where `/healthz` and `/metrics` are served, when they are.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.metrics_addr
    }

    /// Waits until the gateway ends on its own (an error such as a refused token), or returns
    /// at once when `signal` resolves first; either way the bot is stopped cleanly.
    pub async fn run_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let ended = tokio::select! {
            r = &mut self.gateway => Some(r),
            () = signal => None,
        };
        match ended {
            None => self.stop().await,
            Some(result) => {
                let _ = self.stop_tx.send(true);
                self.finish().await;
                match result {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => {
                        Err(anyhow::Error::new(e).context("the Discord connection ended"))
                    }
                    Err(e) => Err(anyhow::Error::new(e).context("the Discord connection panicked")),
                }
            }
        }
    }

    /// Stops taking new work, finishes the replies in flight (up to 10 s), stops the
    /// scheduler after its current tick, disconnects and closes the store.
    pub async fn stop(self) -> anyhow::Result<()> {
        if !self.app.drain(Duration::from_secs(10)).await {
            tracing::warn!("some replies were still running after 10 s; stopping anyway");
        }
        // Live quizzes cannot outlive the process: end them and say so in their channels.
        match self.app.quizzes.abandon_all(self.app.clock.now()).await {
            Ok(events) => commands::quiz::show(&self.http, &self.app, events).await,
            Err(e) => tracing::error!(error = ?e, "could not end the running quizzes"),
        }
        let _ = self.stop_tx.send(true);
        let mut gateway = self.gateway;
        // A shard still connecting when shutdown is asked for can miss it: ask again, then
        // give up on the connection.
        let mut ended = false;
        for _ in 0..3 {
            self.shards.shutdown_all().await;
            if let Ok(joined) = tokio::time::timeout(Duration::from_secs(2), &mut gateway).await {
                if let Err(e) = joined {
                    tracing::error!(error = %e, "the gateway task panicked");
                }
                ended = true;
                break;
            }
        }
        if !ended {
            tracing::warn!("the gateway did not close in time; dropping the connection");
            gateway.abort();
        }
        let app = self.app;
        for task in self.background {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a background task panicked");
            }
        }
        app.study.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    async fn finish(self) {
        self.shards.shutdown_all().await;
        for task in self.background {
            let _ = task.await;
        }
        self.app.study.store.close().await;
    }
}

/// Runs before every command: refuses new work while shutting down, and marks the command in
/// flight for as long as poise keeps its invocation (until the reply is sent).
async fn admit(ctx: Context<'_>) -> Result<bool, Error> {
    match ctx.data().enter() {
        Some(busy) => {
            ctx.set_invocation_data((busy, std::time::Instant::now()))
                .await;
            Ok(true)
        }
        None => {
            let _ = ctx
                .send(render::ephemeral(
                    "The bot is restarting; please try again in a minute.",
                ))
                .await;
            Ok(false)
        }
    }
}

/// Records a finished command in the metrics.
/// Every `interval`, submits the mock exams whose time ran out, so a member's result is ready
/// (and counts in readiness) whether or not they come back to the exam.
async fn submit_expired_exams(app: Data, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
        }
        match app.study.submit_expired_exams(app.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "mock exams submitted when their time ran out"),
            Err(e) => tracing::warn!(error = ?e, "could not submit mock exams whose time ran out"),
        }
    }
}

async fn count_command(ctx: Context<'_>, outcome: Outcome) {
    let took = ctx
        .invocation_data::<(Busy, std::time::Instant)>()
        .await
        .map(|d| d.1.elapsed())
        .unwrap_or_default();
    ctx.data()
        .metrics
        .interaction(&ctx.command().qualified_name, outcome, took);
}

async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    app: &Data,
) -> Result<(), Error> {
    match event {
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(click),
        } => components::handle(ctx, app, click).await,
        serenity::FullEvent::Ready { .. } => {
            app.shards_up
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(ctx.shard_id.0, true);
            Ok(())
        }
        serenity::FullEvent::ShardStageUpdate { event } => {
            let up = event.new == serenity::ConnectionStage::Connected;
            app.shards_up
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(event.shard_id.0, up);
            Ok(())
        }
        serenity::FullEvent::GuildCreate { guild, .. } => {
            let _ = app
                .guild_changes
                .send(GuildChange::Joined(ids::guild(guild.id), app.clock.now()));
            Ok(())
        }
        serenity::FullEvent::GuildDelete { incomplete, .. } if !incomplete.unavailable => {
            tracing::info!(guild = %incomplete.id, "removed from a server");
            let _ = app.guild_changes.send(GuildChange::Left(
                ids::guild(incomplete.id),
                app.clock.now(),
            ));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Errors from commands: user errors as written and ephemeral; the rest logged, with a generic
/// reply. Nothing here may fail loudly: a failed reply is logged.
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            let outcome = match &error {
                Error::User(_) => Outcome::UserError,
                Error::Internal(_) => Outcome::Error,
            };
            count_command(ctx, outcome).await;
            let shown = match &error {
                Error::User(message) => message.clone(),
                Error::Internal(e) => {
                    tracing::error!(command = %ctx.command().qualified_name, error = ?e, "command failed");
                    GENERIC_FAILURE.to_string()
                }
            };
            if let Err(e) = ctx.send(render::ephemeral(&shown)).await {
                tracing::warn!(error = %e, "could not send the error reply");
            }
        }
        poise::FrameworkError::ArgumentParse {
            error, input, ctx, ..
        } => {
            count_command(ctx, Outcome::UserError).await;
            let message = match input {
                Some(input) => format!("I could not read {input:?}: {error}"),
                None => format!("I could not read that: {error}"),
            };
            let _ = ctx.send(render::ephemeral(&message)).await;
        }
        poise::FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            // Discord sent options this version does not know (commands not re-registered yet).
            tracing::warn!(command = %ctx.command.qualified_name, %description, "command options did not match");
            let reply =
                render::ephemeral("This command was just updated; please try again in a minute.");
            if let Err(e) = poise::Context::Application(ctx).send(reply).await {
                tracing::warn!(error = %e, "could not send the error reply");
            }
        }
        poise::FrameworkError::EventHandler { error, event, .. } => match error {
            Error::User(message) => {
                tracing::info!(event = event.snake_case_name(), %message, "event refused")
            }
            Error::Internal(e) => {
                tracing::error!(event = event.snake_case_name(), error = ?e, "event handling failed")
            }
        },
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(error = ?error, "start-up after connecting failed (command registration)");
        }
        poise::FrameworkError::CommandCheckFailed { error, ctx, .. } => {
            if let Some(e) = error {
                tracing::error!(command = %ctx.command().qualified_name, error = ?e, "command check failed");
                let _ = ctx.send(render::ephemeral(GENERIC_FAILURE)).await;
            }
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = %e, "could not report an error");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_invite_link_asks_for_exactly_the_permissions_the_bot_uses() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&format!("permissions={INVITE_PERMISSIONS}")),
            "README invite URL should carry permissions={INVITE_PERMISSIONS}"
        );
        let p = serenity::Permissions::from_bits_truncate(INVITE_PERMISSIONS);
        assert!(p.view_channel() && p.send_messages() && p.embed_links());
        assert!(
            !p.administrator() && !p.manage_guild(),
            "never more than needed"
        );
    }

    #[test]
    fn user_errors_read_as_sentences() {
        let e: Error = UserError::NoSchedule.into();
        assert_eq!(
            e.to_string(),
            "This channel has no daily question; set one with /daily set"
        );
    }
}
