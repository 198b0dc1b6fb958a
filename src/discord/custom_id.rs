//! Purpose: the `custom_id` of every button and menu the bot makes. A `custom_id` carries the
//! whole state of what a click does (post, page, scope, kind), so any process can handle any
//! click, also after a restart. A leaf of `src/discord`: it imports nothing of its siblings.

use crate::ids::{PostId, RoleId};
use crate::scores::{self, Period};
use crate::store::PostKind;

/// Discord's limit on a `custom_id`.
const MAX_CUSTOM_ID: usize = 100;

/// Whose leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaderboardScope {
    Server,
    Channel(u64),
    Group(u64),
}

impl LeaderboardScope {
    pub fn to_scope(&self) -> scores::Scope {
        match self {
            LeaderboardScope::Server => scores::Scope::Server,
            LeaderboardScope::Channel(c) => scores::Scope::Channel(crate::ids::ChannelId(*c)),
            LeaderboardScope::Group(r) => scores::Scope::Group(RoleId(*r)),
        }
    }
}

/// What a mock exam control does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExamOp {
    /// `a:<position>:<choice>` (a button) or `m:<position>` (a menu; picks as values): the
    /// position the screen showed, so a stale screen never answers another question.
    Answer {
        position: usize,
        choice: Option<usize>,
    },
    /// `f:<position>`: flag or unflag.
    Flag {
        position: usize,
    },
    /// `p`, `n`: the previous or next question.
    Previous,
    Next,
    /// `r`: the review screen; `c`: the review screen asking to confirm the submit.
    Review,
    ReviewToSubmit,
    /// `g`: go to the question picked in the review screen's menu.
    GoTo,
    /// `q`: back to the current question.
    Show,
    /// `s`: submit now.
    Submit,
}

/// What a button or menu does. Encoded in its `custom_id` (at most 100 characters), so a click
/// can be handled by any process, also after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomId {
    /// `a:<post>:<choice>` for a button; `a:<post>` for a menu (the picks come as values).
    Answer { post: PostId, choice: Option<usize> },
    /// `n:<question id>`: show the notes a question cites.
    Notes { question: String },
    /// `k:<offset>:<topic>:<query>`: a page of `/ask` results.
    AskPage {
        offset: usize,
        topic: Option<String>,
        query: String,
    },
    /// `l:<s|c123|g456>:<w|m|a>:<page>`.
    Leaderboard {
        scope: LeaderboardScope,
        period: Period,
        page: u32,
        kind: Option<PostKind>,
    },
    /// `f:<y|n>:<user>`: confirm or cancel `/forget-me`.
    Forget { confirm: bool, user: u64 },
    /// `r:<post>`: report the question a post showed (asks why).
    Report { post: PostId },
    /// `rr:<post>`: the menu of reasons for reporting a post's question (the reason is the value).
    ReportReason { post: PostId },
    /// `x:<r|d>:<question id>`: an admin resolves or dismisses a question's open reports.
    CloseReports { resolve: bool, question: String },
    /// `v:<user>:<shown, unix seconds>:<question id>:<choice|m>:<topic>:<exam>`: a `/review`
    /// answer (a button carries its choice; a menu's picks come as values), with the filter
    /// the member chose, so "Next question" keeps it.
    Review {
        user: u64,
        shown: i64,
        question: String,
        choice: Option<usize>,
        topic: Option<String>,
        exam: Option<String>,
    },
    /// `e:<exam id>:<op>`: a control of a mock exam screen.
    Exam { id: i64, op: ExamOp },
    /// `vn:<user>:<topic>:<exam>`: the next `/review` question, with the same filter.
    ReviewNext {
        user: u64,
        topic: Option<String>,
        exam: Option<String>,
    },
}

