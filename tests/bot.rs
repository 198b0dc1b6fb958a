//! End to end: the real bot wiring (`studybot::discord::start`, the same as `studybot serve`)
//! against a fake Discord on loopback. Each test asserts what reached the fake. Time is a manual
//! clock, so a daily question due "tomorrow at 09:00" is posted when the test moves the clock;
//! waiting is always for a request, with a timeout, never a sleep.
//!
//! Every test runs on SQLite, and on PostgreSQL (a fresh schema) when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used)]

#[path = "support/db.rs"]
mod db;
#[path = "support/fake_discord.rs"]
mod fake_discord;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use studybot::clock::{Clock, ManualClock};
use studybot::config::{Secret, Settings};
use studybot::discord::{Options, Running};
use studybot::ids::{ChannelId, GuildId, PostId, UserId};
use studybot::schedule::SchedulerConfig;
use studybot::store::{NewPost, PostKind};

use db::Db;
use fake_discord::{FakeConfig, FakeDiscord, FakeUser, Overwrite, Recorded, perm};

/// How long to wait for a request before failing.
const WAIT: Duration = Duration::from_secs(20);
const MANAGE_GUILD: u64 = 1 << 5;
const MEMBER_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16);

fn content_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Monday 2 March 2026, 07:00 UTC (08:00 in Berlin).
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()
}

fn user(id: u64, permissions: u64) -> FakeUser {
    FakeUser {
        id,
        name: format!("user{id}"),
        permissions,
        roles: Vec::new(),
    }
}

fn admin() -> FakeUser {
    user(501, MEMBER_PERMISSIONS | MANAGE_GUILD)
}

fn member(id: u64) -> FakeUser {
    user(id, MEMBER_PERMISSIONS)
}

struct Harness {
    fake: FakeDiscord,
    bot: Option<Running>,
    clock: ManualClock,
    guild: u64,
    channel: u64,
    db: Option<Db>,
}

fn settings(fake: &FakeDiscord, token: &str, guild: u64) -> Settings {
    Settings {
        content_dir: content_dir(),
        discord_token: Some(Secret::new(token)),
        command_guild: Some(guild),
        discord_api_url: Some(fake.api_base()),
        metrics_addr: Some("127.0.0.1:0".parse().unwrap()),
        ..Settings::default()
    }
}

impl Harness {
    async fn start(db: Db, config: FakeConfig) -> Harness {
        Harness::start_with_content(db, config, content_dir()).await
    }

    async fn start_with_content(db: Db, config: FakeConfig, content: PathBuf) -> Harness {
        let guild = config.guilds[0].id;
        let channel = config.guilds[0].channels[0].id;
        let token = config.token.clone();
        let fake = FakeDiscord::start(config).await;
        let clock = ManualClock::new(start_time());
        let options = Options {
            clock: Arc::new(clock.clone()),
            scheduler: SchedulerConfig {
                interval: Duration::from_millis(20),
                ..SchedulerConfig::default()
            },
            count_interval: Duration::from_millis(50),
            holder: "e2e".into(),
            instance: "e2e".into(),
            quiz_interval: Duration::from_millis(20),
            store: Some(db.store.clone()),
            reload_interval: Duration::from_millis(50),
            reminder_interval: Duration::from_millis(50),
            exam_interval: Duration::from_millis(50),
        };
        let mut settings = settings(&fake, &token, guild);
        settings.content_dir = content;
        let bot = studybot::discord::start(&settings, options)
            .await
            .expect("the bot starts");
        fake.wait_ready(0, WAIT)
            .await
            .expect("identified and ready");
        fake.wait_for_request("PUT", "/api/v10/applications/*/guilds/*/commands", WAIT)
            .await
            .expect("commands registered");
        Harness {
            fake,
            bot: Some(bot),
            clock,
            guild,
            channel,
            db: Some(db),
        }
    }

    fn app(&self) -> &studybot::discord::Data {
        self.bot.as_ref().unwrap().app()
    }

    /// Sends a slash command and returns the body of the bot's interaction response.
    async fn slash(&self, who: &FakeUser, name: &str, options: Value, resolved: Value) -> Value {
        let event = fake_discord::slash_command_resolved(
            &self.fake.ids(),
            self.guild,
            self.channel,
            who,
            name,
            options,
            resolved,
        );
        self.interact(event).await
    }

    /// Clicks a component of `message` and returns the bot's interaction response.
    async fn click(
        &self,
        who: &FakeUser,
        custom_id: &str,
        values: Vec<String>,
        message: &Value,
    ) -> Value {
        let kind = if values.is_empty() { 2 } else { 3 };
        let event = fake_discord::component(
            &self.fake.ids(),
            self.guild,
            self.channel,
            who,
            custom_id,
            kind,
            values,
            message.clone(),
        );
        self.interact(event).await
    }

    /// A slash command, returning the bot's whole recorded answer (body and files).
    async fn slash_recorded(&self, who: &FakeUser, name: &str, options: Value) -> Recorded {
        let event = fake_discord::slash_command_resolved(
            &self.fake.ids(),
            self.guild,
            self.channel,
            who,
            name,
            options,
            json!(null),
        );
        let id = fake_discord::interaction_id(&event);
        self.fake
            .dispatch("INTERACTION_CREATE", event)
            .await
            .unwrap();
        self.fake
            .wait_for_request(
                "POST",
                &format!("/api/v10/interactions/{id}/*/callback"),
                WAIT,
            )
            .await
            .expect("the bot answers the interaction")
    }

    async fn interact(&self, event: Value) -> Value {
        let id = fake_discord::interaction_id(&event);
        self.fake
            .dispatch("INTERACTION_CREATE", event)
            .await
            .unwrap();
        let r = self
            .fake
            .wait_for_request(
                "POST",
                &format!("/api/v10/interactions/{id}/*/callback"),
                WAIT,
            )
            .await
            .expect("the bot answers the interaction");
        r.body
    }

    async fn set_daily(&self, extra: Value) -> Value {
        let mut options = vec![
            json!({"name": "channel", "type": 7, "value": self.channel.to_string()}),
            json!({"name": "time", "type": 3, "value": "09:00"}),
            json!({"name": "timezone", "type": 3, "value": "Europe/Berlin"}),
        ];
        if let Value::Array(more) = extra {
            options.extend(more);
        }
        self.slash(
            &admin(),
            "daily",
            json!([{"name": "set", "type": 1, "options": options}]),
            self.resolved_channel(),
        )
        .await
    }

    fn resolved_channel(&self) -> Value {
        json!({"channels": {self.channel.to_string(): {
            "id": self.channel.to_string(), "name": "study", "type": 0, "permissions": "2147483647"
        }}})
    }

