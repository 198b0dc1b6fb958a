//! The `studybot` binary: a thin `main` over [`studybot::cli::run`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = studybot::cli::Cli::parse();
    // The bot says what it is doing; one-shot commands only warn.
    let default_level = match cli.command {
        studybot::cli::Command::Serve(_) => "info,serenity=warn,poise=warn,sqlx=warn",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .init();
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
