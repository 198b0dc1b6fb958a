//! Purpose: full-text lookup in the notes. A tantivy index built in RAM from [`Passage`]s, a
//! query built by hand from the learner's words (never raw QueryParser syntax, so stray quotes,
//! colons and `@` cannot break it), compound-word joins, typo correction guarded by document
//! frequency, acronym expansion from the glossary, and snippets in Discord markdown.
//!
//! Must not know SQL or Discord. Recipe and measurements: `BENCHMARKS.md`.

pub mod analysis;
pub mod concepts;
pub mod eval;
pub mod glossary;
pub mod question;
pub mod snippet;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::notes::{Passage, plain_text};
use analysis::{
    MAIN_ANALYZER, RAW_ANALYZER, compound_alternatives, edit_distance, terms, typo_budget,
};
pub use concepts::Concepts;
pub use glossary::Glossary;
use question::{Shape, is_stopword};

/// Weights of the hand-built query (see `BENCHMARKS.md` for how they were chosen).
const TITLE_BOOST: f32 = 1.5;
const ALT_BOOST: f32 = 0.8;
const TIE_BREAKER: f32 = 0.1;
const TYPO_BOOST: f32 = 0.7;
const ACRONYM_BOOST: f32 = 0.7;
const PHRASE_BOOST: f32 = 0.5;
/// The names of a concept the query describes (`content/concepts.toml`).
const CONCEPT_BOOST: f32 = 1.2;
/// A passage that states an amount, for a "how many / max / how long" question.
const AMOUNT_BONUS: f32 = 1.5;
/// A passage that names both sides of a comparison, and one that names neither.
const BOTH_SIDES_BONUS: f32 = 1.3;
/// A sentence query's passage that holds none of its words keeps this share of its score;
/// one that holds them all keeps all of it.
const COVERAGE_FLOOR: f32 = 0.2;
/// "max", "maximum" or "limit" for an amount asked for in other words.
const AMOUNT_WORD_BOOST: f32 = 0.5;
const NO_SIDE_MALUS: f32 = 0.7;
/// Each further passage of an already listed section scores this much less.
const SAME_SECTION_DECAY: f32 = 0.7;
/// A correction must be this many times more frequent than the word as typed.
const TYPO_DF_RATIO: u64 = 3;
const MAX_CORRECTIONS_PER_WORD: usize = 2;
/// A word in this many passages is a real word of the notes, not a typo: not corrected.
const COMMON_WORD_DF: u64 = 5;
/// Longer queries are cut: nobody types more, and noise must stay cheap.
const MAX_QUERY_CHARS: usize = 500;
const MAX_QUERY_WORDS: usize = 24;
const SNIPPET_CHARS: usize = 220;
/// Results per query are capped here whatever the caller asks for.
pub const MAX_LIMIT: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// What to search for besides the words.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub limit: usize,
    /// Only passages of this topic (a notes file stem such as `kinesis`).
    pub topic: Option<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 5,
            topic: None,
        }
    }
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub passage: Passage,
    pub score: f32,
    /// One line of Discord markdown with the matched words in bold.
    pub snippet: String,
    /// For a comparison: whether the passage names the first and the second side.
    pub sides: [bool; 2],
}

impl Hit {
    /// For a comparison with these `sides`: the side this passage speaks of, or "both".
    pub fn side_label<'s>(&self, sides: &'s [String; 2]) -> Option<&'s str> {
        match self.sides {
            [true, true] => Some("both"),
            [true, false] => Some(&sides[0]),
            [false, true] => Some(&sides[1]),
            [false, false] => None,
        }
    }
}

/// A word the engine also searched under another spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub typed: String,
    pub used: String,
}

/// The answer to one query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub corrections: Vec<Correction>,
    /// Query building, search and snippets; not index loading.
    pub took: Duration,
    /// Only function words ("what is it"): nothing to look up.
    pub vague: bool,
    /// For a question: the sentence of the first passage that best answers it (Discord
    /// markdown, matched words in bold).
    pub answer: Option<String>,
    /// For a comparison ("ALB vs NLB"): the two sides as typed.
    pub sides: Option<[String; 2]>,
    /// Where `took` went: building the query, the index search with re-ranking, snippets.
    pub phases: Phases,
}

/// The time of each phase of one search.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    pub plan: Duration,
    pub search: Duration,
    pub snippets: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    alt: Field,
    raw: Field,
    topic: Field,
}

/// The notes index: built once at start, searched by many.
pub struct NoteIndex {
    reader: IndexReader,
    fields: Fields,
    passages: Vec<Passage>,
    plain: Vec<String>,
    glossary: Glossary,
    main: TextAnalyzer,
    raw: TextAnalyzer,
    topics: BTreeMap<String, usize>,
    /// Glossary entries analyzed once: (acronym stem, expansion words as typed, expansion stems).
    acronyms: Vec<Acronym>,
    /// Concept phrases: (concept, phrase stems).
    concept_phrases: Vec<(usize, Vec<String>)>,
    /// Each stem of a concept phrase, with the phrases (index, position) that hold it.
    concept_words: BTreeMap<String, Vec<(u32, u8)>>,
    /// Per stem, the stems of its alikes ([`concepts::ALIKE`]).
    alikes: HashMap<String, Vec<String>>,
    /// Per concept, the stems of each name it means.
    concept_means: Vec<Vec<Vec<String>>>,
    /// Per passage: whether it states an amount (a number with a unit).
    amounts: Vec<bool>,
}

