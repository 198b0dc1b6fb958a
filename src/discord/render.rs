//! Purpose: domain values → what Discord shows (embeds, buttons, menus), within Discord's size
//! limits. A [`View`] is built once and turned into whichever message builder the caller needs
//! (a reply, a channel message, an edit, an interaction response).

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::custom_id::{CustomId, LeaderboardScope};
use crate::notes::Passage;
use crate::quiz::{Question, letter};
use crate::schedule::{DailySchedule, PostRequest, Reveal};
use crate::scores::{GroupStanding, Leaderboard, Period, Stats};
use crate::search::Hit;
use crate::service::review::{NextReview, Queue, ReviewFeedback, ReviewFilter, ReviewStats};

/// Discord's limits.
const FIELD_VALUE: usize = 1024;
const FIELD_NAME: usize = 256;
const DESCRIPTION: usize = 4096;
const TITLE: usize = 256;
const BUTTON_LABEL: usize = 80;
const OPTION_LABEL: usize = 100;
/// Study-bot colours: teal for questions, grey once closed.
const OPEN: u32 = 0x1abc9c;
const CLOSED: u32 = 0x7f8c8d;

/// A message's content, independent of how it is sent.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub content: Option<String>,
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
    /// Files to attach: (file name, bytes), e.g. a chart shown by `attachment://name`.
    pub files: Vec<(String, Vec<u8>)>,
}

impl View {
    pub fn text(text: &str) -> View {
        View {
            content: Some(cut(text, 2000)),
            ..View::default()
        }
    }

    pub fn embed(embed: CreateEmbed) -> View {
        View {
            embeds: vec![embed],
            ..View::default()
        }
    }

    pub fn with_components(mut self, rows: Vec<CreateActionRow>) -> View {
        self.components = rows;
        self
    }

    /// Attaches a PNG and shows it as the image of the last embed.
    pub fn with_png(mut self, name: &str, png: Vec<u8>) -> View {
        if let Some(e) = self.embeds.pop() {
            self.embeds.push(e.image(format!("attachment://{name}")));
        }
        self.files.push((name.to_string(), png));
        self
    }

    pub fn reply(self, ephemeral: bool) -> poise::CreateReply {
        let mut r = poise::CreateReply::default()
            .ephemeral(ephemeral)
            .components(self.components);
        for (name, bytes) in self.files {
            r = r.attachment(serenity::CreateAttachment::bytes(bytes, name));
        }
        if let Some(c) = self.content {
            r = r.content(c);
        }
        for e in self.embeds {
            r = r.embed(e);
        }
        r
    }

    pub fn response(self, ephemeral: bool) -> serenity::CreateInteractionResponseMessage {
        let mut r = serenity::CreateInteractionResponseMessage::new()
            .ephemeral(ephemeral)
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        for (name, bytes) in self.files {
            r = r.add_file(serenity::CreateAttachment::bytes(bytes, name));
        }
        if let Some(c) = self.content {
            r = r.content(c);
        }
        r
    }

    pub fn message(self) -> serenity::CreateMessage {
        let mut m = serenity::CreateMessage::new()
            .embeds(self.embeds)
            .components(self.components);
        if let Some(c) = self.content {
            m = m.content(c);
        }
        m
    }

    pub fn edit(self) -> serenity::EditMessage {
        let mut m = serenity::EditMessage::new()
            .embeds(self.embeds)
            .components(self.components);
        if let Some(c) = self.content {
            m = m.content(c);
        }
        m
    }
}

/// A private text reply.
pub fn ephemeral(text: &str) -> poise::CreateReply {
    View::text(text).reply(true)
}

/// Cuts to `max` characters, ending with `…` when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `<t:1700000000:R>`: Discord shows it as "in 3 hours" in each reader's own time.
pub fn relative(t: DateTime<Utc>) -> String {
    format!("<t:{}:R>", t.timestamp())
}

/// `<t:1700000000:f>`: a full date and time in the reader's zone.
pub fn full_time(t: DateTime<Utc>) -> String {
    format!("<t:{}:f>", t.timestamp())
}

