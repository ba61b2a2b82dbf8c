//! `caseflow demo`: a fresh workspace, the bundled processes deployed, and a short story
//! played by several people (full approval, partial approval, rejection, manual and
//! automatic escalation), shown as tables, with commands to try next.

use std::path::PathBuf;

use jiff::{Span, Timestamp};

use super::common::Ctx;
use crate::error::CliError;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  caseflow demo\n  caseflow demo --dir /tmp/caseflow-demo")]
pub struct Args {
    /// Where to create the demo workspace (default: a new temporary folder)
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<(), CliError> {
    let root = match args.dir {
        Some(dir) => dir,
        None => tempfile::Builder::new()
            .prefix("caseflow-demo-")
            .tempdir()
            .map_err(|e| CliError::CannotCreate {
                path: std::env::temp_dir().display().to_string(),
                detail: e.to_string(),
            })?
            .keep(),
    };
    if root.join(crate::workspace::DB_FILE).exists() {
        return Err(CliError::CannotCreate {
            path: root.display().to_string(),
            detail: "it already holds a workspace; give an empty --dir".into(),
        });
    }
    // The demo plays in its own folder's caseflow.db, never in a configured PostgreSQL.
    let workspace = super::init::perform(ctx, &root)?.with_database(None);
    let base = ctx.now;
    let at = |hours: i64| base.checked_add(Span::new().hours(hours)).unwrap_or(base);
    let quiet = ctx.json || ctx.quiet;
    let as_ = |actor: &str, now: Timestamp| Ctx {
        workspace: workspace.clone(),
        actor: actor.to_string(),
        now,
        json: false,
        quiet,
        verbose: false,
        config: ctx.config.clone(),
    };
    let say = |text: &str| {
        if !quiet {
            println!("{text}");
        }
    };
    super::deploy::perform(&as_("root", base), &[])?;
    let pay_date = at(24 * 7).strftime("%Y-%m-%d").to_string();
    let receipt = attachment(
        &root,
        "receipt",
        "bank-transfer-receipt.txt",
        "Transfer confirmation\n",
    )?;

    say("== caseflow demo: the expense process, played by seven people ==\n");
    say("-- alice claims a taxi and a hotel; maria approves; HR and finance finish in parallel");
    let full = open(
        &as_("alice", at(0)),
        &[
            "kind=reimbursement",
            "lines=Taxi: 25.00; Hotel: 180.50",
            "category=travel",
            &format!("pay_date={pay_date}"),
        ],
    )?;
    act(&as_("maria", at(2)), &full, "approve", &[], None, &[])?;
    act(&as_("hana", at(3)), &full, "acknowledge", &[], None, &[])?;
    act(
        &as_("felix", at(24 * 7 + 1)),
        &full,
        "pay",
        &[],
        None,
        std::slice::from_ref(&receipt),
    )?;

    say("\n-- bob asks for a flight advance; maria approves only part of it");
    let partial = open(
        &as_("bob", at(1)),
        &[
            "kind=advance",
            "lines=Flight: 420.00; Seat upgrade: 80.00",
            &format!("pay_date={pay_date}"),
        ],
    )?;
    act(
        &as_("maria", at(4)),
        &partial,
        "approve_partial",
        &["approved_amount=420.00"],
        Some("seat upgrades are not reimbursed"),
        &[],
    )?;
    act(&as_("hana", at(5)), &partial, "acknowledge", &[], None, &[])?;
    act(
        &as_("fiona", at(24 * 7 + 2)),
        &partial,
        "pay",
        &[],
        None,
        std::slice::from_ref(&receipt),
    )?;

    say("\n-- alice claims a dinner; maria rejects it with a reason");
    let rejected = open(
        &as_("alice", at(2)),
        &[
            "kind=reimbursement",
            "lines=Team dinner: 95.00",
            "category=meals",
        ],
    )?;
    act(
        &as_("maria", at(6)),
        &rejected,
        "reject",
        &[],
        Some("team dinners come from the team budget"),
        &[],
    )?;

    say("\n-- bob needs a laptop; maria escalates to a director, who approves");
    let escalated = open(
        &as_("bob", at(3)),
        &[
            "kind=advance",
            "lines=Laptop: 1200.00",
            "category=equipment",
        ],
    )?;
    act(
        &as_("maria", at(7)),
        &escalated,
        "escalate",
        &[],
        Some("above my equipment limit"),
        &[],
    )?;
    act(&as_("dmitri", at(8)), &escalated, "approve", &[], None, &[])?;

    say("\n-- alice books a conference trip above the 5000 threshold: escalated automatically");
    let automatic = open(
        &as_("alice", at(4)),
        &[
            "kind=advance",
            "lines=Conference: 2900.00; Flights: 2600.00",
            "category=travel",
        ],
    )?;

    say("\n== other processes: a utility onboards a customer (seed 003) ==");
    say("-- jonas saves Erika's details; tom sets up the supplies; klaus sets billing; she confirms");
    let onboarding = open_case(
        &as_("jonas", at(1)),
        "customer-onboarding",
        &[
            "customer_name=Erika Mustermann",
            "street=Hauptstraße 5",
            "postcode=10115",
            "city=Berlin",
            "email=erika.mustermann@example.de",
            "phone=+49 30 1234567",
        ],
    )?;
    act(
        &as_("jonas", at(2)),
        &onboarding,
        "save_customer_details",
        &[],
        None,
        &[],
    )?;
    act(
        &as_("tom", at(5)),
        &onboarding,
        "set_up_supplies",
        &["services=electricity, internet", "supply_start=2027-01-01"],
        None,
        &[],
    )?;
    act(
        &as_("klaus", at(6)),
        &onboarding,
        "save_billing_preferences",
        &[
            "billing_frequency=monthly",
            "payment_terms=net_14",
            "payment_method=direct_debit",
        ],
        None,
        &[],
    )?;
    act(
        &as_("jonas", at(26)),
        &onboarding,
        "order_confirmed",
        &[],
        None,
        &[],
    )?;
    act(
        &as_("tom", at(30)),
        &onboarding,
        "activate_supplies",
        &[],
        None,
        &[],
    )?;

    say("\n== contract approval (seed 002): sent back once, then approved and signed ==");
    let contract_file = attachment(
        &root,
        "contract",
        "contract-D-2026-114.pdf",
        "Contract D-2026-114\n",
    )?;
    let contract = open_case(
        &as_("ivan", at(1)),
        "contract-approval",
        &["contract_number=D-2026-114", "company=Nordwind Travel"],
    )?;
    let upload = [contract_file];
    act(
        &as_("ivan", at(2)),
        &contract,
        "send_for_approval",
        &[],
        None,
        &upload,
    )?;
    act(
        &as_("sergei", at(4)),
        &contract,
        "reject",
        &[],
        Some("clause 4: payment within 30 days, not 60"),
        &[],
    )?;
    act(
        &as_("ivan", at(6)),
        &contract,
        "resubmit",
        &[],
        Some("payment terms corrected"),
        &upload,
    )?;
    act(&as_("sergei", at(7)), &contract, "approve", &[], None, &[])?;
    act(
        &as_("ivan", at(24)),
        &contract,
        "confirm_signed",
        &[],
        None,
        &[],
    )?;

    say("\n== notifications: rendered when queued, delivered as .eml files; one PDF letter ==");
    let letter = root
        .join("letters")
        .join(format!("rejected-{rejected}.pdf"));
    if let Some(dir) = letter.parent() {
        std::fs::create_dir_all(dir).map_err(|e| CliError::CannotCreate {
            path: dir.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    super::letter::run(
        &as_("maria", at(24 * 8)),
        super::letter::Args {
            case: rejected.clone(),
            template: "rejected".into(),
            to: None,
            output: Some(letter.clone()),
        },
    )?;
    let files = crate::notify::Mailer {
        transport: crate::notify::Transport::Files(root.join("outbox")),
        from: super::notify::DEFAULT_FROM
            .parse()
            .map_err(|_| CliError::BadData("the demo's sender address".into()))?,
    };
    let delivered = super::notify::deliver_with(&as_("root", at(24 * 8)), &files, 1000)?;
    say(&format!(
        "-- {} messages written to {}; the letter is {}",
        delivered.sent,
        root.join("outbox").display(),
        letter.display()
    ));

    let cases = [
        &full,
        &partial,
        &rejected,
        &escalated,
        &automatic,
        &onboarding,
        &contract,
    ];
    if ctx.json {
        let ids: Vec<&String> = cases.to_vec();
        println!(
            "{}",
            serde_json::json!({"workspace": root.display().to_string(), "cases": ids})
        );
        return Ok(());
    }
    if ctx.quiet {
        return Ok(());
    }
    println!("\n== where every case stands ==");
    super::list::run(&as_("root", at(24 * 8)), list_all())?;
    println!("\n== the history of {full} ==");
    super::history::run(
        &as_("root", at(24 * 8)),
        super::history::Args { case: full.clone() },
    )?;

    let ws = root.display();
    println!("\nThe demo workspace is {ws}");
    println!("Try next:");
    println!("  caseflow --workspace {ws} show {escalated} --as felix");
    println!("  caseflow --workspace {ws} list --mine --as dmitri");
    println!("  caseflow --workspace {ws} history {contract}");
    println!("  caseflow --workspace {ws} graph contract-approval");
    println!("  caseflow --workspace {ws} --as alice open expense-reimbursement --field kind=reimbursement --field 'lines=Train: 89.90'");
    Ok(())
}

/// Write a file into the demo workspace and give its `KIND=FILE` for `--attach`.
fn attachment(
    root: &std::path::Path,
    kind: &str,
    name: &str,
    text: &str,
) -> Result<String, CliError> {
    let path = root.join(name);
    std::fs::write(&path, text).map_err(|e| CliError::CannotCreate {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    Ok(format!("{kind}={}", path.display()))
}

fn list_all() -> super::list::Args {
    super::list::Args {
        filter: super::list::FilterArgs {
            process: None,
            step: None,
            assignee: None,
            mine: false,
            status: None,
            priority: None,
            fields: Vec::new(),
            opened_since: None,
            limit: None,
        },
        format: "table".into(),
        overdue: false,
        at_risk: false,
    }
}

fn open(ctx: &Ctx, fields: &[&str]) -> Result<String, CliError> {
    open_case(ctx, "expense-reimbursement", fields)
}

fn open_case(ctx: &Ctx, process: &str, fields: &[&str]) -> Result<String, CliError> {
    let args = super::open::Args {
        process: process.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        reference: None,
        priority: None,
        attach: Vec::new(),
        comment: None,
    };
    let (decision, def, org) = super::open::perform(ctx, &args)?;
    super::common::print_decision(ctx, &decision, &def, &org);
    Ok(decision.case.id)
}

fn act(
    ctx: &Ctx,
    case: &str,
    action: &str,
    fields: &[&str],
    comment: Option<&str>,
    attach: &[String],
) -> Result<(), CliError> {
    let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    super::act::perform(
        ctx,
        case,
        action,
        &fields,
        comment.map(String::from),
        attach,
        None,
    )
}
