//! Database URLs in messages: the password is masked.

/// `postgres://bot:secret@db/studybot` → `postgres://bot:***@db/studybot`; a `password=`
/// query parameter is masked too.
pub fn mask_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find('/')
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out = format!("{base}{}", masked.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn passwords_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_url("postgres://bot:s3cr%40t@db.local:5432/studybot"),
            "postgres://bot:***@db.local:5432/studybot"
        );
        assert_eq!(
            mask_url("postgres://bot@db/studybot"),
            "postgres://bot@db/studybot"
        );
        assert_eq!(
            mask_url("postgres://db/x?user=bot&password=hunter2"),
            "postgres://db/x?user=bot&password=***"
        );
        assert_eq!(
            mask_url("sqlite://data/studybot.db"),
            "sqlite://data/studybot.db"
        );
    }
}