/// One page of `/ask` results.
#[derive(Debug, Clone)]
pub struct AskPage<'a> {
    pub query: &'a str,
    pub topic: Option<&'a str>,
    pub hits: &'a [Hit],
    /// Rank of the first hit shown (0-based).
    pub offset: usize,
    pub more: bool,
    /// Words replaced by a spelling from the notes (`kinesys` → `kinesis`).
    pub corrections: Vec<(String, String)>,
    /// When nothing matched: a query worth trying instead.
    pub suggestion: Option<String>,
    /// Only function words: nothing was looked up.
    pub vague: bool,
    /// For a question: the sentence that best answers it.
    pub answer: Option<&'a str>,
    /// For a comparison: the two sides.
    pub sides: Option<&'a [String; 2]>,
}

pub fn ask(page: &AskPage<'_>) -> View {
    let mut title = format!("Notes for “{}”", page.query);
    if let Some(t) = page.topic {
        title.push_str(&format!(" in {t}"));
    }
    let mut embed = CreateEmbed::new().title(cut(&title, TITLE)).colour(OPEN);
    if page.vague {
        embed = embed.description(
            "That is too vague to look up: add what it is about, for example \
             “what is the max size of an **SQS** message”.",
        );
    } else if page.hits.is_empty() {
        let mut text = "Nothing in the notes matches that.".to_string();
        if page.topic.is_some() {
            text.push_str(" Try all topics.");
        } else if let Some(s) = &page.suggestion {
            text.push_str(&format!(" Did you mean **{s}**?"));
        } else {
            text.push_str(" Try other or fewer words; `/topics` lists what the notes cover.");
        }
        embed = embed.description(text);
    } else {
        let mut description = String::new();
        if !page.corrections.is_empty() {
            let fixes: Vec<String> = page
                .corrections
                .iter()
                .map(|(typed, used)| format!("{used} (for “{typed}”)"))
                .collect();
            description = format!("Also searched: {}", fixes.join(", "));
        }
        if let Some(answer) = page.answer {
            let lead = format!("**Answer:** {answer}");
            description = if description.is_empty() {
                lead
            } else {
                format!("{lead}\n{description}")
            };
        }
        if let Some([a, b]) = page.sides {
            description.push_str(&format!("\nComparing **{a}** and **{b}**."));
        }
        if !description.is_empty() {
            embed = embed.description(cut(description.trim_start(), DESCRIPTION));
        }
        // Keep the whole embed under Discord's 6,000 characters.
        let per_field = (5000 / page.hits.len().max(1)).min(FIELD_VALUE);
        for (i, hit) in page.hits.iter().enumerate() {
            let p = &hit.passage;
            let mut name = format!("{}. {}", page.offset + i + 1, p.heading());
            if let Some(label) = page.sides.and_then(|s| hit.side_label(s)) {
                name = format!("{name} · {label}");
            }
            let cite = format!("\n`{}`", p.citation());
            let room = per_field.saturating_sub(cite.chars().count());
            let value = format!("{}{cite}", cut(&hit.snippet, room));
            embed = embed.field(cut(&name, FIELD_NAME), value, false);
        }
    }
    let mut buttons = Vec::new();
    if page.more {
        let id = CustomId::AskPage {
            offset: page.offset + page.hits.len(),
            topic: page.topic.map(str::to_string),
            query: page.query.to_string(),
        };
        if let Some(id) = id.encode() {
            buttons.push(
                CreateButton::new(id)
                    .label("More results")
                    .style(ButtonStyle::Secondary),
            );
        }
    }
    if page.hits.is_empty() {
        // In one topic, the rest of the notes are the best next try; else a corrected query.
        let retry = match (page.topic, &page.suggestion) {
            (Some(_), _) => Some(("Search all topics".to_string(), page.query.to_string())),
            (None, Some(s)) => Some((format!("Search “{}”", cut(s, 60)), s.clone())),
            (None, None) => None,
        };
        if let Some((label, query)) = retry {
            let id = CustomId::AskPage {
                offset: 0,
                topic: None,
                query,
            };
            if let Some(id) = id.encode() {
                buttons.push(
                    CreateButton::new(id)
                        .label(cut(&label, BUTTON_LABEL))
                        .style(ButtonStyle::Primary),
                );
            }
        }
    }
    let view = View::embed(embed);
    if buttons.is_empty() {
        view
    } else {
        view.with_components(vec![CreateActionRow::Buttons(buttons)])
    }
}

/// The choices, lettered, one per line.
fn choices_text(q: &Question, mark: impl Fn(usize) -> &'static str) -> String {
    q.choices
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}**{}.** {c}", mark(i), letter(i)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn choose_hint(q: &Question) -> String {
    match q.answer.count() {
        1 => String::new(),
        n => format!("\n\n*Choose {n}.*"),
    }
}

