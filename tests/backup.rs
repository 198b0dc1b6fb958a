//! `studybot backup` and `studybot export-scores`, run as the binary against a SQLite database
//! filled through the store. No PostgreSQL needed: the pg_dump message needs only a URL.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Duration, Utc};
use studybot::ids::{ChannelId, GuildId, PostId, UserId};
use studybot::scores::{NewAnswer, PeriodKeys, RecordOutcome, Scope};
use studybot::store::{NewPost, PostKind, Store};

const BERLIN: GuildId = GuildId(1);
const OTHER: GuildId = GuildId(2);

/// Runs `studybot ARGS` in `dir` (so no studybot.toml of the repository is read).
fn studybot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_studybot"))
        .current_dir(dir)
        .env_remove("STUDYBOT_DATABASE_URL")
        .args(args)
        .output()
        .expect("run studybot")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn url_of(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

async fn post(store: &Store, guild: GuildId, kind: PostKind, at: DateTime<Utc>) -> PostId {
    store
        .create_post(&NewPost {
            guild,
            channel: ChannelId(guild.0 * 100),
            kind,
            question_id: "sqs-001".into(),
            topic: "sqs".into(),
            local_date: (kind == PostKind::Daily).then(|| at.date_naive()),
            posted_at: at,
            closes_at: None,
            shown: None,
        })
        .await
        .unwrap()
        .unwrap()
}

async fn answer(
    store: &Store,
    guild: GuildId,
    post: PostId,
    user: u64,
    points: i64,
    at: DateTime<Utc>,
) {
    let zone = if guild == BERLIN {
        chrono_tz::Europe::Berlin
    } else {
        chrono_tz::UTC
    };
    let outcome = store
        .record_answer(
            guild,
            &NewAnswer {
                post,
                user: UserId(user),
                choice: "A".into(),
                correct: points > 0,
                points,
                at,
            },
            &PeriodKeys::at(at, zone),
        )
        .await
        .unwrap();
    assert!(matches!(outcome, RecordOutcome::Recorded { .. }));
}

/// Two servers. Berlin (Europe/Berlin): member 11 has 5 points (2 of 2 right, quizzes, now),
/// 12 has 3 (a daily question 60 days ago, then a wrong quiz answer now), 13 has 1 (1 of 2).
/// The other server: 21 has 9 points and 11 has 1 there.
async fn filled(file: &Path) -> Store {
    let store = Store::open(&url_of(file)).await.unwrap();
    let now = Utc::now();
    let long_ago = now - Duration::days(60);
    store
        .upsert_guild(BERLIN, "Europe/Berlin", long_ago)
        .await
        .unwrap();
    store.upsert_guild(OTHER, "UTC", long_ago).await.unwrap();

    let a = post(&store, BERLIN, PostKind::Quiz, now).await;
    answer(&store, BERLIN, a, 11, 3, now).await;
    answer(&store, BERLIN, a, 12, 0, now).await;
    answer(&store, BERLIN, a, 13, 1, now).await;
    let b = post(&store, BERLIN, PostKind::Quiz, now).await;
    answer(&store, BERLIN, b, 11, 2, now).await;
    answer(&store, BERLIN, b, 13, 0, now).await;
    let c = post(&store, BERLIN, PostKind::Daily, long_ago).await;
    answer(&store, BERLIN, c, 12, 3, long_ago).await;

    let d = post(&store, OTHER, PostKind::Quiz, now).await;
    answer(&store, OTHER, d, 21, 9, now).await;
    answer(&store, OTHER, d, 11, 1, now).await;
    // Member 11's review card of one question.
    let card = studybot::review::Scheduler::default()
        .review(None, studybot::review::Rating::Good, now)
        .unwrap()
        .to_columns();
    store
        .bulk_load_cards(
            BERLIN,
            &[(UserId(11), "sqs-001".into(), "sqs".into(), card)],
        )
        .await
        .unwrap();
    store
}

async fn all_time(store: &Store, guild: GuildId) -> studybot::scores::Leaderboard {
    store
        .leaderboard(guild, Scope::Server, "all", 0, 100, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn backup_of_a_live_sqlite_database_opens_with_the_same_leaderboards() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("data/studybot.db");
    // The store stays open, as the running bot's would.
    let store = filled(&live).await;
    let target = dir.path().join("backups/nightly/studybot.db");

    let out = studybot(
        dir.path(),
        &[
            "backup",
            target.to_str().unwrap(),
            "--database-url",
            &url_of(&live),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let size = std::fs::metadata(&target).unwrap().len();
    assert!(size > 0);
    let said = stdout(&out);
    assert!(said.contains(&target.display().to_string()), "{said}");
    assert!(said.contains(&format!("{size} bytes")), "{said}");

    let copy = Store::open(&url_of(&target)).await.unwrap();
    for guild in [BERLIN, OTHER] {
        let (was, is) = (all_time(&store, guild).await, all_time(&copy, guild).await);
        assert_eq!(was, is);
        assert!(is.total >= 2);
    }
    let cards = copy.cards(BERLIN, UserId(11)).await.unwrap();
    assert_eq!(cards.len(), 1, "the review state is in the backup");
    assert_eq!(cards, store.cards(BERLIN, UserId(11)).await.unwrap());
    copy.close().await;
    store.close().await;
}

#[tokio::test]
async fn backup_refuses_an_existing_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("studybot.db");
    let store = filled(&live).await;
    let target = dir.path().join("already-here.db");
    std::fs::write(&target, "keep me").unwrap();

    let out = studybot(
        dir.path(),
        &[
            "backup",
            target.to_str().unwrap(),
            "--database-url",
            &url_of(&live),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&target.display().to_string()), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");

    // The live database itself is an existing file too.
    let out = studybot(
        dir.path(),
        &[
            "backup",
            live.to_str().unwrap(),
            "--database-url",
            &url_of(&live),
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(all_time(&store, BERLIN).await.total, 3);
    store.close().await;
}

#[test]
fn backup_of_a_missing_database_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("nowhere/studybot.db");
    let target = dir.path().join("copy.db");
    let out = studybot(
        dir.path(),
        &[
            "backup",
            target.to_str().unwrap(),
            "--database-url",
            &url_of(&live),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no database file"), "{err}");
    assert!(!live.exists() && !target.exists());
}

#[test]
fn backup_with_a_postgres_url_prints_the_pg_dump_line_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let out = studybot(
        dir.path(),
        &[
            "backup",
            "backups/studybot.dump",
            "--database-url",
            "postgres://studybot:hunter2@db.example:5432/studybot",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains(
            "pg_dump --format=custom --file backups/studybot.dump 'postgres://studybot:***@db.example:5432/studybot'"
        ),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");
    assert!(!dir.path().join("backups").exists());
}

#[tokio::test]
async fn export_scores_prints_one_servers_ranked_csv_and_nothing_of_another() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("studybot.db");
    let store = filled(&live).await;
    let url = url_of(&live);
    let export = |extra: &[&str]| {
        let mut args = vec!["export-scores", "--server", "1", "--database-url", &url];
        args.extend_from_slice(extra);
        let out = studybot(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };

    let all = export(&["--csv"]);
    assert_eq!(
        all,
        "rank,user_id,points,answered,correct,accuracy\n\
         1,11,5,2,2,1.000\n\
         2,12,3,2,1,0.500\n\
         3,13,1,2,1,0.500\n"
    );
    assert!(!all.contains(",21,"), "a member of another server: {all}");
    assert_eq!(export(&[]), all, "--csv and --period all are the defaults");

    // This week in Berlin: the daily answer of 60 days ago is not in it.
    assert_eq!(
        export(&["--period", "week"]),
        "rank,user_id,points,answered,correct,accuracy\n\
         1,11,5,2,2,1.000\n\
         2,13,1,2,1,0.500\n\
         3,12,0,1,0,0.000\n"
    );
    assert_eq!(
        export(&["--kind", "daily"]),
        "rank,user_id,points,answered,correct,accuracy\n1,12,3,1,1,1.000\n"
    );

    // The other server sees its own totals only: 11's points there, not in Berlin.
    let out = studybot(
        dir.path(),
        &["export-scores", "--server", "2", "--database-url", &url],
    );
    assert_eq!(
        stdout(&out),
        "rank,user_id,points,answered,correct,accuracy\n\
         1,21,9,1,1,1.000\n\
         2,11,1,1,1,1.000\n"
    );
    store.close().await;
}

#[tokio::test]
async fn export_scores_of_a_server_without_scores_prints_only_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("studybot.db");
    let store = filled(&live).await;
    let out = studybot(
        dir.path(),
        &[
            "export-scores",
            "--server",
            "777",
            "--database-url",
            &url_of(&live),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "rank,user_id,points,answered,correct,accuracy\n"
    );
    store.close().await;
}

#[test]
fn export_scores_refuses_a_server_that_is_not_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let url = url_of(&dir.path().join("studybot.db"));
    for bad in ["my-server", "-5", "0", "99999999999999999999"] {
        let out = studybot(
            dir.path(),
            &[
                "export-scores",
                &format!("--server={bad}"),
                "--database-url",
                &url,
            ],
        );
        assert!(!out.status.success(), "{bad}");
        let err = stderr(&out);
        assert!(err.contains("--server"), "{err}");
        assert!(err.contains("not a Discord server id"), "{err}");
        assert!(stdout(&out).is_empty());
    }
    assert!(!dir.path().join("studybot.db").exists());
}
