//! The container image, for real: run with `--network host` on a free port,
//! health, a token, a shipped error fixture, a mounted fixtures directory,
//! SIGTERM/SIGINT as PID 1, and the image size.
//!
//! These need a Docker engine and a built image, so plain `cargo test` lists
//! them as ignored. `.ci/run` builds the image and runs them with
//! `SNAP_MOCK_DOCKER_IMAGE=snap-mock:ci cargo test --test api docker:: -- --ignored`.

use crate::helpers::*;
use std::process::Command;
use std::time::{Duration, Instant};

const IGNORE: &str =
    "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)";

fn docker() -> Command {
    Command::new(std::env::var("DOCKER").unwrap_or_else(|_| "docker".into()))
}

fn image() -> String {
    std::env::var("SNAP_MOCK_DOCKER_IMAGE").expect(IGNORE)
}

fn docker_out(args: &[&str]) -> String {
    let out = docker().args(args).output().expect("docker runs");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A container removed on drop, whatever the test did.
struct Container {
    name: String,
    port: u16,
    /// From `docker run -d` returning to Docker reporting healthy.
    healthy_after: Duration,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = docker().args(["rm", "-f", &self.name]).output();
    }
}

impl Container {
    fn run(extra: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let name = format!("snap-mock-test-{port}");
        let port_env = format!("SNAP_MOCK_PORT={port}");
        let mut args = vec![
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            "host",
            "-e",
            &port_env,
        ];
        args.extend_from_slice(extra);
        let image = image();
        args.push(&image);
        docker_out(&args);
        let mut c = Self {
            name,
            port,
            healthy_after: Duration::ZERO,
        };
        c.healthy_after = c.wait_healthy();
        c
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Waits until Docker reports the container healthy; returns how long
    /// that took from the call.
    fn wait_healthy(&self) -> Duration {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(30);
        while Instant::now() < deadline {
            let status = docker_out(&["inspect", "-f", "{{.State.Health.Status}}", &self.name]);
            if status == "healthy" {
                return started.elapsed();
            }
            assert_ne!(
                status,
                "unhealthy",
                "logs: {}",
                docker_out(&["logs", &self.name])
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "not healthy within 30 s; logs: {}",
            docker_out(&["logs", &self.name])
        );
    }

    /// Sends `signal`, returns (exit code, seconds until the container stopped).
    fn stop_with(&self, signal: &str) -> (i64, f64) {
        let started = Instant::now();
        docker_out(&["kill", "--signal", signal, &self.name]);
        let code = docker_out(&["wait", &self.name]);
        (code.parse().unwrap(), started.elapsed().as_secs_f64())
    }
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn the_image_serves_tokens_and_shipped_errors_and_stops_on_sigterm() {
    let c = Container::run(&[]);
    request_token(&c.url(FINPAY_PATH)).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let headers = signed_headers(DEMO_PRIVATE_KEY, "mock-4297300", &now_timestamp());
    let answer = post_with(&c.url(FINPAY_PATH), &headers, BODY);
    answer.expect(429, "4297300", "Too Many Requests");
    let logs = docker_out(&["logs", &c.name]);
    assert!(
        logs.contains("client=demo-client -> 2007300"),
        "logs go to stdout: {logs}"
    );
    let (code, secs) = c.stop_with("TERM");
    assert_eq!(code, 0);
    // Under the 10 s after which `docker stop` would SIGKILL: the signal was
    // handled, not waited out (measured: 0.07 s).
    assert!(secs < 9.0, "SIGTERM took {secs:.2} s");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn a_provider_preset_is_one_environment_variable_in_the_image() {
    let c = Container::run(&["-e", "SNAP_MOCK_PROVIDER=dana"]);
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    let answer = post_with(
        &c.url("/v1.0/access-token/b2b2c.htm"),
        &headers,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code"}"#,
    );
    answer.expect(200, "2007400", "Successful");
    // DANA's preset issues opaque tokens, short enough for its SDK.
    assert!(answer.json()["accessToken"].as_str().unwrap().len() <= 512);
    assert_eq!(
        send("POST", &c.url(FINPAY_PATH), &[], Some(BODY.as_bytes())).status,
        404
    );
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn docker_reports_healthy_within_a_second_of_start() {
    // The one timed assertion of the suite, because it is the product's
    // promise to CI jobs that wait for "healthy"; the probe interval is
    // 500 ms, so a second leaves room for a loaded machine.
    let c = Container::run(&[]);
    let secs = c.healthy_after.as_secs_f64();
    println!("healthy {secs:.2} s after docker run returned");
    assert!(secs <= 1.0, "healthy only after {secs:.2} s");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn only_the_published_test_keys_are_in_the_image() {
    // .ci/run generates keys/ci-generated.*.pem before building the image.
    let id = docker_out(&["create", &image()]);
    let out = docker()
        .args(["export", &id])
        .output()
        .expect("docker export");
    let _ = docker().args(["rm", &id]).output();
    let listing = Command::new("tar")
        .args(["-t"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut tar| {
            use std::io::Write;
            tar.stdin.take().unwrap().write_all(&out.stdout)?;
            tar.wait_with_output()
        })
        .expect("tar lists the image");
    let files = String::from_utf8_lossy(&listing.stdout);
    let keys: Vec<&str> = files
        .lines()
        .filter(|l| l.starts_with("etc/snap-mock/keys/") && l.ends_with(".pem"))
        .collect();
    assert_eq!(
        keys,
        [
            "etc/snap-mock/keys/demo-client.private.pem",
            "etc/snap-mock/keys/demo-client.public.pem",
            "etc/snap-mock/keys/other-client.private.pem",
            "etc/snap-mock/keys/other-client.public.pem",
            "etc/snap-mock/keys/provider.private.pem",
            "etc/snap-mock/keys/provider.public.pem",
            "etc/snap-mock/keys/signing-key.pem",
        ],
        "{files}"
    );
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn the_inspector_page_is_served_by_the_image_behind_the_admin_token() {
    let c = Container::run(&["-e", "SNAP_MOCK_ADMIN_TOKEN=t0ken"]);
    let page = send("GET", &c.url("/__admin/ui"), &[], None);
    assert_eq!(page.status, 401);
    let page = send(
        "GET",
        &c.url("/__admin/ui"),
        &[("Authorization", "Bearer t0ken")],
        None,
    );
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<title>snap-mock inspector</title>"));
    let cookie = page
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    send(
        "GET",
        &c.url("/__admin/requests"),
        &[("Cookie", &cookie)],
        None,
    )
    .expect(200, "2000000", "Successful");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn sigint_stops_the_container_with_exit_code_zero() {
    let c = Container::run(&[]);
    let (code, secs) = c.stop_with("INT");
    assert_eq!(code, 0);
    assert!(secs < 9.0, "SIGINT took {secs:.2} s");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn a_mounted_fixtures_directory_replaces_the_clients_and_adds_to_the_bundled_scenarios() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let pem = std::fs::read_to_string("keys/other-client.public.pem").unwrap();
    let clients =
        serde_json::json!({"clients": [{"clientKey": "custom-client", "publicKey": pem}]});
    std::fs::write(dir.path().join("clients.json"), clients.to_string()).unwrap();
    std::fs::write(
        dir.path().join("scenarios.json"),
        r#"{"scenarios":[{"name":"custom-outage","match":{"clientKey":"custom-down"},"respond":{"responseCode":"5007302","responseMessage":"Custom upstream down"}}]}"#,
    )
    .unwrap();
    // The container runs as an unprivileged user: make the mount readable.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for f in ["clients.json", "scenarios.json"] {
        std::fs::set_permissions(dir.path().join(f), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let mount = format!("{}:/etc/snap-mock/fixtures:ro", dir.path().display());
    let c = Container::run(&["-v", &mount, "-e", "SNAP_MOCK_PROFILE=snap-bi"]);
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "custom-client", &now_timestamp());
    post_with(&c.url(FINPAY_PATH), &headers, BODY).expect(200, "2007300", "Successful");
    request_token(&c.url(FINPAY_PATH)).expect(401, "4017300", "Unauthorized. [Unknown client]");
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "custom-down", &now_timestamp());
    post_with(&c.url(FINPAY_PATH), &headers, BODY).expect(500, "5007302", "Custom upstream down");
    // The bundled scenarios and endpoints stay under the mounted files.
    let mut headers = signed_headers(PKCS1_PRIVATE_KEY, "custom-client", &now_timestamp());
    headers.push(("X-Mock-Scenario".into(), "conflict".into()));
    post_with(&c.url(FINPAY_PATH), &headers, BODY).expect(409, "4097300", "Conflict");
    let health = get(&c.url("/health")).json();
    let bundled = health["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "/v1.0/transfer-va/inquiry" && e["bundled"] == true);
    assert!(bundled, "{health}");
    let (code, _) = c.stop_with("TERM");
    assert_eq!(code, 0);
    drop(c);
    // --no-bundled: the mounted files are all there is.
    let c = Container::run(&["-v", &mount, "-e", "SNAP_MOCK_NO_BUNDLED=true"]);
    let mut headers = signed_headers(PKCS1_PRIVATE_KEY, "custom-client", &now_timestamp());
    headers.push(("X-Mock-Scenario".into(), "conflict".into()));
    let answer = post_with(&c.url(FINPAY_PATH), &headers, BODY);
    assert_eq!(answer.status, 400, "{}", answer.text);
    let health = get(&c.url("/health")).json();
    let canned = health["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["answers"] == "canned")
        .count();
    assert_eq!(canned, 0, "{health}");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run builds the image and runs these)"]
fn the_image_is_small_and_runs_as_a_non_root_user() {
    let size: u64 = docker_out(&["image", "inspect", "-f", "{{.Size}}", &image()])
        .parse()
        .unwrap();
    assert!(size <= 15_000_000, "image is {size} bytes");
    let user = docker_out(&["image", "inspect", "-f", "{{.Config.User}}", &image()]);
    assert_eq!(user, "65532:65532");
    let exposed = docker_out(&[
        "image",
        "inspect",
        "-f",
        "{{json .Config.ExposedPorts}}",
        &image(),
    ]);
    assert!(exposed.contains("8080/tcp"), "{exposed}");
}

#[test]
#[ignore = "needs a Docker engine, docker-compose and SNAP_MOCK_DOCKER_IMAGE (.ci/run runs it)"]
fn the_compose_file_in_the_repo_starts_a_working_service() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let project = format!("snapmocktest{port}");
    let compose = |args: &[&str]| {
        let out = Command::new("docker-compose")
            .args(["-f", "examples/docker-compose.yml", "-p", &project])
            .args(args)
            .env("SNAP_MOCK_IMAGE", image())
            .env("SNAP_MOCK_PORT", port.to_string())
            .env("SNAP_MOCK_ADMIN_TOKEN", "t0ken")
            .output()
            .expect("docker-compose runs");
        assert!(
            out.status.success(),
            "docker-compose {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    struct Down<F: Fn(&[&str])>(F);
    impl<F: Fn(&[&str])> Drop for Down<F> {
        fn drop(&mut self) {
            (self.0)(&["down", "--timeout", "2"]);
        }
    }
    compose(&["up", "-d"]);
    let _down = Down(compose);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "compose service did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    request_token(&format!("{url}{FINPAY_PATH}")).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    send("GET", &format!("{url}/__admin/requests"), &[], None).expect(
        401,
        "4010000",
        "Unauthorized",
    );
    send(
        "GET",
        &format!("{url}/__admin/requests"),
        &[("Authorization", "Bearer t0ken")],
        None,
    )
    .expect(200, "2000000", "Successful");
}

#[test]
#[ignore = "needs a Docker engine and SNAP_MOCK_DOCKER_IMAGE (.ci/run runs it)"]
fn the_testcontainers_example_passes_against_the_image() {
    let image = image();
    let (name, tag) = image.split_once(':').unwrap_or((&image, "latest"));
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--manifest-path",
            "examples/testcontainers/Cargo.toml",
        ])
        .env("SNAP_MOCK_IMAGE", name)
        .env("SNAP_MOCK_TAG", tag)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs an image build script with this environment: exit code, stderr,
/// and how long it took.
fn build_script(script: &str, env: &[(&str, &str)]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut cmd = Command::new(script);
    cmd.arg("snap-mock:script-test");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the script runs");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    (out.status.code(), text, started.elapsed())
}

/// The build scripts check the Docker tools before compiling anything,
/// and each refusal says how to fix it.
#[test]
#[ignore = "needs a Docker engine (.ci/run starts one)"]
fn the_build_scripts_check_the_tools_before_compiling_and_say_how_to_fix_them() {
    let docker = std::env::var("DOCKER").unwrap_or_else(|_| "docker".into());
    // A daemon that does not answer.
    let (code, text, took) = build_script(
        "scripts/docker-build-prebuilt.sh",
        &[
            ("DOCKER", &docker),
            ("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("the Docker daemon does not answer") && text.contains("start it"),
        "{text}"
    );
    assert!(!text.contains("Compiling"), "it compiled first: {text}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    // A client without BuildKit, as a Docker 23+ client without the buildx
    // plugin answers (the daemon part of the check passes).
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("docker");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \"$1\" in\n  version) echo 28.2.2 ;;\n  build) echo 'ERROR: BuildKit is enabled but the buildx component is missing or broken.' >&2; exit 1 ;;\n  *) exit 1 ;;\nesac\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .unwrap();
    let (code, text, _) = build_script(
        "scripts/docker-build-prebuilt.sh",
        &[("DOCKER", fake.to_str().unwrap())],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("cannot build with BuildKit") && text.contains("DOCKER=/usr/bin/docker"),
        "{text}"
    );
    assert!(!text.contains("Compiling"), "it compiled first: {text}");
    // A base image that cannot be pulled: the one-line hint at the fallback.
    let (code, text, took) = build_script(
        "scripts/docker-build.sh",
        &[
            ("DOCKER", &docker),
            ("RUST_IMAGE", "snap-mock-test.invalid/rust:1"),
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("the base image snap-mock-test.invalid/rust:1 could not be pulled")
            && text.contains("scripts/docker-build-prebuilt.sh snap-mock:script-test"),
        "{text}"
    );
    assert!(took < Duration::from_secs(120), "{took:?}");
}
