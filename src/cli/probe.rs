//! `snap-mock probe`: its flags, its configuration file, and its output.

use crate::probe::{
    standard_paths, NotifyKind, OtherClient, Probe, ProbeConfig, CASES, DEMO_BANK_PUBLIC_KEY,
};
use crate::provider::Provider;
use crate::snap::body_hash::BodyHash;
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[command(after_help = "Examples:\n  \
snap-mock probe --print-public-key > bank.public.pem   # install it on the merchant\n  \
snap-mock probe http://127.0.0.1:9000 --client-key bank-1 --client-secret s3cret \\\n      \
--va '   12345000000001' --amount 10000.00 --junit probe.xml\n  \
snap-mock probe --config probe.json --only 'token*' --skip token-no-content-type\n\n\
Exit status: 0 when every required case passed (warnings and skips do not fail a run), \
1 when one failed or got no answer, 2 when the configuration is wrong.")]
pub(super) struct ProbeArgs {
    /// The merchant's base URL; the standard's paths are appended to it
    /// (a path in it becomes their prefix: http://host/snap → /snap/v1.0/...).
    #[arg(value_name = "URL")]
    url: Option<String>,
    /// A JSON file with any of these flags as keys (`"client-key": "..."`,
    /// `"va": "..."`); flags given on the command line win.
    #[arg(long, value_name = "FILE")]
    #[serde(skip)]
    config: Option<PathBuf>,
    /// X-CLIENT-KEY: the bank's client id at the merchant.
    #[arg(long)]
    client_key: Option<String>,
    /// The client secret the merchant gave the bank: the HMAC key of service calls.
    #[arg(long)]
    client_secret: Option<String>,
    /// X-PARTNER-ID of service calls; default: the client key.
    #[arg(long)]
    partner_id: Option<String>,
    /// The bank's RSA private key (PEM). Default: the bundled demo key,
    /// whose public key --print-public-key prints for the merchant to install.
    #[arg(long, value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// A second client of the merchant, for "a token of another client".
    #[arg(long)]
    other_client_key: Option<String>,
    /// Its client secret.
    #[arg(long)]
    other_client_secret: Option<String>,
    /// Its private key (PEM); default: the bank's.
    #[arg(long, value_name = "FILE")]
    other_private_key: Option<PathBuf>,
    /// A VA the merchant knows and has not been paid: partnerServiceId (8
    /// characters, left-padded with spaces, kept) then the customer number.
    #[arg(long, value_name = "VA")]
    va: Option<String>,
    /// The VA's bill, two decimals (10000.00).
    #[arg(long)]
    amount: Option<String>,
    /// ISO 4217 currency of --amount.
    #[arg(long, value_name = "CODE")]
    currency: Option<String>,
    /// A provider's dialect: its path prefix, its body hashing, whether it
    /// sends CHANNEL-ID (finpay, dana, bca, bri, doku, midtrans, bni, nicepay, paylabs).
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Prefix of the standard's three paths (/snap → /snap/v1.0/access-token/b2b, ...).
    #[arg(long, value_name = "PATH")]
    path_prefix: Option<String>,
    /// The token path.
    #[arg(long, value_name = "PATH")]
    token_path: Option<String>,
    /// The VA inquiry path (service 24).
    #[arg(long, value_name = "PATH")]
    inquiry_path: Option<String>,
    /// The VA payment path (service 25).
    #[arg(long, value_name = "PATH")]
    payment_path: Option<String>,
    /// CHANNEL-ID sent (default 95221; `none` sends none).
    #[arg(long, value_name = "ID")]
    channel_id: Option<String>,
    /// Also test the merchant's notification endpoint at this URL: a
    /// genuine notification signed with the bank's key, and forged ones.
    #[arg(long, value_name = "URL")]
    notify: Option<String>,
    /// The notification sent: va (payment), qris or debit; default: from
    /// the URL's path (qr-mpm-notify, debit/notify), else va.
    #[arg(long, value_name = "KIND")]
    notify_kind: Option<NotifyKind>,
    /// The VA a VA payment notification names; default: --va.
    #[arg(long, value_name = "VA")]
    notify_va: Option<String>,
    /// Timeout of each request, in milliseconds [default: 10000].
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    /// Pause between two requests, in milliseconds, to be polite to a shared UAT [default: 0].
    #[arg(long, value_name = "MS")]
    delay_ms: Option<u64>,
    /// No run sends more requests [default: 200].
    #[arg(long, value_name = "N")]
    max_requests: Option<usize>,
    /// How long to wait for the merchant's token to expire for
    /// inquiry-expired-token; skipped when its tokens live longer [default: 30].
    #[arg(long, value_name = "SECONDS")]
    expiry_wait: Option<u64>,
    /// Run only these cases (comma-separated or repeated; `token*` matches a prefix).
    #[arg(long, value_delimiter = ',', value_name = "CASE")]
    #[serde(default)]
    only: Vec<String>,
    /// Leave these cases out (same patterns).
    #[arg(long, value_delimiter = ',', value_name = "CASE")]
    #[serde(default)]
    skip: Vec<String>,
    /// Also write the results as JUnit XML, one testcase per case.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Print the report as JSON instead of the table.
    #[arg(long)]
    #[serde(skip)]
    json: bool,
    /// Also write every request and answer, one JSON object a line.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Also send every request and answer of the run to a running
    /// snap-mock (its base URL), whose inspector page (/__admin/ui) then
    /// shows them as outbound entries.
    #[arg(long, value_name = "URL")]
    inspector: Option<String>,
    /// The admin token of that snap-mock, if it has one.
    #[arg(
        long,
        env = "SNAP_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// List the cases (name, expected codes, why) and exit.
    #[arg(long)]
    #[serde(skip)]
    list: bool,
    /// Print the bundled bank key's public key (SPKI PEM) and exit.
    #[arg(long)]
    #[serde(skip)]
    print_public_key: bool,
}