    /// Sets a daily question at 09:00 Berlin, moves the clock to it and returns the posted message.
    async fn post_daily(&self) -> (Recorded, Value) {
        let reply = self.set_daily(json!([])).await;
        assert!(text_of(&reply).contains("Daily question set"), "{reply}");
        self.clock
            .set(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 1).unwrap());
        let posted = self
            .fake
            .wait_for_request(
                "POST",
                &format!("/api/v10/channels/{}/messages", self.channel),
                WAIT,
            )
            .await
            .expect("the daily question is posted");
        let message = self.posted().last().cloned().expect("a message");
        // The scheduler records the post right after sending it.
        until("the post to be recorded", || async {
            let s = self
                .app()
                .study
                .daily_status(GuildId(self.guild))
                .await
                .unwrap();
            s[0].next
                .is_some_and(|(date, _)| date > start_time().date_naive())
                .then_some(())
        })
        .await;
        (posted, message)
    }

    /// Makes the fake refuse the next post to the channel, sets a daily question and moves
    /// the clock to it; returns the messages route.
    async fn refuse_next_post(&self, status: u16, body: Value) -> String {
        let path = format!("/api/v10/channels/{}/messages", self.channel);
        self.fake.respond("POST", &path, status, body, vec![], 1);
        self.set_daily(json!([])).await;
        self.clock
            .set(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 1).unwrap());
        path
    }

    /// Messages the bot sent to the channel itself (not interaction replies).
    fn posted(&self) -> Vec<Value> {
        self.fake
            .messages(self.channel)
            .into_iter()
            .filter(|m| m.get("webhook_id").is_none())
            .collect()
    }

    async fn answers(&self, post: PostId) -> i64 {
        self.app().study.store.answer_count(post).await.unwrap()
    }

    /// Answers a posted daily question right or wrong, with a button or the menu as the
    /// message offers; returns the reply and the letters picked (`B`, `A,C`).
    async fn answer(&self, who: &FakeUser, message: &Value, right: bool) -> (Value, String) {
        let ids = custom_ids(message);
        let post = post_of(&ids[0]);
        let stored = self
            .app()
            .study
            .store
            .post(GuildId(self.guild), post)
            .await
            .unwrap()
            .unwrap();
        let q = self
            .app()
            .study
            .content()
            .bank
            .get(&stored.question_id)
            .unwrap()
            .clone();
        let correct = q.answer.indexes();
        let picks: Vec<usize> = if right {
            correct.clone()
        } else {
            let mut wrong: Vec<usize> = (0..q.choices.len())
                .filter(|i| !correct.contains(i))
                .collect();
            wrong.extend(correct.iter().copied());
            wrong.truncate(correct.len());
            wrong.sort_unstable();
            wrong
        };
        let letters: Vec<String> = picks
            .iter()
            .map(|&i| studybot::quiz::letter(i).to_string())
            .collect();
        let reply = if ids.len() == 1 {
            self.click(
                who,
                &ids[0],
                picks.iter().map(usize::to_string).collect(),
                message,
            )
            .await
        } else {
            self.click(who, &format!("a:{}:{}", post.0, picks[0]), vec![], message)
                .await
        };
        (reply, letters.join(","))
    }

    /// An open daily post of `question` made straight in the store.
    async fn open_post(&self, guild: GuildId, question: &str) -> PostId {
        let q = self
            .app()
            .study
            .content()
            .bank
            .get(question)
            .unwrap()
            .clone();
        self.app()
            .study
            .store
            .create_post(&NewPost {
                guild,
                channel: ChannelId(self.channel),
                kind: PostKind::Daily,
                question_id: q.id.clone(),
                topic: q.topic.clone(),
                local_date: None,
                posted_at: start_time(),
                closes_at: Some(start_time() + chrono::Duration::days(2)),
                shown: None,
            })
            .await
            .unwrap()
            .unwrap()
    }

    /// Stops the bot, checks that the fake saw no request it does not know, and drops the data.
    async fn finish(mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await.unwrap();
        }
        let unknown: Vec<String> = self
            .fake
            .requests()
            .iter()
            .filter(|r| r.status == 404 && !r.path.contains("/channels/"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            unknown.is_empty(),
            "requests the fake does not know: {unknown:?}"
        );
        self.fake.shutdown().await;
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

/// Polls `check` until it gives a value, failing after [`WAIT`]: for state the bot writes
/// right after a request the test already saw.
async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(v) = check().await {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// All text of an interaction response: content, embed titles, descriptions, fields, footers.
fn text_of(body: &Value) -> String {
    let data = &body["data"];
    let mut out = data["content"].as_str().unwrap_or_default().to_string();
    for e in data["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(body["embeds"].as_array().into_iter().flatten())
    {
        for key in ["title", "description"] {
            out.push('\n');
            out.push_str(e[key].as_str().unwrap_or_default());
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push('\n');
            out.push_str(f["name"].as_str().unwrap_or_default());
            out.push('\n');
            out.push_str(f["value"].as_str().unwrap_or_default());
        }
        out.push('\n');
        out.push_str(e["footer"]["text"].as_str().unwrap_or_default());
    }
    out
}

fn is_ephemeral(body: &Value) -> bool {
    body["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

/// An interaction reply as the Message a later click carries.
fn as_message(reply: &Value, channel: u64) -> Value {
    let data = &reply["data"];
    fake_discord::message(
        fake_discord::next_snowflake(),
        channel,
        1,
        data["content"].as_str().unwrap_or_default(),
        data["embeds"].clone(),
        data["components"].clone(),
    )
}

/// Custom ids of every component of a message body.
fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

fn post_of(custom_id: &str) -> PostId {
    PostId(custom_id.split(':').nth(1).unwrap().parse().unwrap())
}

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::db::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = super::db::postgres(stringify!($name)).await {
                        super::$name(db).await;
                    }
                }
            )*
        }
    };
}

on_both_databases!(
    start_up_registers_commands_and_ask_finds_the_fan_out_passage,
    a_server_is_remembered_when_it_arrives_and_marked_when_the_bot_is_removed,
    daily_set_needs_manage_server_and_then_posts_with_buttons,
    a_click_is_recorded_once_and_closing_reveals_the_answer,
    a_choose_two_question_is_answered_with_the_menu,
    leaderboard_orders_three_members_by_points_then_time,
    a_forbidden_channel_pauses_and_status_says_why,
    a_deleted_channel_turns_the_schedule_off,
    a_rate_limited_post_is_sent_after_the_wait,
    unknown_and_foreign_clicks_are_refused_and_record_nothing,
    ask_pages_privately_and_autocompletes_topics,
    forget_me_asks_first_and_then_deletes_only_the_callers_answers,
    stats_groups_topics_and_help_answer,
    daily_set_names_the_permissions_the_bot_lacks,
    a_live_quiz_with_two_members_posts_standings_and_counts_in_the_leaderboard,
    one_quiz_per_channel_and_only_its_starter_or_a_moderator_stops_it,
    a_quiz_left_running_by_a_crash_is_abandoned_and_its_channel_told,
    a_quiz_in_a_thread_leaves_the_channel_free,
    healthz_and_metrics_show_the_counters_moving,
    posted_text_reads_in_sentences_and_members_report_a_revealed_question,
    a_content_change_is_reloaded_without_a_restart,
    a_daily_question_answered_wrong_is_served_by_review_the_next_day,
    a_member_who_asked_gets_one_reminder_when_reviews_are_due,
    a_mock_exam_is_taken_privately_with_flags_review_and_a_per_domain_result,
    stats_attaches_a_progress_picture_and_a_newcomer_gets_words,
);

