//! A fresh database per test: a new SQLite file, or a new PostgreSQL schema (dropped by
//! `cleanup`) when `TEST_DATABASE_URL` is set.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::Utc;
use studybot::store::Store;

pub struct Db {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: (admin URL, schema) to drop after the test.
    schema: Option<(String, String)>,
}

impl Db {
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((url, schema)) = self.schema
            && let Ok(pool) = sqlx::PgPool::connect(&url).await
        {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    }
}

pub async fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/studybot.db").display()
    );
    Db {
        store: Store::open(&url).await.expect("open sqlite"),
        _dir: Some(dir),
        schema: None,
    }
}

pub async fn postgres(name: &str) -> Option<Db> {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        println!("skipped: TEST_DATABASE_URL is not set");
        return None;
    };
    // PostgreSQL cuts identifiers at 63 bytes: keep the unique part short and first.
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let short: String = name
        .chars()
        .filter(|c| c.is_ascii_lowercase())
        .take(20)
        .collect();
    let schema = format!(
        "t{}_{}_{short}",
        std::process::id(),
        nanos % 1_000_000_000_000
    );
    let store = Store::open_in_schema(&url, Some(&schema))
        .await
        .expect("open postgres");
    Some(Db {
        store,
        _dir: None,
        schema: Some((url, schema)),
    })
}