impl ProbeArgs {
    /// Flags over the configuration file's values.
    fn merged(self) -> Result<Self, String> {
        let Some(path) = &self.config else {
            return Ok(self);
        };
        let text = read(path)?;
        let file: ProbeArgs =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        // Paths in the file are relative to it.
        let relative = |p: Option<PathBuf>| p.map(|p| base.join(p));
        macro_rules! pick {
            ($($field:ident),*) => { Self { $($field: self.$field.or(file.$field),)* ..self } };
        }
        let only = if self.only.is_empty() {
            file.only
        } else {
            self.only.clone()
        };
        let skip = if self.skip.is_empty() {
            file.skip
        } else {
            self.skip.clone()
        };
        let private_key = self.private_key.clone().or(relative(file.private_key));
        let other_private_key = self
            .other_private_key
            .clone()
            .or(relative(file.other_private_key));
        let junit = self.junit.clone().or(relative(file.junit));
        let journal = self.journal.clone().or(relative(file.journal));
        let merged = pick!(
            url,
            client_key,
            client_secret,
            partner_id,
            other_client_key,
            other_client_secret,
            va,
            amount,
            currency,
            provider,
            path_prefix,
            token_path,
            inquiry_path,
            payment_path,
            channel_id,
            notify,
            notify_kind,
            notify_va,
            timeout_ms,
            delay_ms,
            max_requests,
            expiry_wait,
            inspector,
            admin_token
        );
        Ok(Self {
            only,
            skip,
            private_key,
            other_private_key,
            junit,
            journal,
            ..merged
        })
    }