/// Servers are written by one task after the gateway handler queued them: the server that
/// arrived at start is remembered, and removing the bot marks it left (its data then goes after
/// the grace period).
async fn a_server_is_remembered_when_it_arrives_and_marked_when_the_bot_is_removed(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let study = h.app().study.clone();
    let guild = studybot::ids::GuildId(h.guild);
    let deadline = std::time::Instant::now() + WAIT;
    while study.store.guild_time_zone(guild).await.unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never remembered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.fake
        .dispatch(
            "GUILD_DELETE",
            json!({ "id": h.guild.to_string(), "unavailable": false }),
        )
        .await
        .unwrap();
    // Marked left: forgetting servers left before a time after now finds it.
    let later = h.clock.now() + chrono::Duration::days(60);
    loop {
        let forgotten = study
            .forget_left_guilds(later, chrono::Duration::days(30))
            .await
            .unwrap();
        if !forgotten.is_empty() {
            assert_eq!(forgotten, vec![guild]);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never marked left"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.finish().await;
}

async fn start_up_registers_commands_and_ask_finds_the_fan_out_passage(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let registered = h.fake.registered_commands(Some(h.guild));
    let names: Vec<&str> = registered
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for expected in [
        "ask",
        "daily",
        "leaderboard",
        "groups",
        "stats",
        "topics",
        "forget-me",
        "help",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    let daily = registered
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "daily")
        .unwrap();
    assert_eq!(
        daily["default_member_permissions"], "32",
        "/daily is for Manage Server"
    );

    let reply = h
        .slash(
            &member(601),
            "ask",
            json!([{"name": "query", "type": 3, "value": "kinesis fanout"}]),
            json!(null),
        )
        .await;
    assert_eq!(reply["type"], 4, "{reply}");
    let text = text_of(&reply).to_lowercase();
    assert!(text.contains("fan-out"), "{text}");
    assert!(text.contains("kinesis"), "{text}");
    assert!(text.contains(".md:"), "cites file:line: {text}");

    // A typo still finds it.
    let reply = h
        .slash(
            &member(601),
            "ask",
            json!([{"name": "query", "type": 3, "value": "kinesys fanout"}]),
            json!(null),
        )
        .await;
    assert!(
        text_of(&reply).to_lowercase().contains("fan-out"),
        "{reply}"
    );
    h.finish().await;
}

async fn daily_set_needs_manage_server_and_then_posts_with_buttons(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let options = json!([{"name": "set", "type": 1, "options": [
        {"name": "channel", "type": 7, "value": h.channel.to_string()},
        {"name": "time", "type": 3, "value": "09:00"},
    ]}]);
    let refused = h
        .slash(&member(602), "daily", options, h.resolved_channel())
        .await;
    assert!(is_ephemeral(&refused), "{refused}");
    assert!(text_of(&refused).contains("Manage Server"), "{refused}");
    assert!(
        h.app()
            .study
            .daily_status(GuildId(h.guild))
            .await
            .unwrap()
            .is_empty()
    );

    let (posted, message) = h.post_daily().await;
    assert_eq!(posted.authorization.as_deref(), Some("Bot test-token"));
    assert_eq!(posted.body["enforce_nonce"], true, "{}", posted.body);
    assert!(posted.body["nonce"].as_str().is_some_and(|n| !n.is_empty()));
    let ids = custom_ids(&message);
    assert!(
        !ids.is_empty() && ids.iter().all(|id| id.starts_with("a:")),
        "{ids:?}"
    );
    assert!(
        text_of(&json!({"data": message})).contains("Closes <t:"),
        "{message}"
    );

    // Asking for today's question again is refused: it is posted once a day.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap());
    let now = h
        .slash(
            &admin(),
            "daily",
            json!([{"name": "now", "type": 1, "options": [{"name": "channel", "type": 7, "value": h.channel.to_string()}]}]),
            h.resolved_channel(),
        )
        .await;
    assert!(text_of(&now).contains("already posted"), "{now}");
    assert_eq!(h.posted().len(), 1);
    h.finish().await;
}

async fn a_click_is_recorded_once_and_closing_reveals_the_answer(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    let post = post_of(&custom_ids(&message)[0]);
    let learner = member(603);
    let (first, picked) = h.answer(&learner, &message, false).await;
    assert!(is_ephemeral(&first), "{first}");
    let text = text_of(&first);
    assert!(text.contains("Not quite: the answer is"), "{text}");
    assert!(
        custom_ids(&first["data"])
            .iter()
            .any(|id| id.starts_with("n:")),
        "a Read the notes button: {first}"
    );
    let (second, _) = h.answer(&learner, &message, true).await;
    assert!(
        text_of(&second).contains(&format!(
            "You already answered {}",
            picked.replace(',', ", ")
        )),
        "{second}"
    );
    assert_eq!(h.answers(post).await, 1);

    // The answer count on the message is refreshed.
    let count = h
        .fake
        .wait_for_request(
            "PATCH",
            &format!("/api/v10/channels/{}/messages/*", h.channel),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        text_of(&json!({"data": count.body})).contains("1 answer so far"),
        "{}",
        count.body
    );

    // "Read the notes" shows the cited section.
    let notes_id = custom_ids(&first["data"])
        .into_iter()
        .find(|id| id.starts_with("n:"))
        .unwrap();
    let notes = h.click(&learner, &notes_id, vec![], &message).await;
    assert!(
        is_ephemeral(&notes) && text_of(&notes).contains(".md:"),
        "{notes}"
    );

    // Tomorrow's question closes today's: buttons off, the vote split shown.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 1).unwrap());
    let reveal = h
        .fake
        .wait_for_request(
            "PATCH",
            &format!("/api/v10/channels/{}/messages/*", h.channel),
            WAIT,
        )
        .await
        .unwrap();
    let text = text_of(&json!({"data": reveal.body}));
    assert!(
        text.contains("closed") && text.contains("Answer:"),
        "{text}"
    );
    assert!(text.contains(&format!("{picked}: 1 (100%)")), "{text}");
    let controls: Vec<Value> = reveal.body["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("a:"))
        })
        .collect();
    assert!(
        !controls.is_empty() && controls.iter().all(|b| b["disabled"] == true),
        "{controls:?}"
    );
    let (late, _) = h.answer(&member(604), &message, true).await;
    assert!(text_of(&late).contains("closed"), "{late}");
    assert_eq!(h.answers(post).await, 1);
    h.finish().await;
}

async fn a_choose_two_question_is_answered_with_the_menu(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let content = h.app().study.content();
    let bank = &content.bank;
    let q = bank
        .questions()
        .iter()
        .find(|q| q.answer.count() == 2)
        .unwrap()
        .clone();
    let post = h.open_post(GuildId(h.guild), &q.id).await;
    let message = fake_discord::message(1, h.channel, 1, "", json!([]), json!([]));
    let id = format!("a:{}", post.0);
    let one = h
        .click(
            &member(620),
            &id,
            vec![q.answer.indexes()[0].to_string()],
            &message,
        )
        .await;
    assert!(
        text_of(&one).contains("Pick 2 answer(s); you picked 1"),
        "{one}"
    );
    assert_eq!(
        h.answers(post).await,
        0,
        "a wrong number of picks records nothing"
    );
    let picks: Vec<String> = q.answer.indexes().iter().map(usize::to_string).collect();
    let right = h.click(&member(620), &id, picks, &message).await;
    assert!(
        text_of(&right).contains(&format!("Correct: {}", q.answer.letters())),
        "{right}"
    );
    assert_eq!(h.answers(post).await, 1);
    h.finish().await;
}

async fn leaderboard_orders_three_members_by_points_then_time(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    // 610 and 611 are right (610 first), 612 is wrong.
    for (who, minute, right) in [(611, 40, true), (612, 20, false), (610, 10, true)] {
        h.clock
            .set(Utc.with_ymd_and_hms(2026, 3, 2, 8, minute, 0).unwrap());
        h.answer(&member(who), &message, right).await;
    }
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap());
    let board = h
        .slash(&member(612), "leaderboard", json!([]), json!(null))
        .await;
    let text = text_of(&board);
    let at = |id: u64| {
        text.find(&format!("<@{id}>"))
            .unwrap_or_else(|| panic!("{id} missing: {text}"))
    };
    assert!(at(610) < at(611) && at(611) < at(612), "{text}");
    assert!(text.contains("You: #3 of 3"), "{text}");
    h.finish().await;
}

async fn a_forbidden_channel_pauses_and_status_says_why(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let path = h
        .refuse_next_post(
            403,
            json!({"message": "Missing Permissions", "code": 50013}),
        )
        .await;
    let refused = h.fake.wait_for_request("POST", &path, WAIT).await.unwrap();
    assert_eq!(refused.status, 403);
    // The scheduler records the pause right after the refused request.
    until("the schedule to be paused", || async {
        let s = h.app().study.daily_status(GuildId(h.guild)).await.unwrap();
        s[0].paused_reason.is_some().then_some(())
    })
    .await;
    let status = h
        .slash(
            &admin(),
            "daily",
            json!([fake_discord::subcommand("status", Value::Null)]),
            json!(null),
        )
        .await;
    assert!(text_of(&status).contains("Missing Permissions"), "{status}");
    assert!(is_ephemeral(&status));
    assert!(h.posted().is_empty());
    h.finish().await;
}

async fn a_deleted_channel_turns_the_schedule_off(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let path = h
        .refuse_next_post(404, json!({"message": "Unknown Channel", "code": 10003}))
        .await;
    assert_eq!(
        h.fake
            .wait_for_request("POST", &path, WAIT)
            .await
            .unwrap()
            .status,
        404
    );
    let schedule = until("the schedule to be turned off", || async {
        let s = h
            .app()
            .study
            .daily_status(GuildId(h.guild))
            .await
            .unwrap()
            .remove(0);
        (!s.enabled).then_some(s)
    })
    .await;
    assert_eq!(
        schedule.paused_reason.as_deref(),
        Some("the channel no longer exists")
    );
    let status = h
        .slash(
            &admin(),
            "daily",
            json!([fake_discord::subcommand("status", Value::Null)]),
            json!(null),
        )
        .await;
    assert!(text_of(&status).contains("no longer exists"), "{status}");
    h.finish().await;
}

async fn a_rate_limited_post_is_sent_after_the_wait(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let path = format!("/api/v10/channels/{}/messages", h.channel);
    h.fake.respond(
        "POST",
        &path,
        429,
        json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}),
        vec![("retry-after".into(), "0.2".into())],
        1,
    );
    h.set_daily(json!([])).await;
    let due = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 1).unwrap();
    h.clock.set(due);
    assert_eq!(
        h.fake
            .wait_for_request("POST", &path, WAIT)
            .await
            .unwrap()
            .status,
        429
    );
    assert!(h.posted().is_empty());
    h.clock.set(due + chrono::Duration::seconds(2));
    let posted = h.fake.wait_for_request("POST", &path, WAIT).await.unwrap();
    assert_eq!(posted.status, 200);
    assert_eq!(h.posted().len(), 1);
    h.finish().await;
}

