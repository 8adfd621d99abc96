//! `snap-mock pay`: the customer's side of a transaction on a running
//! snap-mock, through its admin API.

use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
snap-mock pay INV-42                        # the bill of trxId INV-42, on http://127.0.0.1:8080\n  \
snap-mock pay '   12345000000042' --amount 5000.00   # an open VA, by its number\n  \
snap-mock pay 7843928111906104 --fail       # the customer's payment fails\n\n\
Exit status: 0 done, 1 refused (unknown, paid, expired, wrong amount), 2 no answer.")]
pub(super) struct PayArgs {
    /// The transaction: its referenceNo, the client's trxId, or its VA
    /// number (spaces trimmed).
    #[arg(value_name = "ID")]
    id: String,
    /// The amount paid (an open VA), two decimals.
    #[arg(long, conflicts_with_all = ["fail", "expire"])]
    amount: Option<String>,
    /// ISO 4217 currency of --amount.
    #[arg(long, default_value = "IDR", requires = "amount")]
    currency: String,
    /// The customer's payment fails instead.
    #[arg(long, conflicts_with = "expire")]
    fail: bool,
    /// The transaction expires now instead.
    #[arg(long)]
    expire: bool,
    /// The running snap-mock's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Its admin prefix.
    #[arg(long, env = "SNAP_MOCK_ADMIN_PREFIX", default_value = "/__admin")]
    admin_prefix: String,
    /// Its admin token, if it has one.
    #[arg(long, env = "SNAP_MOCK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(Args, Debug)]
pub(super) struct NotificationKeyArgs {
    /// The server's --notification-key (PEM private key); default: the
    /// bundled test key keys/provider.private.pem.
    #[arg(long, env = "SNAP_MOCK_NOTIFICATION_KEY", value_name = "FILE")]
    notification_key: Option<std::path::PathBuf>,
}

pub(super) fn notification_key(args: NotificationKeyArgs) -> ExitCode {
    let pem = match &args.notification_key {
        None => crate::embedded::PROVIDER_PRIVATE_KEY.to_owned(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(pem) => pem,
            Err(e) => {
                eprintln!("snap-mock notification-key: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
    };
    match crate::signing::ClientKeyPair::from_pem(&pem).and_then(|k| k.public_key_pem()) {
        Ok(public) => {
            print!("{public}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "snap-mock notification-key: not an RSA private key: {}",
                e.0
            );
            ExitCode::from(2)
        }
    }
}

fn percent_encoded(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn pay(args: PayArgs) -> ExitCode {
    let action = if args.fail {
        "fail"
    } else if args.expire {
        "expire"
    } else {
        "pay"
    };
    let target = format!(
        "{}{}/transactions/{}/{action}",
        args.url.trim_end_matches('/'),
        args.admin_prefix,
        percent_encoded(&args.id)
    );
    let body = match &args.amount {
        Some(value) => {
            serde_json::json!({"amount": {"value": value, "currency": args.currency}}).to_string()
        }
        None => String::new(),
    };
    let mut call = ureq::post(&target)
        .timeout(Duration::from_secs(10))
        .set("Content-Type", "application/json");
    if let Some(token) = &args.admin_token {
        call = call.set("Authorization", &format!("Bearer {token}"));
    }
    let (status, answer) = match call.send_string(&body) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_string().unwrap_or_default()),
        Err(e) => {
            eprintln!("snap-mock pay: {target}: {e}");
            return ExitCode::from(2);
        }
    };
    let value: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    if status == 200 {
        let t = &value["transaction"];
        println!(
            "{} {}: {} {} ({})",
            t["kind"].as_str().unwrap_or("transaction"),
            t["referenceNo"].as_str().unwrap_or(""),
            t["latestTransactionStatus"].as_str().unwrap_or(""),
            t["transactionStatusDesc"].as_str().unwrap_or(""),
            t["partnerReferenceNo"].as_str().unwrap_or("")
        );
        ExitCode::SUCCESS
    } else {
        let why = value["error"].as_str().unwrap_or(answer.as_str());
        eprintln!("snap-mock pay: {status}: {why}");
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_id_with_spaces_is_encoded_for_the_path() {
        assert_eq!(super::percent_encoded("   12345/7"), "%20%20%2012345%2F7");
        assert_eq!(super::percent_encoded("INV-1_a.b~"), "INV-1_a.b~");
    }
}
