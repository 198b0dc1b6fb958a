//! Purpose: looking things up in the notes: a page of `/ask` results (with the spellings the
//! search corrected and, when nothing matched, a corrected query to try), and the notes
//! section a question cites ("Read the notes"). The search runs off the async workers.

use std::sync::Arc;
use std::time::Duration;

use super::{ServiceError, Study, UserError};
use crate::notes::{self, Passage};
use crate::search::{Hit, SearchOptions};

/// One page of `/ask` results.
#[derive(Debug, Clone)]
pub struct AskPage {
    /// The hits on this page.
    pub hits: Vec<Hit>,
    /// Rank of the first hit shown (0-based).
    pub offset: usize,
    /// Whether a further page exists.
    pub more: bool,
    /// Words replaced by a spelling from the notes (`kinesys` → `kinesis`).
    pub corrections: Vec<(String, String)>,
    /// When nothing matched although a spelling from the notes was tried: the corrected query.
    pub suggestion: Option<String>,
    /// Time spent searching.
    pub took: Duration,
    /// Only function words ("what is it"): nothing was looked up.
    pub vague: bool,
    /// For a question, on its first page: the sentence that best answers it.
    pub answer: Option<String>,
    /// For a comparison: the two sides as typed.
    pub sides: Option<[String; 2]>,
}

impl Study {
    /// One page of results for `query`, from rank `offset`, optionally inside one topic.
    pub async fn ask(
        &self,
        query: &str,
        topic: Option<&str>,
        offset: usize,
        per_page: usize,
    ) -> Result<AskPage, ServiceError> {
        if query.trim().is_empty() {
            return Err(UserError::EmptyQuery.into());
        }
        let content = self.content();
        if let Some(t) = topic
            && !content.index.topics().contains_key(t)
        {
            return Err(UserError::UnknownTopic(t.to_string()).into());
        }
        let options = SearchOptions {
            limit: offset + per_page + 1,
            topic: topic.map(str::to_string),
        };
        let q = query.to_string();
        let searched = Arc::clone(&content);
        let results = tokio::task::spawn_blocking(move || searched.index.search(&q, &options))
            .await
            .map_err(|e| ServiceError::Internal(format!("the search panicked: {e}")))??;
        let n = results.hits.len();
        let more = n > offset + per_page;
        let corrections: Vec<(String, String)> = results
            .corrections
            .iter()
            .map(|c| (c.typed.clone(), c.used.clone()))
            .collect();
        let suggestion = (results.hits.is_empty() && !corrections.is_empty()).then(|| {
            query
                .split_whitespace()
                .map(|w| {
                    corrections
                        .iter()
                        .find(|(typed, _)| typed.eq_ignore_ascii_case(w))
                        .map_or(w.to_string(), |(_, used)| used.clone())
                })
                .collect::<Vec<_>>()
                .join(" ")
        });
        let hits = results
            .hits
            .into_iter()
            .skip(offset)
            .take(per_page)
            .collect();
        Ok(AskPage {
            hits,
            offset,
            more,
            corrections,
            suggestion,
            took: results.took,
            vague: results.vague,
            answer: results.answer.filter(|_| offset == 0),
            sides: results.sides,
        })
    }

    /// The notes section a question cites.
    pub fn notes_for_question(&self, question: &str) -> Result<Passage, UserError> {
        let content = self.content();
        let q = content
            .bank
            .get(question)
            .ok_or(UserError::UnknownQuestion)?;
        notes::find_section(content.index.passages(), &q.source.file, &q.source.anchor)
            .cloned()
            .ok_or_else(|| UserError::SectionNotFound(q.source.to_string()))
    }
}

impl Study {
    /// Every topic with its passage and question counts, by name.
    pub fn topics(&self) -> Vec<(String, usize, usize)> {
        let content = self.content();
        let questions = content.bank.topic_counts();
        let passages = content.index.topics();
        let mut rows: Vec<(String, usize, usize)> = passages
            .iter()
            .map(|(t, p)| (t.clone(), *p, questions.get(t).copied().unwrap_or(0)))
            .collect();
        for (t, q) in &questions {
            if !passages.contains_key(t) {
                rows.push((t.clone(), 0, *q));
            }
        }
        rows.sort();
        rows
    }
}
