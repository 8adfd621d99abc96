//! `snap_mock::probe` from a Rust test suite, against snap-mock itself as
//! the merchant: its token endpoint and its VA inquiry (a fixed-answer
//! endpoint) check what the standard says, so every token case and every
//! authentication case of inquiry must pass, and the bill cases (which a
//! fixed answer cannot know) must fail by name. The probe against
//! merchants written outside this crate is tests/probe/run.sh.

use snap_mock::probe::{Probe, ProbeConfig, Verdict, CASES};
use snap_mock::{Config, MockServer, DEMO_CLIENT_KEY, DEMO_CLIENT_PRIVATE_KEY, DEMO_CLIENT_SECRET};

fn config(server: &MockServer) -> ProbeConfig {
    let mut config = ProbeConfig::new(&server.uri());
    config.client_key = DEMO_CLIENT_KEY.into();
    config.client_secret = DEMO_CLIENT_SECRET.into();
    config.private_key_pem = DEMO_CLIENT_PRIVATE_KEY.into();
    config.token_path = server.token_path().into();
    config.virtual_account = "   12345000000001".into();
    config.amount = "10000.00".into();
    config.timeout = std::time::Duration::from_secs(5);
    config
}

#[test]
fn the_probe_and_the_mock_agree_on_every_authentication_case() {
    let server = MockServer::start(Config::for_tests()).unwrap();
    let mut config = config(&server);
    config.skip = vec!["notify*".into(), "inquiry-expired-token".into()];
    let report = Probe::new(config).unwrap().run();
    let token_and_auth: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.name.starts_with("token") || c.name == "inquiry" || is_auth(c.name))
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::Warn))
        .map(|c| (c.name, c.detail.clone()))
        .collect();
    assert_eq!(token_and_auth, vec![], "{}", report.table());
    // The mock's default Content-Type rule is lenient (README, "Decisions"):
    // the advisory case says so, and the run does not fail on it.
    assert_eq!(report.names(Verdict::Warn), ["token-no-content-type"]);
    // A fixed answer knows no bill: these are the probe's to catch.
    assert_eq!(
        report.names(Verdict::Fail),
        ["inquiry-unknown-va", "payment-wrong-amount", "payment"]
    );
    assert_eq!(
        report.names(Verdict::Skip),
        [
            "inquiry-token-of-other-client",
            "inquiry-paid-va",
            "payment-paid-va"
        ],
        "{}",
        report.table()
    );
    assert!(!report.passed());
    // Every request is in the report and in the mock's own journal.
    let journal = server.requests().unwrap();
    assert_eq!(journal.len(), report.requests, "{}", report.table());
    assert_eq!(report.exchanges.len(), report.requests);
    let replayed = report.case("inquiry-replayed-external-id").unwrap();
    assert_eq!(
        replayed.got.as_ref().unwrap().response_code.as_deref(),
        Some("4092400")
    );
}

#[test]
fn a_strict_content_type_rule_passes_the_advisory_case() {
    let mut mock = Config::for_tests();
    mock.parse_rules.content_type = snap_mock::ContentTypeRule::Strict;
    let server = MockServer::start(mock).unwrap();
    let mut config = config(&server);
    config.only = vec!["token-no-content-type".into()];
    let report = Probe::new(config).unwrap().run();
    assert_eq!(
        report.names(Verdict::Pass),
        ["token-no-content-type"],
        "{}",
        report.table()
    );
    assert!(report.passed());
}

fn is_auth(name: &str) -> bool {
    name.starts_with("inquiry-")
        && !matches!(
            name,
            "inquiry-unknown-va" | "inquiry-paid-va" | "inquiry-token-of-other-client"
        )
}

#[test]
fn a_bound_on_requests_and_a_selection_are_kept() {
    let server = MockServer::start(Config::for_tests()).unwrap();
    let mut config = config(&server);
    config.only = vec!["token*".into()];
    config.max_requests = 5;
    let report = Probe::new(config).unwrap().run();
    assert!(report.cases.iter().all(|c| c.name.starts_with("token")));
    assert_eq!(report.requests, 5);
    assert_eq!(server.requests().unwrap().len(), 5);
    let skipped = report.names(Verdict::Skip);
    assert_eq!(
        skipped.len(),
        CASES.iter().filter(|c| c.name.starts_with("token")).count() - 5
    );
    assert!(report
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Skip)
        .all(|c| c.detail.contains("bound of 5 requests")));
}