    fn into_config(self) -> Result<ProbeConfig, String> {
        let url = self
            .url
            .ok_or("no merchant URL: snap-mock probe <URL> (or \"url\" in --config)")?;
        let mut config = ProbeConfig::new(&url);
        if let Some(name) = &self.provider {
            let provider: &Provider = name.parse().map_err(|e| format!("--provider: {e}"))?;
            let [token, inquiry, payment] = standard_paths(provider.base_path);
            (config.token_path, config.inquiry_path, config.payment_path) =
                (token, inquiry, payment);
            config.body_hash = provider.body_hash;
            if provider
                .optional_headers
                .contains(&crate::snap::Field::ChannelId)
            {
                config.channel_id = None;
            }
        }
        if let Some(prefix) = &self.path_prefix {
            let [token, inquiry, payment] = standard_paths(prefix);
            (config.token_path, config.inquiry_path, config.payment_path) =
                (token, inquiry, payment);
        }
        config.token_path = self.token_path.unwrap_or(config.token_path);
        config.inquiry_path = self.inquiry_path.unwrap_or(config.inquiry_path);
        config.payment_path = self.payment_path.unwrap_or(config.payment_path);
        if let Some(channel) = self.channel_id {
            config.channel_id = (channel != "none").then_some(channel);
        }
        config.client_key = self.client_key.unwrap_or_default();
        config.client_secret = self.client_secret.unwrap_or_default();
        config.partner_id = self.partner_id;
        if let Some(path) = &self.private_key {
            config.private_key_pem = read(path).map_err(|e| format!("--private-key {e}"))?;
        }
        if let Some(client_key) = self.other_client_key {
            config.other_client = Some(OtherClient {
                client_key,
                client_secret: self.other_client_secret.unwrap_or_default(),
                private_key_pem: match &self.other_private_key {
                    Some(path) => Some(read(path).map_err(|e| format!("--other-private-key {e}"))?),
                    None => None,
                },
            });
        }
        config.virtual_account = self.va.unwrap_or_default();
        config.amount = self.amount.unwrap_or_default();
        config.currency = self.currency.unwrap_or(config.currency);
        config.notify_kind = self.notify_kind.unwrap_or_else(|| {
            self.notify
                .as_deref()
                .map_or(NotifyKind::Va, NotifyKind::of_url)
        });
        config.notify_va = self
            .notify_va
            .unwrap_or_else(|| config.virtual_account.clone());
        config.notify_url = self.notify;
        config.timeout = Duration::from_millis(self.timeout_ms.unwrap_or(10_000));
        config.delay = Duration::from_millis(self.delay_ms.unwrap_or(0));
        config.max_requests = self.max_requests.unwrap_or(200);
        config.expiry_wait = Duration::from_secs(self.expiry_wait.unwrap_or(30));
        config.only = self.only;
        config.skip = self.skip;
        if config.body_hash == BodyHash::AsSent {
            eprintln!("snap-mock probe: this dialect hashes bodies as sent: inquiry-body-not-minified does not apply");
        }
        Ok(config)
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn list() -> ExitCode {
    for case in CASES {
        let codes: Vec<String> = case
            .expect
            .iter()
            .map(|(status, code)| format!("{status}xx{code:02}"))
            .collect();
        println!(
            "{:<32} {:<8} {:<9} {:<18} {}",
            case.name,
            case.call.as_str(),
            if case.required {
                "required"
            } else {
                "advisory"
            },
            codes.join(" or "),
            case.why
        );
    }
    ExitCode::SUCCESS
}

pub(super) fn probe(args: ProbeArgs) -> ExitCode {
    if args.print_public_key {
        print!("{DEMO_BANK_PUBLIC_KEY}");
        return ExitCode::SUCCESS;
    }
    if args.list {
        return list();
    }
    let json = args.json;
    let args = match args.merged() {
        Ok(a) => a,
        Err(e) => return usage(e),
    };
    let (junit, journal) = (args.junit.clone(), args.journal.clone());
    let inspector = args
        .inspector
        .clone()
        .map(|url| (url, args.admin_token.clone()));
    let bundled_key = args.private_key.is_none();
    let config = match args.into_config() {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let probe = match Probe::new(config) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let config = probe.config();
    eprintln!(
        "snap-mock probe: playing the bank against {} as client {:?}: {}, {}, {}{}",
        config.base_url,
        config.client_key,
        config.token_path,
        config.inquiry_path,
        config.payment_path,
        config
            .notify_url
            .as_deref()
            .map(|u| format!(", notifications to {u}"))
            .unwrap_or_default()
    );
    if bundled_key {
        eprintln!(
            "snap-mock probe: signing with the bundled demo bank key (test only); the merchant must hold its public key:\n{DEMO_BANK_PUBLIC_KEY}"
        );
    }
    let report = probe.run();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report.json()).unwrap_or_default()
        );
    } else {
        print!("{}", report.table());
    }
    if let Some(path) = junit {
        if let Err(e) = std::fs::write(&path, report.junit()) {
            return usage(format!("--junit {}: {e}", path.display()));
        }
    }
    if let Some(path) = journal {
        let lines: String = report
            .exchanges
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default() + "\n")
            .collect();
        if let Err(e) = std::fs::write(&path, lines) {
            return usage(format!("--journal {}: {e}", path.display()));
        }
    }
    if let Some((url, token)) = inspector {
        match send_to_inspector(&url, token.as_deref(), &report) {
            Ok(()) => eprintln!(
                "snap-mock probe: the run's {} requests are in the inspector: {}/__admin/ui",
                report.exchanges.len(),
                url.trim_end_matches('/')
            ),
            Err(e) => return usage(format!("--inspector {url}: {e}")),
        }
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `POST <url>/__admin/requests/outbound` with the run's exchanges.
fn send_to_inspector(
    url: &str,
    token: Option<&str>,
    report: &crate::probe::Report,
) -> Result<(), String> {
    let target = format!("{}/__admin/requests/outbound", url.trim_end_matches('/'));
    let mut call = ureq::post(&target)
        .timeout(Duration::from_secs(10))
        .set("Content-Type", "application/json");
    if let Some(token) = token {
        call = call.set("Authorization", &format!("Bearer {token}"));
    }
    match call.send_string(&report.outbound_entries().to_string()) {
        Ok(_) => Ok(()),
        Err(ureq::Error::Status(status, answer)) => Err(format!(
            "the admin API answered {status}: {}",
            answer.into_string().unwrap_or_default()
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("snap-mock probe: {message}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: ProbeArgs,
    }

    fn config(argv: &[&str]) -> Result<ProbeConfig, String> {
        let mut full = vec![
            "probe",
            "http://127.0.0.1:9/m",
            "--client-key",
            "k",
            "--client-secret",
            "s",
        ];
        full.extend_from_slice(argv);
        Wrapper::try_parse_from(full)
            .map_err(|e| e.to_string())?
            .args
            .merged()?
            .into_config()
    }

    #[test]
    fn a_provider_brings_its_prefix_its_body_hashing_and_its_channel_id() {
        let plain = config(&[]).unwrap();
        assert_eq!(plain.token_path, "/m/v1.0/access-token/b2b");
        assert_eq!(
            (plain.body_hash, plain.channel_id.as_deref()),
            (BodyHash::Minified, Some("95221"))
        );
        let nicepay = config(&["--provider", "nicepay"]).unwrap();
        assert_eq!(nicepay.inquiry_path, "/nicepay/v1.0/transfer-va/inquiry");
        assert_eq!(nicepay.body_hash, BodyHash::AsSent);
        let paylabs = config(&["--provider", "paylabs"]).unwrap();
        assert_eq!(paylabs.channel_id, None);
        let custom = config(&[
            "--provider",
            "paylabs",
            "--path-prefix",
            "/snap",
            "--payment-path",
            "/pay",
            "--channel-id",
            "6011",
        ])
        .unwrap();
        assert_eq!(
            (custom.token_path.as_str(), custom.payment_path.as_str()),
            ("/snap/v1.0/access-token/b2b", "/pay")
        );
        assert_eq!(custom.channel_id.as_deref(), Some("6011"));
        assert!(config(&["--provider", "nope"])
            .unwrap_err()
            .contains("--provider"));
        assert_eq!(config(&["--channel-id", "none"]).unwrap().channel_id, None);
    }

    #[test]
    fn the_notification_kind_and_va_default_from_the_url_and_the_va() {
        let c = config(&[
            "--va",
            "   1234599",
            "--notify",
            "http://m/v1.0/qr/qr-mpm-notify",
        ])
        .unwrap();
        assert_eq!(
            (c.notify_kind, c.notify_va.as_str()),
            (NotifyKind::Qris, "   1234599")
        );
        let c = config(&[
            "--notify",
            "http://m/x",
            "--notify-kind",
            "debit",
            "--notify-va",
            "v",
        ])
        .unwrap();
        assert_eq!(
            (c.notify_kind, c.notify_va.as_str()),
            (NotifyKind::Debit, "v")
        );
    }

    #[test]
    fn flags_win_over_the_file_and_paths_in_the_file_are_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("p.json"),
            r#"{"url": "http://file:1", "client-key": "from-file", "va": "   12345678", "junit": "out.xml", "only": ["token"], "delay-ms": 7}"#,
        )
        .unwrap();
        let file = dir.path().join("p.json");
        let args = Wrapper::try_parse_from([
            "probe",
            "--config",
            file.to_str().unwrap(),
            "--client-key",
            "from-flag",
        ])
        .unwrap()
        .args
        .merged()
        .unwrap();
        assert_eq!(args.junit, Some(dir.path().join("out.xml")));
        let c = args.into_config().unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.client_key.as_str()),
            ("http://file:1", "from-flag")
        );
        assert_eq!(
            (c.only.clone(), c.delay),
            (vec!["token".to_owned()], Duration::from_millis(7))
        );
        std::fs::write(&file, r#"{"client_key": "typo"}"#).unwrap();
        let err = Wrapper::try_parse_from(["probe", "--config", file.to_str().unwrap()])
            .unwrap()
            .args
            .merged()
            .err()
            .unwrap();
        assert!(
            err.contains("unknown field `client_key`") && err.contains("p.json"),
            "{err}"
        );
    }
}