/// How lettered answer controls look.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlsLook<'a> {
    /// Buttons off (a closed question).
    pub disabled: bool,
    /// Choices shown green (the answer, once revealed).
    pub highlight_correct: bool,
    /// Choices the member picked so far (blue buttons, preselected menu options).
    pub picked: &'a [usize],
}

/// A button per letter, or a menu when several choices must be picked. `id(Some(i))` is the
/// `custom_id` of letter `i`'s button, `id(None)` the menu's.
pub fn lettered_controls(
    q: &Question,
    look: ControlsLook<'_>,
    id: impl Fn(Option<usize>) -> Option<String>,
) -> Vec<CreateActionRow> {
    let correct = q.answer.indexes();
    if q.answer.count() == 1 {
        let buttons: Vec<CreateButton> = (0..q.choices.len())
            .filter_map(|i| {
                let style = if look.highlight_correct && correct.contains(&i) {
                    ButtonStyle::Success
                } else if look.picked.contains(&i) {
                    ButtonStyle::Primary
                } else {
                    ButtonStyle::Secondary
                };
                id(Some(i)).map(|id| {
                    CreateButton::new(id)
                        .label(letter(i).to_string())
                        .style(style)
                        .disabled(look.disabled)
                })
            })
            .collect();
        buttons
            .chunks(5)
            .map(|row| CreateActionRow::Buttons(row.to_vec()))
            .collect()
    } else {
        let Some(menu_id) = id(None) else {
            return Vec::new();
        };
        let options = q
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| {
                CreateSelectMenuOption::new(
                    cut(&format!("{}. {c}", letter(i)), OPTION_LABEL),
                    i.to_string(),
                )
                .default_selection(look.picked.contains(&i))
            })
            .collect();
        let n = u8::try_from(q.answer.count()).unwrap_or(u8::MAX);
        let menu = CreateSelectMenu::new(menu_id, CreateSelectMenuKind::String { options })
            .placeholder(format!("Pick {n} answers"))
            .min_values(n)
            .max_values(n)
            .disabled(look.disabled);
        vec![CreateActionRow::SelectMenu(menu)]
    }
}

/// The answer controls of a posted question (daily or live quiz); once closed, turned off with
/// the answer in green.
pub fn answer_controls(
    post: crate::ids::PostId,
    q: &Question,
    disabled: bool,
) -> Vec<CreateActionRow> {
    let look = ControlsLook {
        disabled,
        highlight_correct: disabled,
        picked: &[],
    };
    lettered_controls(q, look, |choice| CustomId::Answer { post, choice }.encode())
}

/// The buttons under a revealed question: "Read the notes" and "Report".
pub fn after_reveal(post: crate::ids::PostId, q: &Question) -> CreateActionRow {
    let mut buttons: Vec<CreateButton> = notes_button(q).into_iter().collect();
    if let Some(id) = (CustomId::Report { post }).encode() {
        buttons.push(
            CreateButton::new(id)
                .label("Report")
                .style(ButtonStyle::Secondary),
        );
    }
    CreateActionRow::Buttons(buttons)
}

/// The private "why?" menu after pressing "Report".
pub fn report_reasons(post: crate::ids::PostId) -> View {
    let options = crate::service::reports::ReportReason::ALL
        .iter()
        .map(|r| CreateSelectMenuOption::new(r.label(), r.as_str()))
        .collect();
    let id = (CustomId::ReportReason { post })
        .encode()
        .unwrap_or_default();
    let menu = CreateSelectMenu::new(id, CreateSelectMenuKind::String { options })
        .placeholder("What is wrong with this question?");
    View::text(
        "Thanks for helping fix the questions. What is wrong? (To add details, use `/report`.)",
    )
    .with_components(vec![CreateActionRow::SelectMenu(menu)])
}

/// The reply to a report.
pub fn reported(r: &crate::service::reports::Reported) -> View {
    View::text(&if r.withheld {
        format!(
            "Thanks: question `{}` is reported. Several members reported it, so it is out of this server's daily questions and quizzes until an admin looks at it (`/reports`).",
            r.question_id
        )
    } else {
        format!(
            "Thanks: question `{}` is reported. Admins see it in `/reports`.",
            r.question_id
        )
    })
}

