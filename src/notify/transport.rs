//! Payloads in, deliveries out: an HTTP POST (ureq, rustls) or a mail over
//! SMTP (lettre, rustls for `smtps://`), each tried up to 3 times with backoff
//! on 429, 5xx and network errors (honouring `Retry-After`, bounded). Secrets
//! come only from the environment and never appear in what is returned: a
//! failure names the variable, and every piece of its value is redacted.

use super::message::Mail;
use crate::config::{EnvName, Target};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};
use sha2::Sha256;
use std::collections::HashMap;
use std::time::Duration;

/// How many times a delivery is tried, and how long to wait between tries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    pub tries: u32,
    /// The first wait; doubled each time.
    pub backoff: Duration,
    /// The longest wait, also for a `Retry-After` asking for more.
    pub max_wait: Duration,
}

pub(crate) const RETRY: Retry = Retry {
    tries: 3,
    backoff: Duration::from_millis(500),
    max_wait: Duration::from_secs(10),
};

/// Each try of one request is bounded by this, so a hanging receiver ends.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The values of the environment variables the channels name. Its `Debug`
/// shows names only.
pub(crate) struct Secrets(HashMap<String, String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// The variables a target reads: required ones, then the optional signing key.
pub(crate) fn env_names(t: &Target) -> (Vec<&EnvName>, Option<&EnvName>) {
    match t {
        Target::Slack { url } | Target::Discord { url } | Target::Teams { url } => {
            (vec![url], None)
        }
        Target::Webhook { url, secret } => (vec![url], secret.as_ref()),
        Target::Email { smtp, .. } => (vec![smtp], None),
    }
}

impl Secrets {
    /// The variables the targets name that are set (and not empty), and the
    /// names of those that are not.
    pub(super) fn from_env<'a>(
        targets: impl IntoIterator<Item = &'a Target>,
    ) -> (Secrets, Vec<String>) {
        let (mut found, mut missing) = (HashMap::new(), Vec::new());
        for t in targets {
            let (required, optional) = env_names(t);
            for name in required.into_iter().chain(optional) {
                let name = name.as_str().to_string();
                match std::env::var(&name) {
                    Ok(v) if !v.trim().is_empty() => {
                        found.insert(name, v.trim().to_string());
                    }
                    _ if !missing.contains(&name) => missing.push(name),
                    _ => {}
                }
            }
        }
        (Secrets(found), missing)
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `text` with every secret, and the parts of a secret URL that could give
    /// it away (its path and query, its user and password), replaced by `***`.
    pub(super) fn redact(&self, text: &str) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for v in self.0.values() {
            parts.push(v);
            if let Some((_, rest)) = v.split_once("://") {
                let (auth_host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                let (route, query) = path.split_once('?').unwrap_or((path, ""));
                parts.extend([path, route, query]);
                // A token is often one segment (Slack's, Discord's).
                parts.extend(route.split('/').filter(|seg| seg.len() >= 8));
                if let Some((auth, _)) = auth_host.rsplit_once('@') {
                    parts.extend(auth.split(':'));
                }
            }
        }
        parts.retain(|p| p.len() >= 4);
        parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
        parts
            .iter()
            .fold(text.to_string(), |t, p| t.replace(p, "***"))
    }
}

/// `sha256=<hex HMAC-SHA256 of body>` for `X-Sitrep-Signature`.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The outcome of one try: done, worth another try (after this long, if the
/// receiver said), or final.
enum Try {
    Done,
    Again(String, Option<Duration>),
    Fail(String),
}

/// Tries `once` up to `retry.tries` times; the last reason on failure.
fn with_retries(retry: Retry, mut once: impl FnMut() -> Try) -> Result<u32, String> {
    let mut wait = retry.backoff;
    for n in 1..=retry.tries {
        match once() {
            Try::Done => return Ok(n),
            Try::Fail(why) => return Err(why),
            Try::Again(why, _) if n == retry.tries => {
                return Err(format!("{why} (after {n} tries)"));
            }
            Try::Again(_, asked) => {
                std::thread::sleep(asked.unwrap_or(wait).min(retry.max_wait));
                wait *= 2;
            }
        }
    }
    Err("no try was made".into())
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = (at - jiff::Timestamp::now()).as_secs().max(0);
    Some(Duration::from_secs(secs as u64))
}

/// An agent that hands every status back (so 429/5xx can be retried).
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("sitrep/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// POST `body` as JSON to `url` with `headers`. `Ok(tries)` once a 2xx answers.
pub(crate) fn post(
    agent: &ureq::Agent,
    url: &str,
    body: &str,
    headers: &[(&str, String)],
    retry: Retry,
) -> Result<u32, String> {
    with_retries(retry, || {
        let mut req = agent.post(url).header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        match req.send(body.as_bytes()) {
            Ok(resp) => {
                let code = resp.status().as_u16();
                let asked = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after);
                match code {
                    200..=299 => Try::Done,
                    429 | 500..=599 => Try::Again(format!("HTTP {code}"), asked),
                    _ => Try::Fail(format!("HTTP {code}")),
                }
            }
            Err(e) => Try::Again(e.to_string(), None),
        }
    })
}

/// Send `mail` from `from` to `to` over the SMTP server of `smtp_url`
/// (`smtp://` plain or with `?tls=required`, `smtps://` TLS; credentials in the URL).
pub(crate) fn send_mail(
    smtp_url: &str,
    from: &Mailbox,
    to: &[Mailbox],
    mail: &Mail,
    retry: Retry,
) -> Result<u32, String> {
    let message = message(from, to, mail)?;
    let transport = SmtpTransport::from_url(smtp_url)
        .map_err(|_| {
            "the SMTP URL is not valid (smtp://user:password@host:port or smtps://…)".to_string()
        })?
        .timeout(Some(TIMEOUT))
        .build();
    with_retries(retry, || match transport.send(&message) {
        Ok(_) => Try::Done,
        Err(e) if e.is_permanent() => Try::Fail(format!("the SMTP server refused the mail: {e}")),
        Err(e) => Try::Again(format!("SMTP: {e}"), None),
    })
}

/// The mail as lettre builds it: multipart/alternative, text then HTML.
pub(crate) fn message(from: &Mailbox, to: &[Mailbox], mail: &Mail) -> Result<Message, String> {
    let mut b = Message::builder()
        .from(from.clone())
        .subject(mail.subject.clone());
    for t in to {
        b = b.to(t.clone());
    }
    b.multipart(MultiPart::alternative_plain_html(
        mail.text.clone(),
        mail.html.clone(),
    ))
    .map_err(|e| format!("cannot build the mail: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn redaction_hides_the_secret_and_its_parts() {
        let s = Secrets(HashMap::from([
            (
                "A".to_string(),
                "https://hooks.example.com/services/T0/B1/xyzSECRET?sig=abcd1234".to_string(),
            ),
            (
                "B".to_string(),
                "smtps://mailer:pa55word@smtp.example.com:465".to_string(),
            ),
        ]));
        let shown = s.redact("POST https://hooks.example.com/services/T0/B1/xyzSECRET?sig=abcd1234 failed; /services/T0/B1/xyzSECRET; auth pa55word for mailer");
        assert!(
            !shown.contains("xyzSECRET")
                && !shown.contains("abcd1234")
                && !shown.contains("pa55word"),
            "{shown}"
        );
        assert!(format!("{s:?}").contains('A') && !format!("{s:?}").contains("SECRET"));
    }

    #[test]
    fn retries_stop_at_the_bound_and_honour_the_cap() {
        let quick = Retry {
            tries: 3,
            backoff: Duration::from_millis(1),
            max_wait: Duration::from_millis(5),
        };
        let mut n = 0;
        let started = std::time::Instant::now();
        let r = with_retries(quick, || {
            n += 1;
            Try::Again("HTTP 503".into(), Some(Duration::from_secs(3600)))
        });
        assert_eq!(r.unwrap_err(), "HTTP 503 (after 3 tries)");
        assert_eq!(n, 3);
        assert!(started.elapsed() < Duration::from_secs(1));
        let mut n = 0;
        assert_eq!(
            with_retries(quick, || {
                n += 1;
                if n < 2 {
                    Try::Again("x".into(), None)
                } else {
                    Try::Done
                }
            }),
            Ok(2)
        );
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
    }
}
