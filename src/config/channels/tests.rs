use crate::config::{Config, Target};
use crate::diag::Diagnostic;
use crate::model::Severity;

const HEAD: &str = "title = \"T\"\nbase_url = \"https://e.org/\"\n";

fn parse(rest: &str) -> Result<Config, Vec<Diagnostic>> {
    Config::parse("sitrep.toml", format!("{HEAD}{rest}"))
}

fn errors(rest: &str) -> Vec<(usize, String, String)> {
    let mut e: Vec<_> = parse(rest)
        .unwrap_err()
        .into_iter()
        .map(|d| (d.line, d.message, d.hint.unwrap_or_default()))
        .collect();
    e.sort();
    e
}

#[test]
fn groups_keep_the_order_written() {
    let c = parse("[groups]\n\"Zeta\" = [\"Z1\"]\n\"Alpha\" = [\"A1\", \"A2\"]\nMid = \"M\"\n")
        .unwrap();
    let got: Vec<(&str, Vec<&str>)> = c
        .groups
        .iter()
        .map(|g| {
            (
                g.name.as_str(),
                g.services.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Zeta", vec!["Z1"]),
            ("Alpha", vec!["A1", "A2"]),
            ("Mid", vec!["M"])
        ]
    );
}

#[test]
fn bad_groups_are_errors_at_their_lines() {
    let e = errors("[groups]\nA = [\"S1\"]\nB = []\nC = [\"s1\"]\nD = 3\n");
    let lines: Vec<usize> = e.iter().map(|x| x.0).collect();
    assert_eq!(lines, [5, 6, 7], "{e:#?}");
    assert!(e[0].1.contains("no services"), "{e:?}");
    assert!(e[1].1.contains("group `A` and in group `C`"), "{e:?}");
    assert!(e[2].1.contains("list of names"), "{e:?}");
}

#[test]
fn every_kind_of_channel_is_read() {
    let c = parse(concat!(
        "[[notify]]\nkind = \"slack\"\nurl_env = \"SLACK_URL\"\nonly = { services = [\"Exchange Online\"], severity = \"major\" }\n",
        "[[notify]]\nkind = \"discord\"\nurl_env = \"D\"\n",
        "[[notify]]\nkind = \"teams\"\nurl_env = \"T\"\n",
        "[[notify]]\nkind = \"webhook\"\nurl_env = \"W\"\nsecret_env = \"W_KEY\"\nonly.regions = \"Europe\"\n",
        "[[notify]]\nkind = \"email\"\nsmtp_env = \"SMTP\"\nfrom = \"Status <status@e.org>\"\nto = [\"a@e.org\", \"b@e.org\"]\n",
    ))
    .unwrap();
    let kinds: Vec<_> = c.notify.iter().map(|n| n.target.kind()).collect();
    assert_eq!(kinds, ["slack", "discord", "teams", "webhook", "email"]);
    assert_eq!(c.notify[0].name(), "slack (sitrep.toml:3)");
    assert_eq!(c.notify[0].only.services, ["Exchange Online"]);
    assert_eq!(c.notify[0].only.severity, Some(Severity::Major));
    assert_eq!(c.notify[3].only.regions, ["Europe"]);
    match &c.notify[3].target {
        Target::Webhook { url, secret } => {
            assert_eq!(url.as_str(), "W");
            assert_eq!(secret.as_ref().map(|s| s.as_str()), Some("W_KEY"));
        }
        t => panic!("{t:?}"),
    }
    match &c.notify[4].target {
        Target::Email { smtp, from, to } => {
            assert_eq!(smtp.as_str(), "SMTP");
            assert_eq!(from.email.to_string(), "status@e.org");
            assert_eq!(to.len(), 2);
        }
        t => panic!("{t:?}"),
    }
}

#[test]
fn channel_problems_name_the_key_and_what_is_right() {
    let e = errors(concat!(
        "[[notify]]\nkind = \"slak\"\nurl_env = \"X\"\n", // 3-5
        "[[notify]]\nkind = \"slack\"\nurl_envv = \"X\"\n", // 6-8
        "[[notify]]\nkind = \"webhook\"\nsecret_env = \"K\"\n", // 9-11
        "[[notify]]\nkind = \"email\"\nsmtp_env = \"S\"\nfrom = \"nobody\"\n", // 12-15
        "[[notify]]\nkind = \"discord\"\nurl_env = \"https://discord.com/api/webhooks/SECRET\"\nsecret_env = \"K\"\n", // 16-19
        "[[notify]]\nkind = \"teams\"\nurl_env = \"T\"\nonly = { severty = \"major\" }\n", // 20-23
    ));
    let find = |needle: &str| {
        e.iter()
            .find(|x| x.1.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {e:#?}"))
    };
    let kind = find("unknown notify `kind` `slak`");
    assert_eq!(kind.0, 4);
    assert!(kind.2.contains("did you mean `slack`?"), "{kind:?}");
    let key = find("unknown key `url_envv`");
    assert_eq!((key.0, key.2.as_str()), (8, "did you mean `url_env`?"));
    assert!(find("a slack channel needs `url_env`").0 >= 6);
    assert!(find("a webhook channel needs `url_env`").0 >= 9);
    assert_eq!(find("`from` holds").0, 15);
    assert!(find("an email channel needs `to`").0 >= 12);
    let env = find("must be the name of an environment variable");
    assert_eq!(env.0, 18);
    // A pasted secret is never repeated back.
    assert!(
        e.iter()
            .all(|x| !x.1.contains("SECRET") && !x.2.contains("SECRET")),
        "{e:#?}"
    );
    assert_eq!(
        find("`secret_env` does not apply to a discord channel").0,
        19
    );
    let only = find("unknown key `severty` in `only`");
    assert_eq!((only.0, only.2.as_str()), (23, "did you mean `severity`?"));
}

#[test]
fn a_missing_kind_and_a_plain_table_are_errors() {
    let e = errors("[[notify]]\nurl_env = \"X\"\n");
    assert!(e[0].1.contains("has no `kind`"), "{e:?}");
    let e = errors("[notify]\nkind = \"slack\"\n");
    assert!(e[0].1.contains("list of channels"), "{e:?}");
}