/// A server's open reports, one embed per question (at most 5, with resolve and dismiss).
pub fn reports(list: &[crate::service::reports::ReportedQuestion]) -> View {
    if list.is_empty() {
        return View::text("No open reports. 🎉");
    }
    let mut view = View::text(&format!(
        "{} question(s) with open reports{}.",
        list.len(),
        if list.len() > 5 {
            "; the 5 most reported are shown, resolve them to see the next"
        } else {
            ""
        }
    ));
    for r in list.iter().take(5) {
        let reasons: Vec<String> = r.reasons.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let details = if r.details.is_empty() {
            "(no details)".to_string()
        } else {
            r.details
                .iter()
                .map(|d| format!("> {}", d.replace('\n', " ")))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let embed = CreateEmbed::new()
            .title(cut(
                &format!(
                    "{} · {} member(s){}",
                    r.question_id,
                    r.members,
                    if r.withheld {
                        " · out of rotation"
                    } else {
                        ""
                    }
                ),
                TITLE,
            ))
            .description(cut(&r.shown, DESCRIPTION))
            .field("Reasons", cut(&reasons.join(", "), FIELD_VALUE), false)
            .field("Details", cut(&details, FIELD_VALUE), false)
            .colour(0xe67e22);
        view.embeds.push(embed);
        let buttons: Vec<CreateButton> = [
            (true, "Resolve", ButtonStyle::Success),
            (false, "Dismiss", ButtonStyle::Secondary),
        ]
        .into_iter()
        .filter_map(|(resolve, label, style)| {
            CustomId::CloseReports {
                resolve,
                question: r.question_id.clone(),
            }
            .encode()
            .map(|id| {
                CreateButton::new(id)
                    .label(cut(&format!("{label} {}", r.question_id), BUTTON_LABEL))
                    .style(style)
            })
        })
        .collect();
        view.components.push(CreateActionRow::Buttons(buttons));
    }
    view
}

/// A "Read the notes" button for a question.
pub fn notes_button(q: &Question) -> Option<CreateButton> {
    CustomId::Notes {
        question: q.id.clone(),
    }
    .encode()
    .map(|id| {
        CreateButton::new(id)
            .label("Read the notes")
            .style(ButtonStyle::Primary)
    })
}

/// The text of a daily question as posted (the embed description).
fn daily_description(q: &Question, closes_at: DateTime<Utc>) -> String {
    format!(
        "{}\n\n{}{}\n\nCloses {}",
        q.prompt,
        choices_text(q, |_| ""),
        choose_hint(q),
        relative(closes_at)
    )
}

/// A daily question as posted.
pub fn daily_question(req: &PostRequest, answers: i64) -> View {
    let q = &req.question;
    let embed = CreateEmbed::new()
        .title(cut(&format!("Daily question · {}", q.topic), TITLE))
        .description(cut(&daily_description(q, req.closes_at), DESCRIPTION))
        .colour(OPEN)
        .footer(CreateEmbedFooter::new(answers_footer(answers)));
    let mut view = View::embed(embed).with_components(answer_controls(req.post, q, false));
    if let Some(role) = req.mention {
        view.content = Some(format!("<@&{}>", role.0));
    }
    view
}

/// A live-quiz question as posted.
pub fn quiz_question(
    q: &Question,
    post: crate::ids::PostId,
    number: usize,
    total: usize,
    closes_at: DateTime<Utc>,
) -> View {
    let embed = CreateEmbed::new()
        .title(cut(
            &format!("Question {number}/{total} · {}", q.topic),
            TITLE,
        ))
        .description(cut(&quiz_description(q, closes_at), DESCRIPTION))
        .colour(0x3498db);
    View::embed(embed).with_components(answer_controls(post, q, false))
}

fn quiz_description(q: &Question, closes_at: DateTime<Utc>) -> String {
    format!(
        "{}\n\n{}{}\n\nTime's up {}",
        q.prompt,
        choices_text(q, |_| ""),
        choose_hint(q),
        relative(closes_at)
    )
}

pub fn answers_footer(answers: i64) -> String {
    match answers {
        1 => "1 answer so far".to_string(),
        n => format!("{n} answers so far"),
    }
}

/// The text of a closed daily question: the answer marked, and the explanation.
fn reveal_description(q: &Question) -> String {
    let correct = q.answer.indexes();
    format!(
        "{}\n\n{}\n\n**Answer: {}**\n{}",
        q.prompt,
        choices_text(q, |i| if correct.contains(&i) { "✅ " } else { "" }),
        q.answer.letters(),
        q.explanation
    )
}

/// A closed daily question: the answer marked, the vote split, the explanation, buttons off.
pub fn reveal(r: &Reveal) -> View {
    let q = &r.question;
    let mut split = String::new();
    for (choice, n) in &r.split {
        let pct = (*n * 100).checked_div(r.total).unwrap_or(0);
        split.push_str(&format!("{choice}: {n} ({pct}%)\n"));
    }
    if split.is_empty() {
        split = "Nobody answered.".into();
    }
    let description = reveal_description(q);
    let embed = CreateEmbed::new()
        .title(cut(
            &format!("Daily question · {} · closed", q.topic),
            TITLE,
        ))
        .description(cut(&description, DESCRIPTION))
        .field("Answers", cut(&split, FIELD_VALUE), false)
        .colour(CLOSED)
        .footer(CreateEmbedFooter::new(format!(
            "{} · {}",
            answers_footer(r.total).replace(" so far", ""),
            q.source
        )));
    let mut rows = answer_controls(r.post, q, true);
    rows.push(after_reveal(r.post, q));
    View::embed(embed).with_components(rows)
}

/// The text of the private feedback after a click.
fn feedback_description(q: &Question, correct: bool, points: i64) -> String {
    let head = if correct {
        format!(
            "✅ Correct: {}. +{points} point{}.",
            q.answer.letters(),
            if points == 1 { "" } else { "s" }
        )
    } else {
        format!("❌ Not quite: the answer is {}.", q.answer.letters())
    };
    format!("{head}\n\n{}", q.explanation)
}

/// Private feedback after a click.
pub fn feedback(q: &Question, correct: bool, points: i64) -> View {
    let embed = CreateEmbed::new()
        .description(cut(&feedback_description(q, correct, points), DESCRIPTION))
        .colour(if correct { 0x2ecc71 } else { 0xe67e22 });
    let view = View::embed(embed);
    match notes_button(q) {
        Some(b) => view.with_components(vec![CreateActionRow::Buttons(vec![b])]),
        None => view,
    }
}

/// What would not fit when `q` is shown in Discord: each text the bot renders from a question
/// (daily post, live-quiz question, reveal, feedback, menu options, button labels) measured
/// against Discord's limit for where it goes. Empty when everything fits.
pub fn overflows(q: &Question) -> Vec<String> {
    // The longest a `<t:…:R>` timestamp gets, and the most points a reply can mention.
    let late = DateTime::<Utc>::MAX_UTC;
    let mut texts: Vec<(String, String, usize)> = vec![
        ("daily post".into(), daily_description(q, late), DESCRIPTION),
        (
            "live-quiz question".into(),
            quiz_description(q, late),
            DESCRIPTION,
        ),
        ("reveal".into(), reveal_description(q), DESCRIPTION),
        (
            "answer feedback".into(),
            feedback_description(q, true, 100),
            DESCRIPTION,
        ),
        (
            "answer feedback".into(),
            feedback_description(q, false, 0),
            DESCRIPTION,
        ),
    ];
    if q.answer.count() > 1 {
        for (i, c) in q.choices.iter().enumerate() {
            texts.push((
                format!("menu option {}", letter(i)),
                format!("{}. {c}", letter(i)),
                OPTION_LABEL,
            ));
        }
    } else {
        for i in 0..q.choices.len() {
            texts.push((
                format!("button {}", letter(i)),
                letter(i).to_string(),
                BUTTON_LABEL,
            ));
        }
    }
    texts
        .into_iter()
        .filter(|(_, text, limit)| text.chars().count() > *limit)
        .map(|(what, text, limit)| {
            format!(
                "the {what} is {} characters; Discord shows at most {limit}",
                text.chars().count()
            )
        })
        .collect()
}

/// Private feedback on a live-quiz click: right or not, no answer yet (that comes when time
/// is up, for everyone).
pub fn quiz_feedback(correct: bool, points: u32) -> View {
    View::text(&if correct {
        format!(
            "✅ Right! +{points} point{}.",
            if points == 1 { "" } else { "s" }
        )
    } else {
        "❌ Not this one. The answer is shown when time is up.".to_string()
    })
}

/// The notes section a question cites.
pub fn section(p: &Passage) -> View {
    let text = crate::notes::plain_text(&p.text);
    let embed = CreateEmbed::new()
        .title(cut(&p.heading(), TITLE))
        .description(cut(&text, 3000))
        .footer(CreateEmbedFooter::new(p.citation()))
        .colour(OPEN);
    View::embed(embed)
}

pub fn period_name(p: Period) -> &'static str {
    match p {
        Period::Week => "this week",
        Period::Month => "this month",
        Period::AllTime => "all time",
    }
}