async fn unknown_and_foreign_clicks_are_refused_and_record_nothing(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    let post = post_of(&custom_ids(&message)[0]);
    for bogus in ["zzz", "a:notanumber:1", "a:999999:0", "l:x:y:z"] {
        let r = h.click(&member(605), bogus, vec![], &message).await;
        assert!(is_ephemeral(&r), "{bogus}: {r}");
        let text = text_of(&r);
        assert!(
            text.contains("nothing was recorded") || text.contains("not from this server"),
            "{bogus}: {text}"
        );
    }
    // A post of another server, clicked here.
    let question = h.app().study.content().bank.questions()[0].id.clone();
    let other = h.open_post(GuildId(h.guild + 1), &question).await;
    let r = h
        .click(&member(605), &format!("a:{}:0", other.0), vec![], &message)
        .await;
    assert!(text_of(&r).contains("not from this server"), "{r}");
    assert_eq!(h.answers(other).await, 0);
    assert_eq!(h.answers(post).await, 0);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_with_a_clear_message() {
    let config = FakeConfig::simple();
    let guild = config.guilds[0].id;
    let fake = FakeDiscord::start(config).await;
    let err = studybot::discord::start(&settings(&fake, "wrong-token", guild), Options::default())
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("refused the bot token"), "{err:#}");
    assert!(
        !format!("{err:#}").contains("wrong-token"),
        "the token is never shown"
    );
    let seen = fake.requests();
    assert!(
        seen.iter()
            .any(|r| r.status == 401 && r.authorization.as_deref() == Some("Bot wrong-token")),
        "{:?}",
        seen.iter()
            .map(|r| (&r.method, &r.path, r.status))
            .collect::<Vec<_>>()
    );
    fake.shutdown().await;
}