impl CustomId {
    /// The `custom_id`, or `None` when it would be longer than Discord allows.
    pub fn encode(&self) -> Option<String> {
        let s = match self {
            CustomId::Answer {
                post,
                choice: Some(c),
            } => format!("a:{}:{c}", post.0),
            CustomId::Answer { post, choice: None } => format!("a:{}", post.0),
            CustomId::Notes { question } => format!("n:{question}"),
            CustomId::AskPage {
                offset,
                topic,
                query,
            } => {
                format!("k:{offset}:{}:{query}", topic.as_deref().unwrap_or(""))
            }
            CustomId::Leaderboard {
                scope,
                period,
                page,
                kind,
            } => {
                let scope = match scope {
                    LeaderboardScope::Server => "s".to_string(),
                    LeaderboardScope::Channel(c) => format!("c{c}"),
                    LeaderboardScope::Group(r) => format!("g{r}"),
                };
                let period = match period {
                    Period::Week => 'w',
                    Period::Month => 'm',
                    Period::AllTime => 'a',
                };
                let kind = match kind {
                    None => "",
                    Some(PostKind::Daily) => ":d",
                    Some(PostKind::Quiz) => ":q",
                };
                format!("l:{scope}:{period}:{page}{kind}")
            }
            CustomId::Forget { confirm, user } => {
                format!("f:{}:{user}", if *confirm { 'y' } else { 'n' })
            }
            CustomId::Report { post } => format!("r:{}", post.0),
            CustomId::Exam { id, op } => {
                let op = match op {
                    ExamOp::Answer {
                        position,
                        choice: Some(c),
                    } => format!("a:{position}:{c}"),
                    ExamOp::Answer {
                        position,
                        choice: None,
                    } => format!("m:{position}"),
                    ExamOp::Flag { position } => format!("f:{position}"),
                    ExamOp::Previous => "p".into(),
                    ExamOp::Next => "n".into(),
                    ExamOp::Review => "r".into(),
                    ExamOp::ReviewToSubmit => "c".into(),
                    ExamOp::GoTo => "g".into(),
                    ExamOp::Show => "q".into(),
                    ExamOp::Submit => "s".into(),
                };
                format!("e:{id}:{op}")
            }
            CustomId::Review {
                user,
                shown,
                question,
                choice,
                topic,
                exam,
            } => format!(
                "v:{user}:{shown}:{question}:{}:{}:{}",
                choice.map_or("m".to_string(), |c| c.to_string()),
                topic.as_deref().unwrap_or(""),
                exam.as_deref().unwrap_or("")
            ),
            CustomId::ReviewNext { user, topic, exam } => format!(
                "vn:{user}:{}:{}",
                topic.as_deref().unwrap_or(""),
                exam.as_deref().unwrap_or("")
            ),
            CustomId::ReportReason { post } => format!("rr:{}", post.0),
            CustomId::CloseReports { resolve, question } => {
                format!("x:{}:{question}", if *resolve { 'r' } else { 'd' })
            }
        };
        (s.len() <= MAX_CUSTOM_ID).then_some(s)
    }