fn standing_line(rank: u64, user: u64, points: i64, correct: i64, answered: i64) -> String {
    let pct = (correct * 100).checked_div(answered).unwrap_or(0);
    format!("**{rank}.** <@{user}> · {points} pts · {correct}/{answered} right ({pct}%)")
}

/// A leaderboard page, the caller's own rank, and paging buttons.
pub fn leaderboard(
    board: &Leaderboard,
    scope: &LeaderboardScope,
    period: Period,
    kind: Option<crate::store::PostKind>,
    page: u32,
    page_size: u32,
) -> View {
    let scope_name = match scope {
        LeaderboardScope::Server => "this server".to_string(),
        LeaderboardScope::Channel(c) => format!("<#{c}>"),
        LeaderboardScope::Group(r) => format!("<@&{r}>"),
    };
    let mut lines: Vec<String> = board
        .rows
        .iter()
        .map(|s| standing_line(s.rank, s.user.0, s.points, s.correct, s.answered))
        .collect();
    if lines.is_empty() {
        lines.push("No answers yet. Answer a daily question to get on the board!".into());
    }
    let kind_name = match kind {
        None => "",
        Some(crate::store::PostKind::Daily) => " (daily questions)",
        Some(crate::store::PostKind::Quiz) => " (live quizzes)",
    };
    let mut description = format!(
        "Leaderboard for {scope_name}{kind_name}, {}\n\n{}",
        period_name(period),
        lines.join("\n")
    );
    match &board.me {
        Some(me) => description.push_str(&format!(
            "\n\nYou: #{} of {} · {} pts",
            me.rank, board.total, me.points
        )),
        None if board.total > 0 => description.push_str("\n\nYou have no points here yet."),
        None => {}
    }
    let embed = CreateEmbed::new()
        .title("Leaderboard")
        .description(cut(&description, DESCRIPTION))
        .colour(OPEN);
    let pages = u32::try_from(board.total.div_ceil(u64::from(page_size.max(1))))
        .unwrap_or(u32::MAX)
        .max(1);
    let mut view = View::embed(embed.footer(CreateEmbedFooter::new(format!(
        "Page {} of {pages}",
        page + 1
    ))));
    if pages > 1 {
        let button = |to: u32, label: &str, enabled: bool| {
            let id = CustomId::Leaderboard {
                scope: scope.clone(),
                period,
                page: to,
                kind,
            }
            .encode()
            .unwrap_or_default();
            CreateButton::new(id)
                .label(label)
                .style(ButtonStyle::Secondary)
                .disabled(!enabled)
        };
        view = view.with_components(vec![CreateActionRow::Buttons(vec![
            button(page.saturating_sub(1), "◀ Previous", page > 0),
            button(page + 1, "Next ▶", page + 1 < pages),
        ])]);
    }
    view
}

