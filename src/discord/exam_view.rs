//! Purpose: how a mock exam looks in Discord: the question screen (answer buttons or a menu,
//! back, flag, next, review, submit), the review screen (unanswered and flagged, go to, submit
//! now), the result (score, pass or fail, per domain, readiness, missed questions with their
//! explanations and notes), and the history. Only rendering: the rules are in
//! `service::exam`.

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::custom_id::{CustomId, ExamOp};
use super::render::{ControlsLook, View, cut, lettered_controls, relative};
use crate::exam::{ExamResult, Readiness, SubmittedBy};
use crate::quiz::letter;
use crate::service::exam::{ExamSummary, ExamView};

const EXAM: u32 = 0x2980b9;

fn button(id: i64, op: ExamOp, label: &str, style: ButtonStyle) -> Option<CreateButton> {
    CustomId::Exam { id, op }
        .encode()
        .map(|c| CreateButton::new(c).label(label).style(style))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The question at the session's position, with the controls.
pub fn question(v: &ExamView, now: DateTime<Utc>) -> View {
    if v.result.is_some() {
        return result(v);
    }
    let pos = v.session.position();
    let n = v.session.len();
    let Some(shown) = v.questions.get(pos) else {
        return View::text("This exam has no question here; run /exam resume.");
    };
    let q = &shown.question;
    let state = &v.session.questions()[pos];
    let review = v.session.review(now);
    let mut text = format!("{}\n\n", q.prompt);
    for (i, c) in q.choices.iter().enumerate() {
        let mark = if state.picks.contains(&i) { "▶ " } else { "" };
        text.push_str(&format!("{mark}**{}.** {c}\n", letter(i)));
    }
    if q.answer.count() > 1 {
        text.push_str(&format!("\n*Choose {}.*", q.answer.count()));
    }
    text.push_str(&format!(
        "\n\nAnswered {} of {n} · flagged {} · time is up {}",
        review.answered,
        review.flagged.len(),
        relative(v.session.deadline())
    ));
    let retired = match &v.guide.status {
        crate::exam::ExamStatus::Retired { replaced_by } => {
            format!(" · retired, replaced by {replaced_by}")
        }
        crate::exam::ExamStatus::Current => String::new(),
    };
    let embed = CreateEmbed::new()
        .title(cut(
            &format!(
                "{} mock exam{retired} · question {} of {n}{}",
                v.guide.code,
                pos + 1,
                if state.flagged {
                    " · 🚩 flagged"
                } else {
                    ""
                }
            ),
            256,
        ))
        .description(cut(&text, 4096))
        .colour(EXAM);
    let look = ControlsLook {
        picked: &state.picks,
        ..ControlsLook::default()
    };
    let mut rows = lettered_controls(q, look, |choice| {
        CustomId::Exam {
            id: v.id,
            op: ExamOp::Answer {
                position: pos,
                choice,
            },
        }
        .encode()
    });
    let nav: Vec<CreateButton> = [
        button(v.id, ExamOp::Previous, "◀ Back", ButtonStyle::Secondary)
            .map(|b| b.disabled(pos == 0)),
        button(
            v.id,
            ExamOp::Flag { position: pos },
            if state.flagged { "Unflag" } else { "🚩 Flag" },
            ButtonStyle::Secondary,
        ),
        button(v.id, ExamOp::Next, "Next ▶", ButtonStyle::Secondary)
            .map(|b| b.disabled(pos + 1 >= n)),
        button(v.id, ExamOp::Review, "Review", ButtonStyle::Secondary),
        button(v.id, ExamOp::ReviewToSubmit, "Submit…", ButtonStyle::Danger),
    ]
    .into_iter()
    .flatten()
    .collect();
    rows.push(CreateActionRow::Buttons(nav));
    View::embed(embed).with_components(rows)
}

/// The review screen: what is unanswered and flagged, go to one, or submit.
pub fn review(v: &ExamView, now: DateTime<Utc>, confirm: bool) -> View {
    if v.result.is_some() {
        return result(v);
    }
    let r = v.session.review(now);
    let list = |p: &[usize]| {
        if p.is_empty() {
            "none".to_string()
        } else {
            p.iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut text = format!(
        "Answered **{} of {}**; time is up {}.\n\n**Unanswered:** {}\n**Flagged:** {}",
        r.answered,
        r.total,
        relative(v.session.deadline()),
        cut(&list(&r.unanswered), 1500),
        cut(&list(&r.flagged), 1500)
    );
    if confirm {
        text.push_str("\n\nSubmit now? You see your result at once; nothing can be changed after.");
    }
    let embed = CreateEmbed::new()
        .title(format!("{} mock exam · review", v.guide.code))
        .description(cut(&text, 4096))
        .colour(EXAM);
    let mut rows = Vec::new();
    let mut targets: Vec<usize> = r.unanswered.iter().chain(&r.flagged).copied().collect();
    targets.sort_unstable();
    targets.dedup();
    if let Some(id) = (CustomId::Exam {
        id: v.id,
        op: ExamOp::GoTo,
    })
    .encode()
        && !targets.is_empty()
    {
        let options = targets
            .iter()
            .take(25)
            .map(|&i| {
                let what = match (r.unanswered.contains(&i), r.flagged.contains(&i)) {
                    (true, true) => "unanswered, flagged",
                    (true, false) => "unanswered",
                    _ => "flagged",
                };
                CreateSelectMenuOption::new(format!("Question {} ({what})", i + 1), i.to_string())
            })
            .collect();
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(id, CreateSelectMenuKind::String { options })
                .placeholder("Go to a question…"),
        ));
    }
    let buttons: Vec<CreateButton> = [
        button(
            v.id,
            ExamOp::Show,
            "Back to the question",
            ButtonStyle::Secondary,
        ),
        button(v.id, ExamOp::Submit, "Submit now", ButtonStyle::Danger),
    ]
    .into_iter()
    .flatten()
    .collect();
    rows.push(CreateActionRow::Buttons(buttons));
    View::embed(embed).with_components(rows)
}

/// A submitted exam: score, pass or fail, per domain, and the missed questions.
pub fn result(v: &ExamView) -> View {
    let Some(r) = &v.result else {
        return View::text("This exam is not submitted yet.");
    };
    let by_timer = v
        .session
        .submission()
        .is_some_and(|s| s.by == SubmittedBy::Timer);
    let mut view = View::embed(result_embed(r, by_timer));
    let mut missed = String::new();
    for id in &r.missed {
        let Some((i, q)) = v
            .questions
            .iter()
            .enumerate()
            .find(|(_, q)| &q.question.id == id)
        else {
            continue;
        };
        let q = &q.question;
        let line = format!(
            "**{}.** `{}` answer **{}**{}: {} · `{}`\n",
            i + 1,
            q.id,
            q.answer.letters(),
            if r.unanswered.contains(id) {
                " (unanswered)"
            } else {
                ""
            },
            cut(&q.explanation, 220),
            q.source
        );
        if missed.chars().count() + line.chars().count() > 3900 {
            missed.push_str("… and more: `studybot exam` in the terminal shows every one.");
            break;
        }
        missed.push_str(&line);
    }
    if !missed.is_empty() {
        view.embeds.push(
            CreateEmbed::new()
                .title("Missed questions")
                .description(missed)
                .colour(0xe67e22),
        );
    }
    view
}

fn result_embed(r: &ExamResult, by_timer: bool) -> CreateEmbed {
    let verdict = if r.passed { "PASS ✅" } else { "not yet ❌" };
    let mut e = CreateEmbed::new()
        .title(format!(
            "{} mock exam · {}/1000 · {verdict}",
            r.exam, r.score
        ))
        .description(format!(
            "{} of {} right; passing is {}.{}",
            r.correct,
            r.total,
            r.passing_score,
            if by_timer {
                " Time ran out: the exam was submitted with the answers given before then."
            } else {
                ""
            }
        ))
        .colour(if r.passed { 0x2ecc71 } else { 0xe74c3c });
    for d in &r.domains {
        let value = match d.percent {
            Some(p) => format!("{}/{} ({p:.0}%)", d.correct, d.total),
            None => "no question".to_string(),
        };
        e = e.field(
            cut(&format!("{} · {}%", d.name, d.weight), 256),
            value,
            true,
        );
    }
    e
}

/// The member's past exams.
pub fn history(list: &[ExamSummary]) -> View {
    if list.is_empty() {
        return View::text("No mock exams yet: `/exam start exam: DVA-C02` begins one.");
    }
    let lines: Vec<String> = list
        .iter()
        .map(|e| match &e.result {
            Some(r) => format!(
                "<t:{}:d> · **{}** · {}/1000 · {}/{} · {}",
                e.started_at.timestamp(),
                e.exam,
                r.score,
                r.correct,
                r.total,
                if r.passed { "pass" } else { "not yet" }
            ),
            None => format!(
                "<t:{}:d> · **{}** · open: `/exam resume`",
                e.started_at.timestamp(),
                e.exam
            ),
        })
        .collect();
    View::embed(
        CreateEmbed::new()
            .title("Your mock exams")
            .description(cut(&lines.join("\n"), 4096))
            .colour(EXAM),
    )
}

/// One line per exam practised: the readiness estimate and the weakest domain.
pub fn readiness_lines(list: &[Readiness]) -> String {
    list.iter()
        .map(|r| {
            let weakest = r
                .weakest_domain()
                .map(|d| format!(" · weakest: {} ({})", d.name, pct(d.estimate)))
                .unwrap_or_default();
            format!(
                "**{}** {} ({}–{}), pass chance {}{weakest}",
                r.exam,
                pct(r.estimate),
                pct(r.low),
                pct(r.high),
                pct(r.pass_probability)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