async fn ask_pages_privately_and_autocompletes_topics(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let query = json!([{"name": "query", "type": 3, "value": "kinesis shards"}, {"name": "limit", "type": 4, "value": 2}]);
    let first = h.slash(&member(630), "ask", query, json!(null)).await;
    assert!(
        !is_ephemeral(&first),
        "answers are for the channel: {first}"
    );
    let more = custom_ids(&first["data"])
        .into_iter()
        .find(|id| id.starts_with("k:"))
        .expect("a More results button");
    let page = h
        .click(&member(631), &more, vec![], &as_message(&first, h.channel))
        .await;
    assert!(is_ephemeral(&page), "{page}");
    let text = text_of(&page);
    assert!(
        text.contains("3. ") && !text.contains("1. "),
        "the next page starts at 3: {text}"
    );

    // Nothing matches in a topic: a button searches all topics.
    let none = h
        .slash(
            &member(630),
            "ask",
            json!([{"name": "query", "type": 3, "value": "glacier vault lock"}, {"name": "topic", "type": 3, "value": "kinesis"}]),
            json!(null),
        )
        .await;
    assert!(
        text_of(&none).contains("Nothing in the notes matches"),
        "{none}"
    );
    assert!(
        custom_ids(&none["data"])
            .iter()
            .any(|id| id.starts_with("k:0::")),
        "{none}"
    );
    let unknown = h
        .slash(&member(630), "ask", json!([{"name": "query", "type": 3, "value": "x"}, {"name": "topic", "type": 3, "value": "nope"}]), json!(null))
        .await;
    assert!(
        is_ephemeral(&unknown) && text_of(&unknown).contains("There is no topic \"nope\""),
        "{unknown}"
    );

    let event = fake_discord::autocomplete(
        &h.fake.ids(),
        h.guild,
        h.channel,
        &member(630),
        "ask",
        json!([{"name": "query", "type": 3, "value": "x"}, fake_discord::focused_option("topic", "kin")]),
    );
    let choices = h.interact(event).await;
    assert_eq!(choices["type"], 8, "{choices}");
    let names: Vec<&str> = choices["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"kinesis"), "{names:?}");
    h.finish().await;
}

async fn forget_me_asks_first_and_then_deletes_only_the_callers_answers(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    let post = post_of(&custom_ids(&message)[0]);
    h.answer(&member(640), &message, true).await;
    h.answer(&member(641), &message, true).await;
    let ask = h
        .slash(&member(640), "forget-me", json!([]), json!(null))
        .await;
    assert!(is_ephemeral(&ask), "{ask}");
    let ids = custom_ids(&ask["data"]);
    let yes = ids.iter().find(|id| id.starts_with("f:y:")).unwrap();
    // Someone else cannot press it.
    let other = h
        .click(&member(641), yes, vec![], &as_message(&ask, h.channel))
        .await;
    assert!(text_of(&other).contains("someone else"), "{other}");
    assert_eq!(h.answers(post).await, 2);
    let done = h
        .click(&member(640), yes, vec![], &as_message(&ask, h.channel))
        .await;
    assert_eq!(done["type"], 7, "updates the confirm message: {done}");
    assert!(text_of(&done).contains("1 answer(s)"), "{done}");
    assert_eq!(h.answers(post).await, 1);
    h.finish().await;
}

async fn stats_groups_topics_and_help_answer(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    h.answer(&member(650), &message, true).await;
    let stats = h.slash(&member(650), "stats", json!([]), json!(null)).await;
    let text = text_of(&stats);
    assert!(
        text.contains("Answered\n1") && text.contains("Right\n1 (100%)"),
        "{text}"
    );
    let groups = h
        .slash(&member(650), "groups", json!([]), json!(null))
        .await;
    assert!(text_of(&groups).contains("Study groups"), "{groups}");
    let topics = h
        .slash(&member(650), "topics", json!([]), json!(null))
        .await;
    assert!(text_of(&topics).contains("`kinesis` ·"), "{topics}");
    let help = h.slash(&member(650), "help", json!([]), json!(null)).await;
    assert!(text_of(&help).contains("/daily set"), "{help}");
    h.finish().await;
}

async fn daily_set_names_the_permissions_the_bot_lacks(db: Db) {
    let mut config = FakeConfig::simple();
    let bot_role = config.guilds[0].bot_role_id();
    let everyone = config.guilds[0].id;
    let channel = &mut config.guilds[0].channels[0];
    *channel = channel
        .clone()
        .with_overwrite(Overwrite::role(everyone, 0, perm::EMBED_LINKS))
        .with_overwrite(Overwrite::role(bot_role, 0, perm::EMBED_LINKS));
    let h = Harness::start(db, config).await;
    let reply = h.set_daily(json!([])).await;
    assert!(is_ephemeral(&reply), "{reply}");
    let text = text_of(&reply);
    assert!(
        text.contains("missing Embed Links") && !text.contains("Send Messages"),
        "{text}"
    );
    assert!(
        h.app()
            .study
            .daily_status(GuildId(h.guild))
            .await
            .unwrap()
            .is_empty()
    );
    h.finish().await;
}

/// `studybot serve`, the binary, against the fake: it answers, logs JSON when asked, and SIGTERM
/// stops it with exit 0.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_serve_binary_answers_and_stops_cleanly_on_sigterm() {
    let config = FakeConfig::simple();
    let (guild, channel) = (config.guild_id(), config.channel_id());
    let fake = FakeDiscord::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
        .arg("serve")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "test-token")
        .env("STUDYBOT_DISCORD_API_URL", fake.api_base())
        .env("STUDYBOT_COMMAND_GUILD", guild.to_string())
        .env("STUDYBOT_CONTENT_DIR", content_dir())
        .env(
            "STUDYBOT_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        )
        .env("RUST_LOG", "info")
        .env("STUDYBOT_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    fake.wait_for_request("PUT", "/api/v10/applications/*/guilds/*/commands", WAIT)
        .await
        .expect("commands registered");
    let ask = fake_discord::slash_command(
        &fake.ids(),
        guild,
        channel,
        &member(660),
        "ask",
        json!([{"name": "query", "type": 3, "value": "sqs visibility timeout"}]),
    );
    let id = fake_discord::interaction_id(&ask);
    fake.dispatch("INTERACTION_CREATE", ask).await.unwrap();
    let reply = fake
        .wait_for_request(
            "POST",
            &format!("/api/v10/interactions/{id}/*/callback"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        text_of(&reply.body).to_lowercase().contains("visibility"),
        "{}",
        reply.body
    );

    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let stderr = child.stderr.take().unwrap();
    let (status, log) = tokio::time::timeout(
        WAIT,
        tokio::task::spawn_blocking(move || {
            let mut log = String::new();
            std::io::Read::read_to_string(&mut std::io::BufReader::new(stderr), &mut log).unwrap();
            (child.wait().unwrap(), log)
        }),
    )
    .await
    .expect("serve exits after SIGTERM")
    .unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopped"), "{log}");
    // log_format = json: one JSON object per line.
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(!log.contains("test-token"), "the token is never logged");
    fake.shutdown().await;
}

/// Waits for the bot's next message in the channel and returns it.
async fn next_message(h: &Harness, what: &str) -> Value {
    let r = h
        .fake
        .wait_for_request(
            "POST",
            &format!("/api/v10/channels/{}/messages", h.channel),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(r.status, 200, "{what}: {}", r.body);
    r.response
}

async fn start_quiz(h: &Harness, who: &FakeUser, questions: u32) -> Value {
    h.slash(
        who,
        "quiz",
        json!([fake_discord::subcommand(
            "start",
            json!([{"name": "questions", "type": 4, "value": questions}, {"name": "seconds", "type": 4, "value": 10}])
        )]),
        json!(null),
    )
    .await
}

async fn a_live_quiz_with_two_members_posts_standings_and_counts_in_the_leaderboard(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (fast, slow) = (member(670), member(671));
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 18, 0, 0).unwrap();
    h.clock.set(t0);
    let started = start_quiz(&h, &fast, 5).await;
    assert!(
        !is_ephemeral(&started) && text_of(&started).contains("started a quiz"),
        "{started}"
    );
    let mut at = t0;
    for i in 0..5 {
        let question = next_message(&h, "a question").await;
        let text = text_of(&json!({"data": question}));
        assert!(
            text.contains(&format!("Question {}/5", i + 1)) && text.contains("Time's up <t:"),
            "{text}"
        );
        if i < 3 {
            // Both right; the fast one first. Private feedback, points with the speed bonus.
            h.clock.set(at + chrono::Duration::seconds(1));
            let (reply, _) = h.answer(&fast, &question, true).await;
            assert!(
                is_ephemeral(&reply) && text_of(&reply).contains("Right! +3 points"),
                "{reply}"
            );
            let (again, _) = h.answer(&fast, &question, true).await;
            assert!(text_of(&again).contains("You already answered"), "{again}");
            h.clock.set(at + chrono::Duration::seconds(2));
            let (reply, _) = h.answer(&slow, &question, true).await;
            assert!(text_of(&reply).contains("Right! +2 points"), "{reply}");
        }
        at += chrono::Duration::seconds(10);
        h.clock.set(at);
        let reveal = next_message(&h, "the reveal").await;
        let text = text_of(&json!({"data": reveal}));
        if i < 3 {
            let (f, s) = (
                text.find("<@670> +3").expect(&text),
                text.find("<@671> +2").expect(&text),
            );
            assert!(f < s, "fastest first: {text}");
        } else {
            assert!(text.contains("Nobody got it"), "{text}");
        }
    }
    let last = next_message(&h, "the final standings").await;
    let text = text_of(&json!({"data": last}));
    assert!(text.contains("Quiz over!"), "{text}");
    let (f, s) = (
        text.find("<@670> · 9 pts").expect(&text),
        text.find("<@671> · 6 pts").expect(&text),
    );
    assert!(f < s, "{text}");

    let board = h
        .slash(
            &slow,
            "leaderboard",
            json!([{"name": "kind", "type": 4, "value": 2}]),
            json!(null),
        )
        .await;
    let text = text_of(&board);
    assert!(text.contains("(live quizzes)"), "{text}");
    let (f, s) = (
        text.find("<@670> · 9 pts").expect(&text),
        text.find("<@671> · 6 pts").expect(&text),
    );
    assert!(f < s, "{text}");
    let daily = h
        .slash(
            &slow,
            "leaderboard",
            json!([{"name": "kind", "type": 4, "value": 1}]),
            json!(null),
        )
        .await;
    assert!(text_of(&daily).contains("No answers yet"), "{daily}");
    h.finish().await;
}

async fn one_quiz_per_channel_and_only_its_starter_or_a_moderator_stops_it(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let starter = member(680);
    start_quiz(&h, &starter, 5).await;
    next_message(&h, "the first question").await;
    let second = start_quiz(&h, &member(681), 5).await;
    assert!(is_ephemeral(&second), "{second}");
    assert!(
        text_of(&second).contains(&format!("already running in <#{}>", h.channel)),
        "{second}"
    );
    let stop = json!([fake_discord::subcommand("stop", Value::Null)]);
    let refused = h
        .slash(&member(681), "quiz", stop.clone(), json!(null))
        .await;
    assert!(
        text_of(&refused).contains("Only the member who started the quiz"),
        "{refused}"
    );
    let moderator = user(682, MEMBER_PERMISSIONS | perm::MANAGE_MESSAGES);
    let stopped = h.slash(&moderator, "quiz", stop.clone(), json!(null)).await;
    assert!(text_of(&stopped).contains("Quiz stopped"), "{stopped}");
    next_message(&h, "the reveal of the open question").await;
    let last = next_message(&h, "the final standings").await;
    assert!(
        text_of(&json!({"data": last})).contains("Quiz stopped."),
        "{last}"
    );
    let none = h.slash(&starter, "quiz", stop, json!(null)).await;
    assert!(text_of(&none).contains("No quiz is running here"), "{none}");
    h.finish().await;
}

async fn a_quiz_left_running_by_a_crash_is_abandoned_and_its_channel_told(db: Db) {
    let config = FakeConfig::simple();
    let (guild, channel) = (config.guild_id(), config.channel_id());
    // A quiz this instance ("e2e") was running when it died.
    let left = db
        .store
        .start_quiz(&studybot::store::NewQuiz {
            guild: GuildId(guild),
            channel: ChannelId(channel),
            parent_channel: ChannelId(channel),
            started_by: studybot::ids::UserId(690),
            holder: "e2e".into(),
            topic: None,
            exam: None,
            questions: 5,
            seconds: 20,
            started_at: start_time() - chrono::Duration::minutes(1),
        })
        .await
        .unwrap();
    let studybot::store::QuizStart::Started(id) = left else {
        panic!("{left:?}")
    };
    let h = Harness::start(db, config).await;
    let told = next_message(&h, "the restart notice").await;
    assert!(
        text_of(&json!({"data": told})).contains("The bot restarted"),
        "{told}"
    );
    let session = h.app().study.store.quiz(id).await.unwrap().unwrap();
    assert_eq!(session.state, studybot::store::QuizState::Abandoned);
    // A new quiz can start there; stopping the bot ends it and says so.
    start_quiz(&h, &member(691), 5).await;
    next_message(&h, "the first question").await;
    let mut h = h;
    let bot = h.bot.take().unwrap();
    bot.stop().await.unwrap();
    let last = next_message(&h, "the final standings at shutdown").await;
    assert!(
        text_of(&json!({"data": last})).contains("The bot is restarting"),
        "{last}"
    );
    h.finish().await;
}

async fn a_quiz_in_a_thread_leaves_the_channel_free(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let started = h
        .slash(
            &member(695),
            "quiz",
            json!([fake_discord::subcommand(
                "start",
                json!([{"name": "thread", "type": 5, "value": true}])
            )]),
            json!(null),
        )
        .await;
    let made = h
        .fake
        .wait_for_request(
            "POST",
            &format!("/api/v10/channels/{}/threads", h.channel),
            WAIT,
        )
        .await
        .unwrap();
    let thread = fake_discord::snowflake(&made.response["id"]).unwrap();
    assert!(
        text_of(&started).contains(&format!("in <#{thread}>")),
        "{started}"
    );
    let question = h
        .fake
        .wait_for_request(
            "POST",
            &format!("/api/v10/channels/{thread}/messages"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        text_of(&json!({"data": question.body})).contains("Question 1/10"),
        "{}",
        question.body
    );
    assert!(h.posted().is_empty(), "nothing in the channel itself");
    // The channel it was started from counts as taken.
    let second = start_quiz(&h, &member(696), 5).await;
    assert!(
        text_of(&second).contains(&format!("already running in <#{thread}>")),
        "{second}"
    );
    h.finish().await;
}

/// A plain HTTP GET on loopback: (status line, body).
async fn http_get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

fn metric(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(line_start)
                .map(|v| v.trim().parse::<f64>().unwrap())
        })
        .unwrap_or(0.0)
}

async fn healthz_and_metrics_show_the_counters_moving(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let addr = h.bot.as_ref().unwrap().metrics_addr().unwrap();
    // Ready once the gateway is up and the store answers.
    let (status, body) = until("healthz to say ok", || async {
        let (status, body) = http_get(addr, "/healthz").await;
        status.contains("200").then_some((status, body))
    })
    .await;
    assert!(
        status.contains("200") && body.trim() == "ok",
        "{status} {body}"
    );
    let (_, before) = http_get(addr, "/metrics").await;
    let asks = r#"studybot_interactions_total{command="ask",outcome="ok"}"#;
    assert_eq!(metric(&before, asks), 0.0, "{before}");

    h.slash(
        &member(700),
        "ask",
        json!([{"name": "query", "type": 3, "value": "kinesis fanout"}]),
        json!(null),
    )
    .await;
    let (_, message) = h.post_daily().await;
    h.answer(&member(700), &message, true).await;
    h.slash(
        &member(700),
        "daily",
        json!([fake_discord::subcommand("status", Value::Null)]),
        json!(null),
    )
    .await;

    let (status, after) = http_get(addr, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    assert_eq!(metric(&after, asks), 1.0, "{after}");
    assert_eq!(
        metric(
            &after,
            r#"studybot_interactions_total{command="daily set",outcome="ok"}"#
        ),
        1.0,
        "{after}"
    );
    assert_eq!(
        metric(
            &after,
            r#"studybot_interactions_total{command="daily status",outcome="user_error"}"#
        ),
        1.0,
        "a member may not: {after}"
    );
    assert_eq!(
        metric(
            &after,
            r#"studybot_interactions_total{command="click: answer",outcome="ok"}"#
        ),
        1.0,
        "{after}"
    );
    assert_eq!(
        metric(&after, r#"studybot_daily_posts_total{result="ok"}"#),
        1.0,
        "{after}"
    );
    assert_eq!(
        metric(&after, "studybot_answers_recorded_total "),
        1.0,
        "{after}"
    );
    assert!(
        metric(&after, "studybot_interaction_seconds_count ") >= 4.0,
        "{after}"
    );
    assert!(
        metric(&after, "studybot_search_seconds_count ") >= 1.0,
        "{after}"
    );
    assert!(
        after.contains("studybot_scheduler_lag_seconds 1"),
        "posted 1 s after 08:00: {after}"
    );
    let (status, _) = http_get(addr, "/nothing").await;
    assert!(status.contains("404"), "{status}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_serve_on_the_same_sqlite_file_is_refused() {
    let config = FakeConfig::simple();
    let guild = config.guild_id();
    let fake = FakeDiscord::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(&fake, "test-token", guild);
    s.database_url = format!("sqlite://{}", dir.path().join("bot.db").display());
    s.metrics_addr = None;
    let options = || Options {
        quiz_interval: Duration::from_millis(20),
        ..Options::default()
    };
    let first = studybot::discord::start(&s, options())
        .await
        .expect("the first starts");
    let err = studybot::discord::start(&s, options())
        .await
        .err()
        .expect("the second is refused");
    let text = format!("{err:#}");
    assert!(
        text.contains("another studybot serve is using") && text.contains("bot.db"),
        "{text}"
    );
    assert!(text.contains("use PostgreSQL"), "{text}");
    first.stop().await.unwrap();
    // Once the first is gone, the file is free again.
    let again = studybot::discord::start(&s, options())
        .await
        .expect("starts after the first stopped");
    again.stop().await.unwrap();
    fake.shutdown().await;
}

/// Sends a slash command in `guild` (channel `guild + 10`) and returns the reply body.
async fn ask_in(
    fake: &FakeDiscord,
    guild: u64,
    who: &FakeUser,
    name: &str,
    options: Value,
    resolved: Value,
) -> Value {
    let event = fake_discord::slash_command_resolved(
        &fake.ids(),
        guild,
        guild + 10,
        who,
        name,
        options,
        resolved,
    );
    let id = fake_discord::interaction_id(&event);
    fake.dispatch("INTERACTION_CREATE", event).await.unwrap();
    fake.wait_for_request(
        "POST",
        &format!("/api/v10/interactions/{id}/*/callback"),
        WAIT,
    )
    .await
    .unwrap()
    .body
}

/// Two `studybot serve` processes (shards 0 and 1 of 2) on one PostgreSQL database, behind one
/// fake Discord speaking for both shards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_split_the_shards_and_post_a_daily_question_once() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        println!("skipped: TEST_DATABASE_URL is not set");
        return;
    };
    // A database of its own (the processes migrate it), dropped at the end.
    let name = format!("studybot_shards_{}", std::process::id());
    let pg = sqlx::PgPool::connect(&url).await.unwrap();
    let create = |sql: String| sqlx::raw_sql(sqlx::AssertSqlSafe(sql));
    create(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&pg)
        .await
        .unwrap();
    create(format!("CREATE DATABASE {name}"))
        .execute(&pg)
        .await
        .unwrap();
    let base = url.split('?').next().unwrap().rsplit_once('/').unwrap().0;
    let db_url = format!("{base}/{name}");

    let (a, b) = (
        fake_discord::guild_id_on_shard(0, 2, 1),
        fake_discord::guild_id_on_shard(1, 2, 1),
    );
    let mut config = FakeConfig::simple();
    config.shard_count = 2;
    config.guilds = vec![
        fake_discord::FakeGuild::new(a, "Group A")
            .with_channel(fake_discord::FakeChannel::text(a + 10, "study")),
        fake_discord::FakeGuild::new(b, "Group B")
            .with_channel(fake_discord::FakeChannel::text(b + 10, "study")),
    ];
    let fake = FakeDiscord::start(config).await;
    let dir = tempfile::tempdir().unwrap();
    let mut children = Vec::new();
    for shard in 0..2u32 {
        let log = std::fs::File::create(dir.path().join(format!("serve-{shard}.log"))).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_studybot"))
            .args([
                "serve",
                "--shards",
                &format!("{shard}-{shard}"),
                "--total-shards",
                "2",
            ])
            .current_dir(dir.path())
            .env("DISCORD_TOKEN", "test-token")
            .env("STUDYBOT_DISCORD_API_URL", fake.api_base())
            .env("STUDYBOT_DATABASE_URL", &db_url)
            .env("STUDYBOT_CONTENT_DIR", content_dir())
            .env("STUDYBOT_INSTANCE", format!("process-{shard}"))
            .stderr(log)
            .spawn()
            .unwrap();
        children.push(child);
        fake.wait_ready(shard, WAIT).await.unwrap();
    }
    let mut shards = fake.identified_shards();
    shards.sort_unstable();
    assert_eq!(
        shards,
        [(0, 2), (1, 2)],
        "each process identifies only its own shard, once"
    );

    // /ask works in both servers (each reaches the process holding its shard).
    for guild in [a, b] {
        let query = json!([{"name": "query", "type": 3, "value": "kinesis fanout"}]);
        let reply = ask_in(&fake, guild, &member(710), "ask", query, json!(null)).await;
        assert!(
            text_of(&reply).to_lowercase().contains("fan-out"),
            "{reply}"
        );
    }

    // A daily question in server A, brought forward to now: both processes run the scheduler.
    let channel = (a + 10).to_string();
    let resolved = json!({"channels": {channel.clone(): {"id": channel, "name": "study", "type": 0, "permissions": "2147483647"}}});
    let set = json!([{"name": "set", "type": 1, "options": [
        {"name": "channel", "type": 7, "value": channel},
        {"name": "time", "type": 3, "value": "23:59"},
        {"name": "timezone", "type": 3, "value": "UTC"},
    ]}]);
    let reply = ask_in(&fake, a, &admin(), "daily", set, resolved.clone()).await;
    assert!(text_of(&reply).contains("Daily question set"), "{reply}");
    let now = json!([{"name": "now", "type": 1, "options": [{"name": "channel", "type": 7, "value": channel}]}]);
    let reply = ask_in(&fake, a, &admin(), "daily", now, resolved).await;
    assert!(
        text_of(&reply).contains("Posting today's question"),
        "{reply}"
    );
    let path = format!("/api/v10/channels/{channel}/messages");
    fake.wait_for_request("POST", &path, WAIT).await.unwrap();
    // Until the slot is recorded as posted and the schedule moved on, both may still look at it.
    let store = studybot::store::Store::open(&db_url).await.unwrap();
    until("the post to be recorded", || async {
        let s = store.schedules(GuildId(a)).await.unwrap();
        s[0].next
            .is_some_and(|(date, _)| date > Utc::now().date_naive())
            .then_some(())
    })
    .await;
    store.close().await;
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .count();
    assert_eq!(posts, 1, "one process posted, once");

    for mut child in children {
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = tokio::time::timeout(
            WAIT,
            tokio::task::spawn_blocking(move || child.wait().unwrap()),
        )
        .await
        .expect("serve exits after SIGTERM")
        .unwrap();
        assert!(status.success(), "{status:?}");
    }
    fake.shutdown().await;
    create(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&pg)
        .await
        .unwrap();
    pg.close().await;
}

/// The reveal of today's daily question (moves the clock to tomorrow's).
async fn reveal_daily(h: &Harness) -> Value {
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 1).unwrap());
    let reveal = h
        .fake
        .wait_for_request(
            "PATCH",
            &format!("/api/v10/channels/{}/messages/*", h.channel),
            WAIT,
        )
        .await
        .unwrap();
    reveal.body
}