#[test]
fn the_delay_is_kept_between_requests() {
    let server = MockServer::start(Config::for_tests()).unwrap();
    let mut config = config(&server);
    config.only = vec![
        "token".into(),
        "token-no-timestamp".into(),
        "token-no-client-key".into(),
    ];
    config.delay = std::time::Duration::from_millis(150);
    let report = Probe::new(config).unwrap().run();
    assert_eq!(report.requests, 3);
    // Two pauses between three requests: a lower bound, whatever the load.
    assert!(report.duration_ms >= 300, "{} ms", report.duration_ms);
}

#[test]
fn a_merchant_that_does_not_answer_is_an_error_within_the_timeout() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = ProbeConfig::new(&format!("http://127.0.0.1:{port}"));
    config.client_key = "k".into();
    config.client_secret = "s".into();
    config.virtual_account = "   12345000000001".into();
    config.amount = "1.00".into();
    config.only = vec!["token".into(), "inquiry".into()];
    let report = Probe::new(config).unwrap().run();
    assert_eq!(report.names(Verdict::Error), ["token"]);
    assert!(
        report.case("token").unwrap().detail.contains("no answer"),
        "{}",
        report.table()
    );
    assert_eq!(report.case("inquiry").unwrap().verdict, Verdict::Skip);
    assert!(!report.passed());
}

#[test]
fn a_bad_configuration_is_refused_before_anything_is_sent() {
    let mut config = ProbeConfig::new("http://127.0.0.1:9");
    config.private_key_pem = "not a key".into();
    let problems = Probe::new(config).err().unwrap();
    assert!(
        problems.contains("--client-key") && problems.contains("--private-key"),
        "{problems}"
    );
}

mod command {
    //! `snap-mock probe`, the binary: its flags, its file, its outputs and
    //! its exit codes.
    use super::*;
    use std::process::Command;

    const BIN: &str = env!("CARGO_BIN_EXE_snap-mock");