struct Acronym {
    word: String,
    stem: String,
    expansion_words: Vec<String>,
    expansion_stems: Vec<String>,
}

impl std::fmt::Debug for NoteIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteIndex")
            .field("passages", &self.passages.len())
            .field("glossary", &self.glossary.len())
            .finish()
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positions = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(MAIN_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let freqs = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        id: b.add_u64_field("id", FAST),
        title: b.add_text_field("title", positions.clone()),
        body: b.add_text_field("body", positions),
        alt: b.add_text_field("alt", freqs(MAIN_ANALYZER)),
        raw: b.add_text_field("raw", freqs(RAW_ANALYZER)),
        topic: b.add_text_field("topic", STRING),
    };
    (b.build(), fields)
}

impl NoteIndex {
    /// Indexes passages in RAM. The glossary may be empty.
    pub fn build(passages: Vec<Passage>, glossary: Glossary) -> Result<NoteIndex, SearchError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        index
            .tokenizers()
            .register(MAIN_ANALYZER, analysis::main_analyzer());
        index
            .tokenizers()
            .register(RAW_ANALYZER, analysis::raw_analyzer());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
        let mut plain = Vec::with_capacity(passages.len());
        let mut amounts = Vec::with_capacity(passages.len());
        let mut topics: BTreeMap<String, usize> = BTreeMap::new();
        for (slot, p) in passages.iter().enumerate() {
            let body = plain_text(&p.text);
            let title = p.heading();
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.id, slot as u64);
            doc.add_text(fields.title, &title);
            doc.add_text(fields.body, &body);
            doc.add_text(
                fields.alt,
                compound_alternatives(&format!("{title}\n{body}")),
            );
            doc.add_text(fields.raw, &title);
            doc.add_text(fields.raw, &body);
            for t in &p.topics {
                doc.add_text(fields.topic, t);
                *topics.entry(t.clone()).or_default() += 1;
            }
            writer.add_document(doc)?;
            amounts.push(question::states_amount(&body));
            plain.push(body);
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut main = analysis::main_analyzer();
        let mut raw = analysis::raw_analyzer();
        let acronyms = glossary
            .entries()
            .filter_map(|(word, expansion)| {
                Some(Acronym {
                    word: word.to_string(),
                    stem: first_term(&mut main, word)?,
                    expansion_words: terms(&mut raw, expansion),
                    expansion_stems: terms(&mut main, expansion),
                })
            })
            .collect();
        let mut concept_phrases: Vec<(usize, Vec<String>)> = Vec::new();
        let mut concept_words: BTreeMap<String, Vec<(u32, u8)>> = BTreeMap::new();
        let mut concept_means = Vec::new();
        for (k, c) in glossary.concepts().entries.iter().enumerate() {
            for said in &c.said {
                let mut stems: Vec<String> = terms(&mut raw, said)
                    .iter()
                    .filter(|w| !is_stopword(w))
                    .filter_map(|w| first_term(&mut main, w))
                    .collect();
                stems.truncate(8);
                if stems.is_empty() {
                    continue;
                }
                let id = concept_phrases.len() as u32;
                for (at, stem) in stems.iter().enumerate() {
                    concept_words
                        .entry(stem.clone())
                        .or_default()
                        .push((id, at as u8));
                }
                concept_phrases.push((k, stems));
            }
            concept_means.push(c.means.iter().map(|m| terms(&mut main, m)).collect());
        }
        let mut alikes: HashMap<String, Vec<String>> = HashMap::new();
        for group in concepts::ALIKE {
            let stems: Vec<String> = group
                .iter()
                .filter_map(|w| first_term(&mut main, w))
                .collect();
            for s in &stems {
                let mates = alikes.entry(s.clone()).or_default();
                for m in &stems {
                    if m != s && !mates.contains(m) {
                        mates.push(m.clone());
                    }
                }
            }
        }
        Ok(NoteIndex {
            alikes,
            acronyms,
            concept_phrases,
            concept_words,
            concept_means,
            amounts,
            reader,
            fields,
            passages,
            plain,
            glossary,
            main: analysis::main_analyzer(),
            raw: analysis::raw_analyzer(),
            topics,
        })
    }

    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// Topics with their passage counts, sorted by name.
    pub fn topics(&self) -> &BTreeMap<String, usize> {
        &self.topics
    }

    /// Searches the notes. Any text is accepted; text with no searchable word gives no hits.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let limit = opts.limit.clamp(1, MAX_LIMIT);
        let plan = self.plan(&searcher, query)?;
        let planned = Instant::now();
        let sides_typed = plan
            .shape
            .sides
            .as_ref()
            .map(|[a, b]| [a.join(" "), b.join(" ")]);
        if plan.clauses.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                corrections: plan.corrections,
                took: started.elapsed(),
                vague: plan.vague,
                answer: None,
                sides: sides_typed,
                phases: Phases {
                    plan: planned - started,
                    ..Phases::default()
                },
            });
        }
        let words: Box<dyn Query> = Box::new(BooleanQuery::new(
            plan.clauses
                .into_iter()
                .map(|q| (Occur::Should, q))
                .collect(),
        ));
        let query: Box<dyn Query> = match &opts.topic {
            Some(topic) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, words),
                (
                    Occur::Must,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.topic, &crate::notes::slugify(topic)),
                            IndexRecordOption::Basic,
                        )),
                        0.0,
                    )),
                ),
            ])),
            None => words,
        };
        // Fetch extra candidates so that repeated sections can step aside for other places,
        // and passages that fit the kind of question can move up.
        // A sentence query's words that a passage should hold; in a comparison, the words
        // besides the sides (naming a side is judged on its own, below).
        let covered: Vec<&String> = plan
            .stems
            .iter()
            .filter(|s| {
                !plan
                    .sides
                    .iter()
                    .flatten()
                    .flatten()
                    .any(|alt| alt.contains(s))
            })
            .collect();
        let coverage = plan.shape.question
            && if plan.sides.is_some() {
                !covered.is_empty()
            } else {
                covered.len() >= 2
            };
        let reranks = plan.shape.amount || plan.sides.is_some() || coverage;
        let fetch = limit * if reranks { 3 } else { 2 };
        let top = searcher.search(&*query, &TopDocs::with_limit(fetch).order_by_score())?;
        let ids = searcher
            .segment_readers()
            .first()
            .and_then(|r| r.fast_fields().u64("id").ok());
        let mut ranked: Vec<(f32, usize, [bool; 2])> = Vec::with_capacity(top.len());
        let mut seen_sections: HashMap<(&str, &[String]), u32> = HashMap::new();
        for (score, addr) in top {
            let slot = match (&ids, addr.segment_ord) {
                (Some(ids), 0) => ids.first(addr.doc_id),
                _ => searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("id")?
                    .first(addr.doc_id),
            };
            let Some(slot) = slot else {
                continue;
            };
            let slot = slot as usize;
            let Some(passage) = self.passages.get(slot) else {
                continue;
            };
            // Another passage of a section already listed says less that is new.
            let repeats = seen_sections
                .entry((passage.file.as_str(), passage.heading_path.as_slice()))
                .or_default();
            let mut adjusted = score * SAME_SECTION_DECAY.powi(*repeats as i32);
            *repeats += 1;
            if plan.shape.amount && self.amounts.get(slot).copied().unwrap_or(false) {
                adjusted *= AMOUNT_BONUS;
            }
            let mut named = [false; 2];
            let lower = (coverage || plan.sides.is_some())
                .then(|| format!("{}\n{}", passage.heading(), self.plain[slot]).to_lowercase());
            if coverage && let Some(lower) = &lower {
                // A sentence query: passages holding more of its words rank higher.
                let found = covered.iter().filter(|s| question::names(lower, s)).count();
                let share = found as f32 / covered.len() as f32;
                adjusted *= COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * share * share;
            }
            if let (Some(sides), Some(lower)) = (&plan.sides, &lower) {
                for (k, side) in sides.iter().enumerate() {
                    named[k] = side
                        .iter()
                        .any(|alt| alt.iter().all(|w| question::names(lower, w)));
                }
                adjusted *= match named {
                    [true, true] => BOTH_SIDES_BONUS,
                    [false, false] => NO_SIDE_MALUS,
                    _ => 1.0,
                };
            }
            ranked.push((adjusted, slot, named));
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if plan.sides.is_some() {
            // Each side shows: when no listed passage names a side, its best passage replaces
            // the last one listed.
            for k in 0..2 {
                let shown = ranked.iter().take(limit).any(|r| r.2[k]);
                if !shown
                    && let Some(at) = ranked.iter().skip(limit).position(|r| r.2[k])
                    && limit >= 2
                {
                    let pick = ranked.remove(limit + at);
                    let last = limit.min(ranked.len());
                    ranked.insert(last.saturating_sub(1), pick);
                }
            }
        }
        ranked.truncate(limit);
        let first_slot = ranked.first().map(|r| r.1);
        let searched = Instant::now();
        let highlighter = self.highlighter(&searcher, &plan.highlight)?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, slot, sides) in ranked {
            let Some(passage) = self.passages.get(slot) else {
                continue;
            };
            hits.push(Hit {
                passage: passage.clone(),
                score,
                snippet: highlighter.snippet(&self.plain[slot]),
                sides,
            });
        }
        let answer = if plan.shape.question {
            first_slot
                .and_then(|slot| self.plain.get(slot))
                .and_then(|text| answer_sentence(text, &plan.stems, plan.shape.amount))
                .map(|sentence| highlighter.snippet(sentence))
        } else {
            None
        };
        let done = Instant::now();
        Ok(SearchResults {
            hits,
            corrections: plan.corrections,
            took: done - started,
            vague: false,
            answer,
            sides: sides_typed,
            phases: Phases {
                plan: planned - started,
                search: searched - planned,
                snippets: done - searched,
            },
        })
    }

    fn plan(&self, searcher: &Searcher, query: &str) -> Result<Plan, SearchError> {
        let f = self.fields;
        let query = truncate_chars(query, MAX_QUERY_CHARS);
        let mut raw_analyzer = self.raw.clone();
        let mut main = self.main.clone();

        let mut words = terms(&mut raw_analyzer, query);
        words.truncate(MAX_QUERY_WORDS);
        let mut plan = Plan {
            shape: question::shape(query, &words),
            ..Plan::default()
        };
        let mut stem = |w: &str| -> Option<String> { first_term(&mut main, w) };

        // 0. A glued word the notes mostly write as two (`fanout` for `fan-out`) is searched as
        //    its two words, so `fanout`, `fan-out`, `fan out` and `Fan-Out` ask the same thing.
        let words = self.split_glued(searcher, words)?;
        let stop = question::stop_mask(&words);
        // The words that carry the query's topic.
        let content: Vec<&String> = words
            .iter()
            .zip(&stop)
            .filter(|(_, s)| !**s)
            .map(|(w, _)| w)
            .collect();
        if !words.is_empty() && stop.iter().all(|s| *s) {
            // "what is it": nothing to look up.
            plan.vague = true;
            return Ok(plan);
        }

        // 1. Every content word (not "what", "is", "the" …), in title (×2), body and the
        //    compound field. An acronym and what it stands for count as one word (`asg` or
        //    "auto scaling group").
        let mut stems = Vec::with_capacity(words.len());
        for &w in &content {
            if let Some(s) = stem(w) {
                if !stems.contains(&s) {
                    let mut either = vec![self.word_clause(&s, 1.0)];
                    for acronym in self.acronyms.iter().filter(|a| a.word == *w) {
                        either.extend(self.expansion_clause(&acronym.expansion_stems));
                        plan.highlight
                            .extend(acronym.expansion_stems.iter().cloned());
                    }
                    plan.clauses.push(if either.len() == 1 {
                        either.remove(0)
                    } else {
                        Box::new(DisjunctionMaxQuery::with_tie_breaker(either, TIE_BREAKER))
                    });
                    plan.highlight.push(s.clone());
                }
                stems.push(s);
            }
        }

        // 2. Adjacent words as one compound (`fan out` → `fanout` glued, or the two as a phrase),
        //    kept only if the notes have the join.
        for (pair, stops) in words.windows(2).zip(stop.windows(2)) {
            if stops[0] && stops[1] {
                continue;
            }
            let joined = format!("{}{}", pair[0], pair[1]);
            let Some(s) = stem(&joined) else { continue };
            if stems.contains(&s) {
                continue;
            }
            let in_alt = searcher.doc_freq(&Term::from_field_text(f.alt, &s))?;
            let in_body = searcher.doc_freq(&Term::from_field_text(f.body, &s))?;
            if in_alt + in_body == 0 {
                continue;
            }
            let parts: Vec<String> = pair.iter().filter_map(|w| stem(w)).collect();
            let mut either = vec![self.word_clause(&s, 1.0)];
            either.extend(self.phrase_clause(&parts, 1.0));
            plan.clauses
                .push(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                    either,
                    TIE_BREAKER,
                )));
            plan.highlight.push(s);
        }

        // 3. Typos: corrections from the notes' own vocabulary, much more frequent than the
        //    word as typed.
        for &w in &content {
            for used in self.corrections(searcher, w)? {
                if let Some(s) = stem(&used)
                    && !stems.contains(&s)
                {
                    plan.clauses.push(self.word_clause(&s, TYPO_BOOST));
                    plan.highlight.push(s);
                }
                plan.corrections.push(Correction {
                    typed: w.clone(),
                    used,
                });
            }
        }

        // 4. Acronyms both ways: `kds` → "kinesis data streams", and the phrase → `kds`.
        for acronym in &self.acronyms {
            if acronym.expansion_words.len() > 1
                && words
                    .windows(acronym.expansion_words.len())
                    .any(|win| win == acronym.expansion_words.as_slice())
                && !stems.contains(&acronym.stem)
            {
                plan.clauses
                    .push(self.word_clause(&acronym.stem, ACRONYM_BOOST));
                plan.highlight.push(acronym.stem.clone());
            }
        }

        // 5. Phrases: the words as typed, when they are keywords; in a sentence, each run of
        //    content words and each pair joined by one function word ("time to live").
        let all: Vec<String> = words.iter().filter_map(|w| stem(w)).collect();
        let mut phrases: Vec<Vec<String>> = Vec::new();
        if !plan.shape.question {
            if stems.len() > 1 {
                phrases.push(all.clone());
            }
        } else {
            let mut run: Vec<String> = Vec::new();
            for (i, w) in words.iter().enumerate() {
                if stop[i] {
                    if run.len() > 1 {
                        phrases.push(std::mem::take(&mut run));
                    }
                    run.clear();
                    if i > 0
                        && let (Some(a), Some(b)) = (words.get(i - 1), words.get(i + 1))
                        && !stop[i - 1]
                        && !stop[i + 1]
                        && let (Some(a), Some(m), Some(b)) = (stem(a), stem(w), stem(b))
                    {
                        phrases.push(vec![a, m, b]);
                    }
                } else if let Some(s) = stem(w) {
                    run.push(s);
                }
            }
            if run.len() > 1 {
                phrases.push(run);
            }
        }
        for p in phrases {
            let phrase =
                PhraseQuery::new(p.iter().map(|s| Term::from_field_text(f.body, s)).collect());
            plan.clauses
                .push(Box::new(BoostQuery::new(Box::new(phrase), PHRASE_BOOST)));
        }

        // 6. An amount asked for in other words ("biggest", "how many", "how long"): the notes
        //    say max, limit, timeout.
        if plan.shape.amount {
            let mut said: Vec<&str> = vec!["max", "maximum", "limit"];
            if plan.shape.duration {
                said.extend(["timeout", "duration", "retention"]);
            }
            let either: Vec<Box<dyn Query>> = said
                .iter()
                .filter_map(|w| stem(w))
                .filter(|s| !stems.contains(s))
                .map(|s| self.word_clause(&s, 1.0))
                .collect();
            if !either.is_empty() && either.len() == said.len() {
                plan.clauses.push(Box::new(BoostQuery::new(
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(either, TIE_BREAKER)),
                    AMOUNT_WORD_BOOST,
                )));
            }
        }

        //    "How long does it keep …" asks for the retention period by name.
        if plan.shape.retention
            && let Some(s) = stem("retention")
            && !stems.contains(&s)
        {
            plan.clauses.push(self.word_clause(&s, 1.0));
            plan.highlight.push(s);
        }

        // 7. Concepts the query describes ("db password" → Secrets Manager, Parameter Store):
        //    a phrase matches when each of its words is in the query, as typed, as a word of the
        //    same family (`expir` / `expiri`) or as an alike (`code` for `function`).
        let matched = self.concepts_described(&stems);
        for concept in matched {
            for means in self.concept_means.get(concept).into_iter().flatten() {
                if means.iter().all(|m| stems.contains(m)) {
                    continue;
                }
                if let Some(q) = self.phrase_clause(means, CONCEPT_BOOST) {
                    plan.clauses.push(q);
                    plan.highlight.extend(means.iter().cloned());
                }
            }
        }

        // 8. A comparison: each side as its words, or what its acronym stands for.
        if let Some(sides) = &plan.shape.sides {
            let mut named: [Vec<Vec<String>>; 2] = [Vec::new(), Vec::new()];
            for (k, side) in sides.iter().enumerate() {
                named[k].push(side.iter().filter_map(|w| stem(w)).collect());
                if let [one] = side.as_slice() {
                    for acronym in self.acronyms.iter().filter(|a| a.word == *one) {
                        named[k].push(acronym.expansion_stems.clone());
                    }
                }
            }
            plan.sides = Some(named);
        }
        plan.stems = stems;
        Ok(plan)
    }

    /// The concepts whose phrases the query's stems describe, each once, in glossary order. A
    /// phrase's word is found when the query has it, a word of the same family (`expir` /
    /// `expiri`: one starts the other, the shorter has four letters or more) or an alike.
    fn concepts_described(&self, stems: &[String]) -> Vec<usize> {
        let mut said: Vec<&str> = stems.iter().map(String::as_str).collect();
        for s in stems {
            for m in self.alikes.get(s).into_iter().flatten() {
                if !said.contains(&m.as_str()) {
                    said.push(m);
                }
            }
        }
        // Per phrase, a bit per word found.
        let mut found: HashMap<u32, u8> = HashMap::new();
        for s in said {
            let longer = self
                .concept_words
                .range::<str, _>((std::ops::Bound::Included(s), std::ops::Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(s) && (s.len() >= 4 || *k == s));
            let shorter = (4..s.len())
                .filter(|n| s.is_char_boundary(*n))
                .filter_map(|n| self.concept_words.get_key_value(&s[..n]));
            for (_, holders) in longer.chain(shorter) {
                for &(id, at) in holders {
                    *found.entry(id).or_default() |= 1 << at;
                }
            }
        }
        let mut matched: Vec<usize> = found
            .into_iter()
            .filter_map(|(id, bits)| {
                let (concept, phrase) = self.concept_phrases.get(id as usize)?;
                (bits.count_ones() as usize == phrase.len()).then_some(*concept)
            })
            .collect();
        matched.sort_unstable();
        matched.dedup();
        matched
    }

    /// `DisjunctionMax(title ×2, body, alt ×0.8)` for one analyzed term.
    fn word_clause(&self, stem: &str, boost: f32) -> Box<dyn Query> {
        let f = self.fields;
        let term = |field: Field, b: f32| -> Box<dyn Query> {
            let q = TermQuery::new(
                Term::from_field_text(field, stem),
                IndexRecordOption::WithFreqs,
            );
            Box::new(BoostQuery::new(Box::new(q), b))
        };
        let dismax = DisjunctionMaxQuery::with_tie_breaker(
            vec![
                term(f.title, TITLE_BOOST),
                term(f.body, 1.0),
                term(f.alt, ALT_BOOST),
            ],
            TIE_BREAKER,
        );
        Box::new(BoostQuery::new(Box::new(dismax), boost))
    }

    /// A phrase in title or body; a single word as [`Self::word_clause`].
    fn phrase_clause(&self, stems: &[String], boost: f32) -> Option<Box<dyn Query>> {
        let f = self.fields;
        match stems {
            [] => None,
            [one] => Some(self.word_clause(one, boost)),
            many => {
                let phrase = |field: Field, b: f32| -> Box<dyn Query> {
                    let q = PhraseQuery::new(
                        many.iter()
                            .map(|s| Term::from_field_text(field, s))
                            .collect(),
                    );
                    Box::new(BoostQuery::new(Box::new(q), b))
                };
                let dismax = DisjunctionMaxQuery::with_tie_breaker(
                    vec![phrase(f.title, TITLE_BOOST), phrase(f.body, 1.0)],
                    TIE_BREAKER,
                );
                Some(Box::new(BoostQuery::new(Box::new(dismax), boost)))
            }
        }
    }

    /// What an acronym stands for: the phrase, or (weaker) all its words anywhere in a passage,
    /// since notes write "instance metadata (IMDS)" as often as "instance metadata service".
    fn expansion_clause(&self, stems: &[String]) -> Option<Box<dyn Query>> {
        let phrase = self.phrase_clause(stems, 1.0)?;
        if stems.len() < 2 {
            return Some(Box::new(BoostQuery::new(phrase, ACRONYM_BOOST)));
        }
        let most: Vec<(Occur, Box<dyn Query>)> = stems
            .iter()
            .map(|s| (Occur::Should, self.word_clause(s, 1.0)))
            .collect();
        let need = stems.len().saturating_sub(1).max(2).min(stems.len());
        let most = BooleanQuery::with_minimum_required_clauses(most, need);
        let either = DisjunctionMaxQuery::with_tie_breaker(
            vec![phrase, Box::new(BoostQuery::new(Box::new(most), 0.5))],
            TIE_BREAKER,
        );
        Some(Box::new(BoostQuery::new(Box::new(either), ACRONYM_BOOST)))
    }

    /// Up to two spellings from the notes within the typo budget of `word` whose document
    /// frequency is at least three times the word's own.
    fn corrections(&self, searcher: &Searcher, word: &str) -> Result<Vec<String>, SearchError> {
        let budget = typo_budget(word);
        if budget == 0 {
            return Ok(Vec::new());
        }
        let typed = Term::from_field_text(self.fields.raw, word);
        let typed_df = searcher.doc_freq(&typed)?;
        if typed_df >= COMMON_WORD_DF {
            return Ok(Vec::new());
        }
        let fuzzy = FuzzyTermQuery::new(typed, budget, true);
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let automaton = fuzzy.automaton()?;
            let inverted = segment.inverted_index(self.fields.raw)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if text != word {
                    *found.entry(text.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let needed = (typed_df * TYPO_DF_RATIO).max(1);
        let mut candidates: Vec<(usize, u64, String)> = found
            .into_iter()
            .filter(|(_, df)| *df >= needed)
            .map(|(t, df)| (edit_distance(word, &t), df, t))
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(candidates
            .into_iter()
            .take(MAX_CORRECTIONS_PER_WORD)
            .map(|(_, _, t)| t)
            .collect())
    }

    /// Replaces each glued word that the notes write more often as two words (`fanout` →
    /// `fan`, `out`) by those two words.
    fn split_glued(
        &self,
        searcher: &Searcher,
        words: Vec<String>,
    ) -> Result<Vec<String>, SearchError> {
        let mut out = Vec::with_capacity(words.len() + 2);
        for word in words {
            match self.glued_split(searcher, &word)? {
                Some((a, b)) => {
                    out.push(a);
                    out.push(b);
                }
                None => out.push(word),
            }
        }
        Ok(out)
    }

    fn glued_split(
        &self,
        searcher: &Searcher,
        word: &str,
    ) -> Result<Option<(String, String)>, SearchError> {
        if word.chars().count() < 5 || word.chars().any(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let f = self.fields;
        let Some(stemmed) = first_term(&mut self.main.clone(), word) else {
            return Ok(None);
        };
        let split_count = searcher.doc_freq(&Term::from_field_text(f.alt, &stemmed))?;
        let glued_count = searcher.doc_freq(&Term::from_field_text(f.raw, word))?;
        if split_count == 0 || split_count < glued_count {
            return Ok(None);
        }
        let raw = |w: &str| Term::from_field_text(f.raw, w);
        for (i, _) in word.char_indices().skip(2) {
            let (a, b) = word.split_at(i);
            if b.chars().count() < 2 {
                break;
            }
            if searcher.doc_freq(&raw(a))? > 0 && searcher.doc_freq(&raw(b))? > 0 {
                return Ok(Some((a.to_string(), b.to_string())));
            }
        }
        Ok(None)
    }

    fn highlighter(
        &self,
        searcher: &Searcher,
        highlight: &[String],
    ) -> Result<Highlighter, SearchError> {
        let mut terms = Vec::new();
        for s in highlight {
            if terms.iter().any(|(t, _): &(String, f32)| t == s) {
                continue;
            }
            let df = searcher.doc_freq(&Term::from_field_text(self.fields.body, s))?;
            if df > 0 {
                terms.push((s.clone(), 1.0 / (1.0 + df as f32)));
            }
        }
        Ok(Highlighter {
            terms,
            raw: self.raw.clone(),
            main: self.main.clone(),
        })
    }
}

/// Finds the query's terms in passage text without stemming every word: a word is stemmed
/// only when it starts like one of the terms.
struct Highlighter {
    terms: Vec<(String, f32)>,
    raw: TextAnalyzer,
    main: TextAnalyzer,
}

impl Highlighter {
    fn snippet(&self, body: &str) -> String {
        let matches = self.matches(body);
        let window = snippet::best_window(body, &matches, SNIPPET_CHARS);
        let ranges: Vec<std::ops::Range<usize>> = matches
            .iter()
            .filter(|m| m.range.start >= window.start && m.range.end <= window.end)
            .map(|m| m.range.start - window.start..m.range.end - window.start)
            .collect();
        snippet::render(
            &body[window.clone()],
            &ranges,
            window.start > 0,
            window.end < body.len(),
        )
    }

    fn matches(&self, body: &str) -> Vec<snippet::Match> {
        let mut out = Vec::new();
        if self.terms.is_empty() {
            return out;
        }
        let mut raw = self.raw.clone();
        let mut main = self.main.clone();
        let mut stream = raw.token_stream(body);
        while stream.advance() {
            let token = stream.token();
            let word = token.text.as_str();
            let maybe = self.terms.iter().any(|(t, _)| {
                let stem_prefix = &t[..t.len().saturating_sub(1).max(1).min(t.len())];
                word.starts_with(stem_prefix) || word == t
            });
            if !maybe {
                continue;
            }
            let Some(stem) = first_term(&mut main, word) else {
                continue;
            };
            if let Some(k) = self.terms.iter().position(|(t, _)| *t == stem) {
                out.push(snippet::Match {
                    range: token.offset_from..token.offset_to,
                    term: k,
                    weight: self.terms[k].1,
                });
            }
        }
        out
    }
}

#[derive(Default)]
struct Plan {
    clauses: Vec<Box<dyn Query>>,
    /// Body terms to highlight.
    highlight: Vec<String>,
    corrections: Vec<Correction>,
    shape: Shape,
    /// The stems of the query's content words.
    stems: Vec<String>,
    /// Only function words.
    vague: bool,
    /// For a comparison, per side, the ways a passage names it (stems that must all appear).
    sides: Option<[Vec<Vec<String>>; 2]>,
}

/// The sentence of `text` that best answers a question: the most of the query's words, and a
/// number with a unit when the question asks for an amount. `None` when no sentence holds a
/// query word.
fn answer_sentence<'t>(text: &'t str, stems: &[String], amount: bool) -> Option<&'t str> {
    let mut best: Option<(f32, &str)> = None;
    for sentence in question::sentences(text) {
        let lower = sentence.to_lowercase();
        let found = stems.iter().filter(|s| question::names(&lower, s)).count();
        if found == 0 {
            continue;
        }
        let mut score = found as f32;
        if amount && question::states_amount(sentence) {
            score += 1.5;
            // The amount the question names ("max", "size", "timeout"), else any limit.
            let asked: Vec<&String> = stems
                .iter()
                .filter(|s| question::is_amount_word(s))
                .collect();
            if asked.is_empty() {
                if ["max", "limit", "up to", "at most"]
                    .iter()
                    .any(|m| question::names(&lower, m))
                {
                    score += 1.0;
                }
            } else if asked.iter().any(|m| question::names(&lower, m)) {
                score += 1.5;
            }
        }
        // Between equals, the shorter sentence is the more direct answer.
        score -= sentence.len() as f32 / 2_000.0;
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, sentence));
        }
    }
    best.map(|(_, s)| s)
}