async fn posted_text_reads_in_sentences_and_members_report_a_revealed_question(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    // The prompt is one paragraph: the source's hard wraps are joined.
    let description = message["embeds"][0]["description"].as_str().unwrap();
    let prompt = description.split("\n\n").next().unwrap();
    assert!(
        !prompt.contains('\n'),
        "a line break inside the prompt: {prompt:?}"
    );
    let post = post_of(&custom_ids(&message)[0]);
    let question_id = h
        .app()
        .study
        .store
        .post(GuildId(h.guild), post)
        .await
        .unwrap()
        .unwrap()
        .question_id;

    let mut body = reveal_daily(&h).await;
    // The reveal's description ends with the explanation, after the "**Answer: X**" line.
    let description = body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    let explanation = description
        .split_once("**Answer:")
        .and_then(|(_, rest)| rest.split_once('\n'))
        .map(|(_, e)| e.to_string())
        .unwrap_or_default();
    assert!(
        !explanation.is_empty() && studybot::quiz::text::broken_sentences(&explanation).is_empty(),
        "the explanation is one paragraph: {explanation:?}"
    );
    let report_id = custom_ids(&body)
        .into_iter()
        .find(|id| id.starts_with("r:"))
        .expect("a Report button on the revealed question");
    body["id"] = json!(fake_discord::next_snowflake().to_string());
    let revealed = fake_discord::message(
        fake_discord::next_snowflake(),
        h.channel,
        1,
        "",
        body["embeds"].clone(),
        body["components"].clone(),
    );
    for (who, reason) in [(member(701), "wrong-answer"), (member(702), "unclear")] {
        let ask_why = h.click(&who, &report_id, vec![], &revealed).await;
        assert!(is_ephemeral(&ask_why), "{ask_why}");
        let menu = custom_ids(&ask_why["data"])
            .into_iter()
            .find(|id| id.starts_with("rr:"))
            .expect("a menu of reasons");
        let done = h
            .click(
                &who,
                &menu,
                vec![reason.to_string()],
                &as_message(&ask_why, h.channel),
            )
            .await;
        assert!(text_of(&done).contains("is reported"), "{done}");
    }
    assert!(
        h.app()
            .study
            .store
            .withheld_questions(GuildId(h.guild), 2)
            .await
            .unwrap()
            .contains(&question_id),
        "two members' reports take the question out of rotation"
    );

    // /report with details; too long details are refused by Discord's own limit (500).
    let reply = h
        .slash(
            &member(703),
            "report",
            json!([
                {"name": "question", "type": 3, "value": question_id},
                {"name": "reason", "type": 4, "value": 2},
                {"name": "details", "type": 3, "value": "a typo in the second choice"}
            ]),
            json!(null),
        )
        .await;
    assert!(
        is_ephemeral(&reply) && text_of(&reply).contains("is reported"),
        "{reply}"
    );

    // Only admins see /reports; they see the question with its counts and close it.
    let refused = h
        .slash(&member(701), "reports", json!([]), json!(null))
        .await;
    assert!(text_of(&refused).contains("Manage Server"), "{refused}");
    let list = h.slash(&admin(), "reports", json!([]), json!(null)).await;
    let text = text_of(&list);
    assert!(
        is_ephemeral(&list)
            && text.contains(&format!("{question_id} · 3 member(s) · out of rotation")),
        "{text}"
    );
    assert!(text.contains("a typo in the second choice"), "{text}");
    let resolve = custom_ids(&list["data"])
        .into_iter()
        .find(|id| id.starts_with("x:r:"))
        .expect("a resolve button");
    let by_member = h
        .click(
            &member(701),
            &resolve,
            vec![],
            &as_message(&list, h.channel),
        )
        .await;
    assert!(text_of(&by_member).contains("Manage Server"), "{by_member}");
    let done = h
        .click(&admin(), &resolve, vec![], &as_message(&list, h.channel))
        .await;
    assert!(
        text_of(&done).contains("3 report(s)") && text_of(&done).contains("No open reports"),
        "{done}"
    );
    assert!(
        h.app()
            .study
            .store
            .withheld_questions(GuildId(h.guild), 2)
            .await
            .unwrap()
            .is_empty()
    );
    h.finish().await;
}