    #[test]
    fn it_lists_its_cases_and_prints_the_bundled_bank_public_key() {
        let out = Command::new(BIN)
            .args(["probe", "--list"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let listed = String::from_utf8(out.stdout).unwrap();
        for case in CASES {
            assert!(
                listed
                    .lines()
                    .any(|l| l.starts_with(&format!("{} ", case.name))),
                "{}",
                case.name
            );
        }
        assert!(
            listed.contains("401xx00") && listed.contains("advisory"),
            "{listed}"
        );
        let out = Command::new(BIN)
            .args(["probe", "--print-public-key"])
            .output()
            .unwrap();
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/keys/provider.public.pem"
        ))
        .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), pem);
        assert_eq!(snap_mock::probe::DEMO_BANK_PUBLIC_KEY, pem);
    }

    #[test]
    fn a_wrong_configuration_exits_2_and_names_the_flag() {
        let out = Command::new(BIN).args(["probe"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no merchant URL"));
        let out = Command::new(BIN)
            .args([
                "probe",
                "http://127.0.0.1:9",
                "--client-key",
                "k",
                "--client-secret",
                "s",
            ])
            .args(["--va", "123", "--amount", "10", "--only", "nope"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        for needle in ["--va", "--amount", "\"nope\""] {
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn a_config_file_junit_json_and_journal_from_one_run() {
        let server = MockServer::start(Config::for_tests()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bank.pem"), DEMO_CLIENT_PRIVATE_KEY).unwrap();
        let file = serde_json::json!({
            "url": server.uri(),
            "client-key": DEMO_CLIENT_KEY,
            "client-secret": DEMO_CLIENT_SECRET,
            "private-key": "bank.pem",
            "token-path": server.token_path(),
            "va": "   12345000000001",
            "amount": "10000.00",
            "only": ["token*", "inquiry", "inquiry-no-token"],
            "junit": "probe.xml",
        });
        std::fs::write(dir.path().join("probe.json"), file.to_string()).unwrap();
        let journal = dir.path().join("journal.jsonl");
        let out = Command::new(BIN)
            .args(["probe", "--config"])
            .arg(dir.path().join("probe.json"))
            .args(["--skip", "token-no-content-type", "--json", "--journal"])
            .arg(&journal)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stderr}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            !stderr.contains("bundled demo bank key"),
            "a key was given: {stderr}"
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let names: Vec<&str> = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names.len(),
            CASES.iter().filter(|c| c.name.starts_with("token")).count() - 1 + 2
        );
        assert!(names.contains(&"inquiry-no-token") && !names.contains(&"token-no-content-type"));
        assert_eq!(report["passed"], true);
        let junit = std::fs::read_to_string(dir.path().join("probe.xml")).unwrap();
        assert_eq!(junit.matches("<testcase ").count(), names.len(), "{junit}");
        assert!(junit.contains("failures=\"0\""), "{junit}");
        let lines = std::fs::read_to_string(&journal).unwrap();
        assert_eq!(
            lines.lines().count() as u64,
            report["requests"].as_u64().unwrap()
        );
        assert_eq!(server.requests().unwrap().len(), lines.lines().count());
    }

    #[test]
    fn a_failed_case_exits_1_with_the_table() {
        let server = MockServer::start(Config::for_tests()).unwrap();
        let out = Command::new(BIN)
            .args([
                "probe",
                &server.uri(),
                "--client-key",
                DEMO_CLIENT_KEY,
                "--client-secret",
                DEMO_CLIENT_SECRET,
            ])
            .args([
                "--token-path",
                server.token_path(),
                "--va",
                "   12345000000001",
                "--amount",
                "1.00",
            ])
            .args(["--only", "token,inquiry-unknown-va"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let table = String::from_utf8(out.stdout).unwrap();
        // The bundled bank key is not demo-client's: the mock refuses the token.
        assert!(table.contains("FAIL   token "), "{table}");
        assert!(
            table.contains(
                "why it matters: the bank cannot call the merchant at all without a token"
            ),
            "{table}"
        );
        assert!(table.contains("skipped: no token"), "{table}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("the merchant must hold its public key")
        );
    }

    #[test]
    fn a_run_sent_to_a_running_snap_mock_shows_in_its_journal_as_outbound() {
        let merchant = MockServer::start(Config::for_tests()).unwrap();
        let mut inspector_config = Config::for_tests();
        inspector_config.admin_token = Some("adm1n-token".into());
        let inspector = MockServer::start(inspector_config).unwrap();
        let out = Command::new(BIN)
            .args([
                "probe",
                &merchant.uri(),
                "--client-key",
                DEMO_CLIENT_KEY,
                "--client-secret",
                DEMO_CLIENT_SECRET,
            ])
            .args([
                "--token-path",
                merchant.token_path(),
                "--va",
                "   12345000000001",
                "--amount",
                "1.00",
            ])
            .args([
                "--only",
                "token,inquiry,inquiry-other-secret",
                "--inspector",
                &inspector.uri(),
            ])
            .env("SNAP_MOCK_ADMIN_TOKEN", "adm1n-token")
            .arg("--private-key")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/keys/demo-client.private.pem"
            ))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains("the run's 3 requests are in the inspector"),
            "{stderr}"
        );
        let entries = inspector.requests().unwrap();
        // Newest first: the three requests the probe sent, none received.
        assert_eq!(entries.len(), 3);
        assert!(entries
            .iter()
            .all(|e| e.direction == snap_mock::Direction::Outbound
                && e.decided_by == snap_mock::Step::Sent));
        let token = &entries[2];
        assert_eq!(
            token.path,
            format!("{}{}", merchant.uri(), merchant.token_path())
        );
        assert_eq!(token.outcome.response_code.as_deref(), Some("2007300"));
        assert_eq!(token.client_key.as_deref(), Some(DEMO_CLIENT_KEY));
        assert!(token
            .answer_body
            .as_deref()
            .unwrap()
            .contains("accessToken"));
        assert_eq!(
            token.reason.as_deref(),
            Some("snap-mock probe, case token (pass)")
        );
        let forged = &entries[0];
        assert_eq!(forged.outcome.status, Some(401));
        assert!(
            forged
                .reason
                .as_deref()
                .unwrap()
                .contains("inquiry-other-secret (pass"),
            "{:?}",
            forged.reason
        );
        // The bearer token is masked, as in every journal entry.
        let authorization = forged
            .headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap();
        assert!(authorization.1.contains("redacted"), "{authorization:?}");
        // Without the admin token the inspector refuses, and the probe says so.
        let out = Command::new(BIN)
            .args([
                "probe",
                &merchant.uri(),
                "--client-key",
                DEMO_CLIENT_KEY,
                "--client-secret",
                DEMO_CLIENT_SECRET,
            ])
            .args([
                "--token-path",
                merchant.token_path(),
                "--va",
                "   12345000000001",
                "--amount",
                "1.00",
            ])
            .args(["--only", "token", "--inspector", &inspector.uri()])
            .env_remove("SNAP_MOCK_ADMIN_TOKEN")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("the admin API answered 401"));
    }
}