/// Study groups ranked.
pub fn groups(standings: &[GroupStanding], period: Period, min_members: i64) -> View {
    let text = if standings.is_empty() {
        format!(
            "No study group has {min_members} or more members with answers yet. A study group is a role; members' points count for each of their roles."
        )
    } else {
        standings
            .iter()
            .map(|g| {
                format!(
                    "**{}.** <@&{}> · {:.1} pts per member · {} members",
                    g.rank, g.role.0, g.average_points, g.members
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    View::embed(
        CreateEmbed::new()
            .title(format!("Study groups, {}", period_name(period)))
            .description(cut(&text, DESCRIPTION))
            .colour(OPEN),
    )
}

/// A member's record.
pub fn stats(user: u64, s: &Stats, review: Option<&ReviewStats>) -> View {
    let pct = (s.correct * 100).checked_div(s.answered).unwrap_or(0);
    let mut embed = CreateEmbed::new()
        .title("Study stats")
        .description(format!("<@{user}>"))
        .field("Answered", s.answered.to_string(), true)
        .field("Right", format!("{} ({pct}%)", s.correct), true)
        .field("Points", s.points.to_string(), true)
        .field(
            "Streak",
            format!("{} now · best {}", s.current_streak, s.best_streak),
            true,
        )
        .colour(OPEN);
    // Topics with at least 3 answers, by accuracy.
    let mut topics: Vec<_> = s.by_topic.iter().filter(|t| t.answered >= 3).collect();
    topics.sort_by(|a, b| {
        (b.correct * a.answered)
            .cmp(&(a.correct * b.answered))
            .then(b.answered.cmp(&a.answered))
            .then(a.topic.cmp(&b.topic))
    });
    let line = |t: &crate::scores::TopicStat| format!("{} · {}/{}", t.topic, t.correct, t.answered);
    if let Some(best) = topics.first() {
        embed = embed.field("Best topic", line(best), true);
    }
    if topics.len() > 1
        && let Some(worst) = topics.last()
    {
        embed = embed.field("Needs work", line(worst), true);
    }
    if let Some(r) = review.filter(|r| r.cards > 0) {
        embed = embed.field("Due today", r.due_today.to_string(), true);
        if let Some(p) = r.retention {
            embed = embed.field("Predicted recall", format!("{:.0}%", p * 100.0), true);
        }
        embed = embed.field(
            "Review streak",
            format!("{} days · best {}", r.streak.current, r.streak.best),
            true,
        );
        if !r.weakest.is_empty() {
            let weakest: Vec<String> = r
                .weakest
                .iter()
                .map(|(t, p)| format!("{t} · {:.0}%", p * 100.0))
                .collect();
            embed = embed.field("Weakest by recall", weakest.join("\n"), false);
        }
    }
    if s.answered == 0 {
        embed = embed.field(
            "Nothing yet",
            "Answer a daily question or run a quiz to start.",
            false,
        );
    }
    View::embed(embed)
}

/// Topics with their passage and question counts.
pub fn topics(rows: &[(String, usize, usize)]) -> View {
    let text = rows
        .iter()
        .map(|(t, p, q)| format!("`{t}` · {p} passages · {q} questions"))
        .collect::<Vec<_>>()
        .join("\n");
    View::embed(
        CreateEmbed::new()
            .title(format!("{} topics", rows.len()))
            .description(cut(&text, DESCRIPTION))
            .colour(OPEN),
    )
}

/// The daily schedules of a server.
pub fn daily_status(schedules: &[DailySchedule]) -> View {
    if schedules.is_empty() {
        return View::text("No channel has a daily question. An admin sets one with `/daily set`.");
    }
    let lines: Vec<String> = schedules
        .iter()
        .map(|s| {
            let mut line = format!(
                "<#{}> · {} {} · {}",
                s.channel.0,
                s.local_time.format("%H:%M"),
                s.zone.name(),
                s.days
            );
            if !s.topics.is_empty() {
                line.push_str(&format!(" · topic {}", s.topics.join(", ")));
            }
            if !s.exams.is_empty() {
                line.push_str(&format!(" · exam {}", s.exams.join(", ")));
            }
            match (&s.enabled, &s.paused_reason, s.next) {
                (false, reason, _) => line.push_str(&format!(
                    "\n  ⛔ off: {}",
                    reason.as_deref().unwrap_or("removed")
                )),
                (true, Some(reason), _) => line.push_str(&format!(
                    "\n  ⏸ paused: {reason}. Fix it, then `/daily resume`."
                )),
                (true, None, Some((_, at))) => line.push_str(&format!(
                    "\n  next post {} ({})",
                    relative(at),
                    full_time(at)
                )),
                (true, None, None) => line.push_str("\n  no next post (no day selected)"),
            }
            line
        })
        .collect();
    View::embed(
        CreateEmbed::new()
            .title("Daily questions")
            .description(cut(&lines.join("\n"), DESCRIPTION))
            .colour(OPEN),
    )
}

/// `/help`.
pub fn help(points_rule: &str, quiz_rule: &str) -> View {
    let text = format!(
        "I am your study group's study partner for AWS certifications.\n\n\
**Look things up** · `/ask kinesis fanout` searches the group's notes (typos and spellings are forgiven); `/topics` lists what they cover.\n\
**Daily question** · an admin (Manage Server) runs `/daily set channel:#study time:09:00 timezone:Europe/Berlin`; a question is posted there every day, answered with buttons, and the answer is revealed when the next one comes. `/daily status` shows what is set up.\n\
**Scores** · `/leaderboard` (server, channel or study group; week, month or all time), `/groups` ranks study groups (roles), `/stats` shows your record and streak.\n\
**Live quiz** · `/quiz start` runs a round for everyone here (or in a thread); `/quiz stop` ends it.\n\
**Points** · {points_rule} In a live quiz: {quiz_rule}\n\
**Your data** · `/forget-me` deletes your answers and scores in this server."
    );
    View::embed(
        CreateEmbed::new()
            .title("studybot")
            .description(text)
            .colour(OPEN),
    )
}

fn queue_line(q: &Queue) -> String {
    format!(
        "Due now: {} · due today: {} · new left today: {}",
        q.due_now, q.due_today, q.new_left
    )
}

/// The next `/review` question, or why there is none. Only `user` may answer it.
pub fn review_next(
    user: u64,
    next: &NextReview,
    filter: &ReviewFilter,
    now: DateTime<Utc>,
) -> View {
    match next {
        NextReview::Ask {
            question: q,
            new,
            queue,
        } => {
            let description = format!(
                "{}\n\n{}{}",
                q.prompt,
                choices_text(q, |_| ""),
                choose_hint(q)
            );
            let embed = CreateEmbed::new()
                .title(cut(
                    &format!("Review · {}{}", q.topic, if *new { " · new" } else { "" }),
                    TITLE,
                ))
                .description(cut(&description, DESCRIPTION))
                .footer(CreateEmbedFooter::new(queue_line(queue)))
                .colour(0x9b59b6);
            let shown = now.timestamp();
            let id = |choice| {
                let review = |topic: Option<String>, exam: Option<String>| CustomId::Review {
                    user,
                    shown,
                    question: q.id.clone(),
                    choice,
                    topic,
                    exam,
                };
                // Too long with the filter (a long topic name): answer without it.
                review(filter.topic.clone(), filter.exam.clone())
                    .encode()
                    .or_else(|| review(None, None).encode())
            };
            let rows = lettered_controls(q, ControlsLook::default(), id);
            View::embed(embed).with_components(rows)
        }
        NextReview::Done { queue, next_due } => {
            let when = match next_due {
                Some(t) => format!("Your next review is due {}.", relative(*t)),
                None => "Nothing is scheduled yet.".to_string(),
            };
            let why = if queue.new_left <= 0 {
                "You have had today's new questions"
            } else {
                "No new question matches"
            };
            View::embed(
                CreateEmbed::new()
                    .title("Review · all done for now")
                    .description(format!(
                        "Nothing is due. {why}. {when}\n\nEvery daily question, quiz answer and review feeds your queue."
                    ))
                    .footer(CreateEmbedFooter::new(queue_line(queue)))
                    .colour(0x2ecc71),
            )
        }
    }
}

/// The feedback on a `/review` answer, with a "Next question" button.
pub fn review_feedback(user: u64, fb: &ReviewFeedback, filter: &ReviewFilter) -> View {
    let q = &fb.question;
    let head = if fb.correct {
        format!("✅ Correct: {}.", q.answer.letters())
    } else {
        format!("❌ Not quite: the answer is {}.", q.answer.letters())
    };
    let notes = match &fb.notes {
        Some((heading, citation)) => format!("\n\n📖 {heading} · `{citation}`"),
        None => format!("\n\n📖 `{}`", q.source),
    };
    let description = format!(
        "{head}\n\n{}{notes}\n\nThis question comes back {}.",
        q.explanation,
        relative(fb.due)
    );
    let embed = CreateEmbed::new()
        .title(cut(&format!("Review · {}", q.topic), TITLE))
        .description(cut(&description, DESCRIPTION))
        .colour(if fb.correct { 0x2ecc71 } else { 0xe67e22 });
    let next = CustomId::ReviewNext {
        user,
        topic: filter.topic.clone(),
        exam: filter.exam.clone(),
    }
    .encode();
    let mut buttons: Vec<CreateButton> = next
        .map(|id| {
            CreateButton::new(id)
                .label("Next question")
                .style(ButtonStyle::Primary)
        })
        .into_iter()
        .collect();
    buttons.extend(notes_button(q));
    View::embed(embed).with_components(vec![CreateActionRow::Buttons(buttons)])
}