    /// Reads a `custom_id`; `None` for anything this bot did not write.
    pub fn decode(s: &str) -> Option<CustomId> {
        let (kind, rest) = s.split_once(':')?;
        match kind {
            "a" => {
                let (post, choice) = match rest.split_once(':') {
                    Some((p, c)) => (p, Some(c.parse().ok()?)),
                    None => (rest, None),
                };
                Some(CustomId::Answer {
                    post: PostId(post.parse().ok()?),
                    choice,
                })
            }
            "n" if !rest.is_empty() => Some(CustomId::Notes {
                question: rest.to_string(),
            }),
            "k" => {
                let mut parts = rest.splitn(3, ':');
                let offset = parts.next()?.parse().ok()?;
                let topic = parts.next()?;
                let query = parts.next()?;
                (!query.trim().is_empty()).then(|| CustomId::AskPage {
                    offset,
                    topic: (!topic.is_empty()).then(|| topic.to_string()),
                    query: query.to_string(),
                })
            }
            "l" => {
                let mut parts = rest.split(':');
                let scope = parts.next()?;
                let scope = match scope.split_at_checked(1)? {
                    ("s", "") => LeaderboardScope::Server,
                    ("c", id) => LeaderboardScope::Channel(id.parse().ok()?),
                    ("g", id) => LeaderboardScope::Group(id.parse().ok()?),
                    _ => return None,
                };
                let period = match parts.next()? {
                    "w" => Period::Week,
                    "m" => Period::Month,
                    "a" => Period::AllTime,
                    _ => return None,
                };
                let page = parts.next()?.parse().ok()?;
                let kind = match parts.next() {
                    None => None,
                    Some("d") => Some(PostKind::Daily),
                    Some("q") => Some(PostKind::Quiz),
                    Some(_) => return None,
                };
                parts.next().is_none().then_some(CustomId::Leaderboard {
                    scope,
                    period,
                    page,
                    kind,
                })
            }
            "f" => {
                let (c, user) = rest.split_once(':')?;
                let confirm = match c {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                Some(CustomId::Forget {
                    confirm,
                    user: user.parse().ok()?,
                })
            }
            "v" => {
                let mut parts = rest.split(':');
                let user = parts.next()?.parse().ok()?;
                let shown = parts.next()?.parse().ok()?;
                let question = parts.next().filter(|q| !q.is_empty())?.to_string();
                let choice = match parts.next()? {
                    "m" => None,
                    c => Some(c.parse().ok()?),
                };
                let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
                let topic = some(parts.next()?);
                let exam = some(parts.next()?);
                parts.next().is_none().then_some(CustomId::Review {
                    user,
                    shown,
                    question,
                    choice,
                    topic,
                    exam,
                })
            }
            "e" => {
                let mut parts = rest.split(':');
                let id = parts.next()?.parse().ok()?;
                let op = match parts.next()? {
                    "a" => ExamOp::Answer {
                        position: parts.next()?.parse().ok()?,
                        choice: Some(parts.next()?.parse().ok()?),
                    },
                    "m" => ExamOp::Answer {
                        position: parts.next()?.parse().ok()?,
                        choice: None,
                    },
                    "f" => ExamOp::Flag {
                        position: parts.next()?.parse().ok()?,
                    },
                    "p" => ExamOp::Previous,
                    "n" => ExamOp::Next,
                    "r" => ExamOp::Review,
                    "c" => ExamOp::ReviewToSubmit,
                    "g" => ExamOp::GoTo,
                    "q" => ExamOp::Show,
                    "s" => ExamOp::Submit,
                    _ => return None,
                };
                parts.next().is_none().then_some(CustomId::Exam { id, op })
            }
            "vn" => {
                let mut parts = rest.split(':');
                let user = parts.next()?.parse().ok()?;
                let topic = parts.next()?;
                let exam = parts.next()?;
                let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
                parts.next().is_none().then(|| CustomId::ReviewNext {
                    user,
                    topic: some(topic),
                    exam: some(exam),
                })
            }
            "r" => Some(CustomId::Report {
                post: PostId(rest.parse().ok()?),
            }),
            "rr" => Some(CustomId::ReportReason {
                post: PostId(rest.parse().ok()?),
            }),
            "x" => {
                let (c, question) = rest.split_once(':')?;
                let resolve = match c {
                    "r" => true,
                    "d" => false,
                    _ => return None,
                };
                (!question.is_empty()).then(|| CustomId::CloseReports {
                    resolve,
                    question: question.to_string(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_custom_id_reads_back_as_written() {
        let ids = [
            CustomId::Answer {
                post: PostId(42),
                choice: Some(3),
            },
            CustomId::Answer {
                post: PostId(7),
                choice: None,
            },
            CustomId::Notes {
                question: "kinesis-007".into(),
            },
            CustomId::AskPage {
                offset: 5,
                topic: Some("kinesis".into()),
                query: "fan out: how?".into(),
            },
            CustomId::AskPage {
                offset: 0,
                topic: None,
                query: "sqs fifo".into(),
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Group(99),
                period: Period::Month,
                page: 2,
                kind: Some(PostKind::Quiz),
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Server,
                period: Period::AllTime,
                page: 0,
                kind: None,
            },
            CustomId::Leaderboard {
                scope: LeaderboardScope::Channel(5),
                period: Period::Week,
                page: 1,
                kind: Some(PostKind::Daily),
            },
            CustomId::Forget {
                confirm: true,
                user: 12,
            },
            CustomId::Report { post: PostId(9) },
            CustomId::Review {
                user: 123_456_789_012_345_678,
                shown: 1_790_000_000,
                question: "dr-and-well-architected-016".into(),
                choice: Some(3),
                topic: Some("dr-and-well-architected".into()),
                exam: None,
            },
            CustomId::Review {
                user: 5,
                shown: 1,
                question: "sqs-002".into(),
                choice: None,
                topic: None,
                exam: Some("SAP-C02".into()),
            },
            CustomId::ReviewNext {
                user: 5,
                topic: Some("sqs".into()),
                exam: None,
            },
            CustomId::Exam {
                id: 77,
                op: ExamOp::Answer {
                    position: 64,
                    choice: Some(3),
                },
            },
            CustomId::Exam {
                id: 77,
                op: ExamOp::Answer {
                    position: 2,
                    choice: None,
                },
            },
            CustomId::Exam {
                id: 77,
                op: ExamOp::Flag { position: 9 },
            },
            CustomId::Exam {
                id: 1,
                op: ExamOp::Submit,
            },
            CustomId::Exam {
                id: 1,
                op: ExamOp::ReviewToSubmit,
            },
            CustomId::ReviewNext {
                user: 5,
                topic: None,
                exam: Some("DVA-C02".into()),
            },
            CustomId::ReportReason { post: PostId(9) },
            CustomId::CloseReports {
                resolve: false,
                question: "sqs-004".into(),
            },
        ];
        for id in ids {
            let s = id.encode().unwrap();
            assert_eq!(CustomId::decode(&s), Some(id), "{s}");
        }
    }

    #[test]
    fn foreign_or_broken_custom_ids_are_not_mine() {
        for s in [
            "",
            "x",
            "a:",
            "a:abc",
            "a:1:z",
            "l:s:w",
            "l:q:w:1",
            "l:s:w:1:2",
            "f:maybe:1",
            "k:1::",
            "n:",
            "r:x",
            "v:1:2",
            "v:1:2::3::",
            "v:1:2:sqs-001:3",
            "v:1:2:sqs-001:x::",
            "vn:1:a",
            "e:1",
            "e:1:z",
            "e:1:a:2",
            "e:x:s",
            "e:1:s:2",
            "rr:",
            "x:y:sqs-001",
            "x:r:",
            "poll:3",
        ] {
            assert_eq!(CustomId::decode(s), None, "{s}");
        }
    }

    #[test]
    fn a_query_too_long_for_a_custom_id_gets_no_button() {
        let id = CustomId::AskPage {
            offset: 0,
            topic: None,
            query: "x".repeat(120),
        };
        assert_eq!(id.encode(), None);
    }
}
