//! The `studybot` binary: a thin `main` over [`studybot::cli::run`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = studybot::cli::Cli::parse();
    // The bot says what it is doing; one-shot commands only warn.
    let (default_level, json) = match &cli.command {
        studybot::cli::Command::Serve(args) => (
            "info,serenity=warn,poise=warn,sqlx=warn",
            studybot::cli::serve_settings(args)
                .is_ok_and(|s| s.log_format == studybot::config::LogFormat::Json),
        ),
        _ => ("warn", false),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
    match studybot::cli::run(cli) {
        Ok(code) => code,
        // `studybot topics | head`: the reader went away; nothing is wrong.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
