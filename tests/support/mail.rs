//! A real SMTP server for the tests (aiosmtpd, `tests/support/smtp_server.py`, installed by
//! `.ci/run`) and a runner that passes the mail settings to the binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use mail_parser::MimeHeaders;

use crate::common::{Run, Workspace};

/// One aiosmtpd process on 127.0.0.1, killed when dropped.
pub struct Smtp {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

/// One message the server accepted: its envelope recipients and its bytes.
pub struct Received {
    pub to: Vec<String>,
    pub bytes: Vec<u8>,
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::start_on(None)
    }

    pub fn start_on(port: Option<u16>) -> Smtp {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg(dir.path());
        if let Some(p) = port {
            cmd.arg(p.to_string());
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs (aiosmtpd is installed by .ci/run)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server prints its port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no port from smtp_server.py: {line:?}"));
        Smtp { child, dir, port }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Accepted messages, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read server dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| {
                let envelope: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(eml.with_extension("json")).expect("envelope"),
                )
                .expect("envelope json");
                Received {
                    to: crate::common::strs(&envelope["to"]),
                    bytes: std::fs::read(&eml).expect("message"),
                }
            })
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// `caseflow ARGS` with extra environment variables (e.g. `CASEFLOW_SMTP_URL`).
pub fn run_env(ws: &Workspace, now: &str, actor: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let output = command(ws, now, actor, env, args)
        .output()
        .expect("run caseflow");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn command(
    ws: &Workspace,
    now: &str,
    actor: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("caseflow"));
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.arg("--workspace")
        .arg(ws.path())
        .args(["--now", now, "--as", actor])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// A parsed message: subject, text body, HTML body, recipients, Message-ID, attachments.
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub message_id: String,
    pub headers: Vec<String>,
    pub attachments: Vec<(String, Vec<u8>)>,
}

pub fn parse(bytes: &[u8]) -> Mail {
    let m = mail_parser::MessageParser::default()
        .parse(bytes)
        .expect("a parsable message");
    let addrs = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| {
            a.iter()
                .filter_map(|x| x.address().map(String::from))
                .collect()
        })
        .unwrap_or_default()
    };
    Mail {
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).unwrap_or_default().to_string(),
        html: (m.html_body_count() > 0 && m.html_part(0).is_some_and(|p| p.is_text_html()))
            .then(|| m.body_html(0).unwrap_or_default().to_string()),
        to: addrs(m.to()),
        cc: addrs(m.cc()),
        message_id: m.message_id().unwrap_or_default().to_string(),
        headers: m.headers().iter().map(|h| h.name().to_string()).collect(),
        attachments: m
            .attachments()
            .map(|a| {
                (
                    a.attachment_name().unwrap_or_default().to_string(),
                    a.contents().to_vec(),
                )
            })
            .collect(),
    }
}