async fn a_content_change_is_reloaded_without_a_restart(db: Db) {
    // A copy of the content, so the test can edit it.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&content_dir(), dir.path());
    let h = Harness::start_with_content(db, FakeConfig::simple(), dir.path().to_path_buf()).await;
    let ask = |q: &'static str| {
        let h = &h;
        async move {
            let reply = h
                .slash(
                    &member(720),
                    "ask",
                    json!([{"name": "query", "type": 3, "value": q}]),
                    json!(null),
                )
                .await;
            text_of(&reply)
        }
    };
    assert!(
        ask("quokkaphobia").await.contains("Nothing"),
        "not in the notes yet"
    );
    // A new section in a note: noticed and loaded while the bot runs.
    let note = dir.path().join("notes/sqs.md");
    let mut text = std::fs::read_to_string(&note).unwrap();
    text.push_str(
        "\n## Quokkaphobia drills\n\nA made-up word to find after a reload: quokkaphobia.\n",
    );
    std::fs::write(&note, text).unwrap();
    until("the edited notes to be searchable", || async {
        ask("quokkaphobia")
            .await
            .contains("Quokkaphobia drills")
            .then_some(())
    })
    .await;
    // A broken question file is refused: the old questions stay in use.
    let before = h.app().study.content().bank.questions().len();
    let questions = dir.path().join("questions/sqs.toml");
    let good = std::fs::read_to_string(&questions).unwrap();
    std::fs::write(
        &questions,
        format!("{good}\n[[question]]\nid = \"sqs-999\"\n"),
    )
    .unwrap();
    h.bot.as_ref().unwrap().reload_content();
    // Then a good change after it still goes in, proving the watcher kept going.
    std::fs::write(&questions, &good).unwrap();
    std::fs::write(
        &note,
        std::fs::read_to_string(&note)
            .unwrap()
            .replace("quokkaphobia.", "quokkaphobia and wombats."),
    )
    .unwrap();
    until("the second edit to be searchable", || async {
        ask("wombats")
            .await
            .contains("Quokkaphobia drills")
            .then_some(())
    })
    .await;
    assert_eq!(h.app().study.content().bank.questions().len(), before);
    h.finish().await;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

async fn a_daily_question_answered_wrong_is_served_by_review_the_next_day(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let (_, message) = h.post_daily().await;
    let post = post_of(&custom_ids(&message)[0]);
    let question_id = h
        .app()
        .study
        .store
        .post(GuildId(h.guild), post)
        .await
        .unwrap()
        .unwrap()
        .question_id;
    let learner = member(801);
    h.answer(&learner, &message, false).await;

    // The next day, /review serves the missed question first, privately.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 7, 0, 0).unwrap());
    let review = h.slash(&learner, "review", json!([]), json!(null)).await;
    assert!(is_ephemeral(&review), "{review}");
    let text = text_of(&review);
    let q = h
        .app()
        .study
        .content()
        .bank
        .get(&question_id)
        .unwrap()
        .clone();
    assert!(
        text.contains(&q.prompt),
        "the missed question comes back: {text}"
    );
    assert!(text.contains("Due now: 1"), "{text}");
    let ids = custom_ids(&review["data"]);
    let right = q.answer.indexes();
    let (answer_id, values) = if q.answer.count() == 1 {
        let id = ids
            .iter()
            .find(|id| id.split(':').nth(4) == Some(&right[0].to_string()))
            .unwrap()
            .clone();
        (id, vec![])
    } else {
        (
            ids[0].clone(),
            right.iter().map(ToString::to_string).collect(),
        )
    };
    let shown = as_message(&review, h.channel);

    // Someone else's button changes nothing.
    let other = h
        .click(&member(802), &answer_id, values.clone(), &shown)
        .await;
    assert!(text_of(&other).contains("someone else"), "{other}");

    let fb = h.click(&learner, &answer_id, values.clone(), &shown).await;
    let text = text_of(&fb);
    assert!(
        text.contains("Correct") && text.contains("comes back <t:"),
        "{text}"
    );
    assert!(
        text.contains(".md:"),
        "the notes heading and file:line: {text}"
    );
    // A double click: told, nothing recorded twice.
    let again = h.click(&learner, &answer_id, values.clone(), &shown).await;
    assert!(text_of(&again).contains("already answered"), "{again}");
    let card = h
        .app()
        .study
        .store
        .cards(GuildId(h.guild), UserId(801))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.question_id == question_id)
        .unwrap();
    assert_eq!(
        (card.answered, card.correct),
        (2, 1),
        "the daily miss and one review"
    );

    // A review message from hours ago is refused.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 3, 11, 0, 0).unwrap());
    let stale = h.click(&learner, &answer_id, values, &shown).await;
    assert!(text_of(&stale).contains("from a while ago"), "{stale}");

    // /stats shows the review figures.
    let stats = h.slash(&learner, "stats", json!([]), json!(null)).await;
    let text = text_of(&stats);
    assert!(
        text.contains("Review streak") && text.contains("Predicted recall"),
        "{text}"
    );
    h.finish().await;
}