fn first_term(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    terms(analyzer, word).into_iter().next()
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn passage(id: u32, heading: &[&str], text: &str) -> Passage {
        Passage {
            id,
            root: PathBuf::from("notes"),
            file: format!("{}.md", heading[0].to_lowercase()),
            heading_path: heading.iter().map(|s| s.to_string()).collect(),
            start_line: id * 10 + 1,
            end_line: id * 10 + 5,
            text: text.to_string(),
            topics: vec![heading[0].to_lowercase()],
        }
    }

    fn index() -> NoteIndex {
        let passages = vec![
            passage(
                0,
                &["Kinesis", "Enhanced fan-out"],
                "Enhanced fan-out gives each Kinesis consumer 2 MB/s per shard.",
            ),
            passage(
                1,
                &["Kinesis", "Shards"],
                "A Kinesis shard takes 1 MB/s in. Kinesis scales by shards.",
            ),
            passage(
                2,
                &["Kinesis", "Retention"],
                "Kinesis Data Streams keeps records 24 hours by default, up to 365 days.",
            ),
            passage(3, &["Kinesis", "Typos"], "Kinensis agent ships log files."),
            passage(
                4,
                &["EC2", "Metadata"],
                "The instance metadata service (IMDS) answers at 169.254.169.254.",
            ),
            passage(
                5,
                &["SQS", "Shares"],
                "SQS share queues shard nothing; the shares of many consumers.",
            ),
            passage(
                6,
                &["Lambda", "Errors"],
                "Throttles raise ProvisionedThroughputExceededException in DynamoDB calls.",
            ),
        ];
        let glossary = Glossary::from_pairs([
            ("imds", "instance metadata service"),
            ("kds", "Kinesis Data Streams"),
        ]);
        NoteIndex::build(passages, glossary).unwrap()
    }

    fn first(index: &NoteIndex, q: &str) -> Option<String> {
        let r = index.search(q, &SearchOptions::default()).unwrap();
        r.hits.first().map(|h| h.passage.heading())
    }

    #[test]
    fn a_concept_phrase_said_in_other_words_still_finds_its_names() {
        let passages = vec![
            passage(
                0,
                &["S3", "Event notifications"],
                "S3 event notifications invoke a Lambda when an object is created.",
            ),
            passage(1, &["S3", "Storage classes"], "Glacier is for archives."),
            passage(
                2,
                &["Lambda", "Limits"],
                "A function runs at most 15 minutes.",
            ),
        ];
        let concepts = Concepts::parse(
            "concepts.toml",
            "[[concept]]\nmeans = [\"event notifications\"]\nsaid = [\"run function upload\"]\n",
        )
        .unwrap();
        let index =
            NoteIndex::build(passages, Glossary::from_pairs([]).with_concepts(concepts)).unwrap();
        // "code" for "function", "uploaded" for "upload": the phrase still matches.
        assert_eq!(
            first(&index, "run my code when a file gets uploaded").as_deref(),
            Some("S3 > Event notifications")
        );
        // A query that says only part of the phrase does not bring the concept in.
        let r = index
            .search("run my code", &SearchOptions::default())
            .unwrap();
        assert!(
            r.hits
                .iter()
                .all(|h| h.passage.heading() != "S3 > Event notifications"),
            "{:?}",
            r.hits
        );
    }

    #[test]
    fn typos_are_corrected_to_much_more_frequent_words() {
        let index = index();
        let r = index
            .search("kinesys retention", &SearchOptions::default())
            .unwrap();
        assert_eq!(
            r.corrections[0],
            Correction {
                typed: "kinesys".into(),
                used: "kinesis".into()
            }
        );
        assert_eq!(r.hits[0].passage.heading(), "Kinesis > Retention");
    }

    #[test]
    fn a_typo_that_is_in_the_notes_is_still_corrected_and_both_are_searched() {
        let index = index();
        let r = index.search("kinensis", &SearchOptions::default()).unwrap();
        assert!(
            r.corrections.iter().any(|c| c.used == "kinesis"),
            "{:?}",
            r.corrections
        );
        let headings: Vec<String> = r.hits.iter().map(|h| h.passage.heading()).collect();
        assert!(
            headings.contains(&"Kinesis > Typos".to_string()),
            "{headings:?}"
        );
    }

    #[test]
    fn a_word_not_frequent_enough_to_beat_the_typed_one_is_not_used() {
        // "shares" is as common as "shard" here: not three times more, so no correction.
        let index = index();
        let r = index.search("shard", &SearchOptions::default()).unwrap();
        assert!(r.corrections.is_empty(), "{:?}", r.corrections);
    }

    #[test]
    fn acronyms_expand_to_their_phrase_and_phrases_find_acronyms() {
        let index = index();
        assert_eq!(first(&index, "imds").as_deref(), Some("EC2 > Metadata"));
        // No passage says "KDS": the phrase it stands for finds the passage.
        assert_eq!(
            first(&index, "KDS retention").as_deref(),
            Some("Kinesis > Retention")
        );
        assert_eq!(first(&index, "kds").as_deref(), Some("Kinesis > Retention"));
    }

    #[test]
    fn compound_spellings_meet() {
        let index = index();
        for q in ["fanout", "fan-out", "fan out", "Fan-Out", "FAN OUT"] {
            assert_eq!(
                first(&index, q).as_deref(),
                Some("Kinesis > Enhanced fan-out"),
                "{q}"
            );
        }
        let r = index.search("fanout", &SearchOptions::default()).unwrap();
        assert!(
            r.hits[0].snippet.contains("**fan-out**"),
            "{}",
            r.hits[0].snippet
        );
    }

    #[test]
    fn camel_case_parts_find_the_whole_word() {
        let index = index();
        assert_eq!(
            first(&index, "throughput exceeded").as_deref(),
            Some("Lambda > Errors")
        );
    }

    #[test]
    fn topic_filter_and_limit_apply() {
        let index = index();
        let opts = SearchOptions {
            limit: 1,
            topic: Some("SQS".into()),
        };
        let r = index.search("shard", &opts).unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].passage.topics, ["sqs"]);
    }

    #[test]
    fn a_long_section_does_not_crowd_out_other_places() {
        let mut passages = Vec::new();
        for i in 0..3 {
            let mut p = passage(
                i,
                &["Kinesis", "Shards"],
                "Each shard has capacity; a shard splits; shards merge.",
            );
            p.start_line = 100 + i * 10;
            passages.push(p);
        }
        passages.push(passage(
            3,
            &["DynamoDB", "Hot shards"],
            "A hot partition is like a hot shard.",
        ));
        let index = NoteIndex::build(passages, Glossary::default()).unwrap();
        let r = index
            .search(
                "shard",
                &SearchOptions {
                    limit: 2,
                    topic: None,
                },
            )
            .unwrap();
        let headings: Vec<String> = r.hits.iter().map(|h| h.passage.heading()).collect();
        assert_eq!(headings, ["Kinesis > Shards", "DynamoDB > Hot shards"]);
    }

    #[test]
    fn queries_with_no_words_give_no_hits_and_no_error() {
        let index = index();
        for q in ["", "   ", "🙂", "???", "\"", "::"] {
            assert!(
                index
                    .search(q, &SearchOptions::default())
                    .unwrap()
                    .hits
                    .is_empty(),
                "{q:?}"
            );
        }
    }
}