async fn a_member_who_asked_gets_one_reminder_when_reviews_are_due(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let learner = member(811);
    let on = h
        .slash(
            &learner,
            "review",
            json!([{"name": "remind", "type": 4, "value": 0}]),
            json!(null),
        )
        .await;
    assert!(text_of(&on).contains("Reminders on"), "{on}");
    // Nothing is due yet: no message, however long the loop runs (checked after a DM below).
    let (_, message) = h.post_daily().await;
    h.answer(&learner, &message, false).await;
    // The missed question is due again after 10 minutes; from 09:00 in the server's zone
    // (UTC here) the reminder goes.
    h.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap());
    let dm = until("a DM channel with the learner", || async {
        h.fake.dm_channel(811)
    })
    .await;
    let sent = h
        .fake
        .wait_for_request("POST", &format!("/api/v10/channels/{dm}/messages"), WAIT)
        .await
        .expect("the reminder is sent");
    let text = sent.body["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        text.contains("1 review due") && text.contains("/review"),
        "{text}"
    );
    // Once a day: the claim is taken for today, so the next look finds nothing to send.
    assert!(
        h.app()
            .study
            .due_reminders(h.clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.fake.messages(dm).len(), 1);
    h.finish().await;
}

async fn a_mock_exam_is_taken_privately_with_flags_review_and_a_per_domain_result(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let learner = member(821);
    let start = h
        .slash(
            &learner,
            "exam",
            json!([{"name": "start", "type": 1, "options": [
                {"name": "exam", "type": 3, "value": "dva-c02"},
                {"name": "questions", "type": 4, "value": 3}
            ]}]),
            json!(null),
        )
        .await;
    assert!(is_ephemeral(&start), "{start}");
    let text = text_of(&start);
    assert!(
        text.contains("DVA-C02 mock exam · question 1 of 3") && text.contains("time is up <t:"),
        "{text}"
    );
    // What the exam asks, as the member's session holds it.
    let view = h
        .app()
        .study
        .resume_exam(GuildId(h.guild), UserId(821), h.clock.now())
        .await
        .unwrap();
    let q0 = &view.questions[0].question;
    let (id0, values0) = if q0.answer.count() == 1 {
        (
            format!("e:{}:a:0:{}", view.id, q0.answer.indexes()[0]),
            vec![],
        )
    } else {
        (
            format!("e:{}:m:0", view.id),
            q0.answer
                .indexes()
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    };
    assert!(
        custom_ids(&start["data"]).contains(&id0) || !values0.is_empty(),
        "{start}"
    );
    let screen = as_message(&start, h.channel);
    // Someone else's click changes nothing.
    let other = h.click(&member(822), &id0, values0.clone(), &screen).await;
    assert!(text_of(&other).contains("someone else"), "{other}");
    let after = h.click(&learner, &id0, values0, &screen).await;
    assert!(
        text_of(&after).contains("question 2 of 3"),
        "answering moves on: {after}"
    );
    let flag = format!("e:{}:f:1", view.id);
    let flagged = h
        .click(&learner, &flag, vec![], &as_message(&after, h.channel))
        .await;
    assert!(text_of(&flagged).contains("🚩 flagged"), "{flagged}");
    let review = h
        .click(
            &learner,
            &format!("e:{}:c", view.id),
            vec![],
            &as_message(&flagged, h.channel),
        )
        .await;
    let text = text_of(&review);
    assert!(
        text.contains("Answered **1 of 3**")
            && text.contains("**Unanswered:** 2, 3")
            && text.contains("**Flagged:** 2"),
        "{text}"
    );
    let result = h
        .click(
            &learner,
            &format!("e:{}:s", view.id),
            vec![],
            &as_message(&review, h.channel),
        )
        .await;
    let text = text_of(&result);
    assert!(
        text.contains("DVA-C02 mock exam ·") && text.contains("/1000"),
        "{text}"
    );
    assert!(
        text.contains("1 of 3 right") && text.contains("Missed questions"),
        "{text}"
    );
    assert!(
        text.contains("Development with AWS Services"),
        "per domain: {text}"
    );
    // The result carries its per-domain picture.
    let sent = h
        .fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("/callback") && !r.files.is_empty())
        .expect("the result is sent with a picture");
    assert_eq!(sent.files[0].0, "exam.png");
    // Submitted: a late click on the old screen changes nothing.
    let late = h.click(&learner, &flag, vec![], &screen).await;
    assert!(text_of(&late).contains("already submitted"), "{late}");
    let history = h
        .slash(
            &learner,
            "exam",
            json!([{"name": "history", "type": 1, "options": []}]),
            json!(null),
        )
        .await;
    assert!(text_of(&history).contains("**DVA-C02** ·"), "{history}");
    let stats = h.slash(&learner, "stats", json!([]), json!(null)).await;
    assert!(text_of(&stats).contains("Exam readiness"), "{stats}");
    // Not on the leaderboard.
    let board = h
        .slash(&learner, "leaderboard", json!([]), json!(null))
        .await;
    assert!(!text_of(&board).contains("<@821>"), "{board}");
    h.finish().await;
}

async fn stats_attaches_a_progress_picture_and_a_newcomer_gets_words(db: Db) {
    let h = Harness::start(db, FakeConfig::simple()).await;
    let newcomer = h.slash_recorded(&member(832), "stats", json!([])).await;
    assert!(newcomer.files.is_empty(), "no empty chart");
    assert!(
        text_of(&json!({"data": newcomer.body["data"]})).contains("Nothing yet"),
        "{}",
        newcomer.body
    );
    let (_, message) = h.post_daily().await;
    h.answer(&member(831), &message, true).await;
    let stats = h.slash_recorded(&member(831), "stats", json!([])).await;
    let (name, png) = stats.files.first().expect("a picture attached (multipart)");
    assert_eq!(name, "progress.png");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.clone()));
    let reader = decoder.read_info().expect("a PNG");
    assert_eq!(reader.info().width, 1600, "drawn at 2x");
    assert_eq!(
        stats.body["data"]["embeds"][0]["image"]["url"],
        json!("attachment://progress.png"),
        "{}",
        stats.body
    );
    // The leaderboard keeps its text and adds the top 5's points as lines when asked.
    h.slash(
        &member(831),
        "leaderboard",
        json!([{"name": "chart", "type": 5, "value": true}]),
        json!(null),
    )
    .await;
    let edited = h
        .fake
        .wait_for_request("POST", "/api/v10/webhooks/*/*", WAIT)
        .await
        .expect("the deferred answer follows");
    assert_eq!(
        edited.files.first().map(|f| f.0.as_str()),
        Some("points.png"),
        "{}",
        edited.body
    );
    assert!(
        text_of(&json!({"data": edited.body})).contains("<@831>"),
        "{}",
        edited.body
    );
    // No error message followed the picture (checked after one more round trip).
    h.slash(&member(831), "help", json!([]), json!(null)).await;
    assert!(
        h.fake
            .requests()
            .iter()
            .all(|r| !r.body.to_string().contains("Something went wrong")),
        "no error after the chart"
    );
    h.finish().await;
}
