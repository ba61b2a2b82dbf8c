//! End to end: the customer-onboarding process (seed 003) driven through the real binary.
//!
//! People from the bundled org.yaml: jonas and mia (customer service; jonas opens the cases),
//! tom (network operations), klaus (billing), lena (their service lead and supervisor).

mod common;
use common::*;

use serde_json::Value;

const PROCESS: &str = "customer-onboarding";
const CUSTOMER: &str = "erika.mustermann@example.de";
/// The `pattern:` refusal names the field; each field has its own pattern and help.
fn format_message(bad: &str) -> String {
    let (field, value) = bad.split_once('=').expect("NAME=VALUE");
    format!("field `{field}`: {value:?} does not match the pattern")
}

/// The details the customer gives on the phone, as `--field` values.
const DETAILS: [&str; 6] = [
    "customer_name=Erika Mustermann",
    "street=Hauptstraße 5",
    "postcode=10115",
    "city=Berlin",
    "email=erika.mustermann@example.de",
    "phone=+49 30 1234567",
];

/// jonas opens an onboarding case with the given details.
fn open(ws: &Workspace, fields: &[&str]) -> String {
    ws.open("jonas", PROCESS, fields)
}

fn act(ws: &Workspace, actor: &str, case: &str, action: &str, fields: &[&str]) -> Run {
    let mut args = vec!["act", case, action, "--json"];
    for f in fields {
        args.push("--field");
        args.push(f);
    }
    ws.run(actor, &args)
}

fn save_details(ws: &Workspace, case: &str) -> Value {
    act(ws, "jonas", case, "save_customer_details", &[])
        .ok()
        .json()
}

fn set_up_supplies(ws: &Workspace, case: &str) -> Value {
    act(
        ws,
        "tom",
        case,
        "set_up_supplies",
        &[
            "services=electricity, gas, internet",
            "supply_start=2027-01-01",
        ],
    )
    .ok()
    .json()
}

fn save_billing(ws: &Workspace, case: &str) -> Value {
    act(
        ws,
        "klaus",
        case,
        "save_billing_preferences",
        &[
            "billing_frequency=monthly",
            "payment_terms=net_14",
            "payment_method=direct_debit",
        ],
    )
    .ok()
    .json()
}

fn outbox(ws: &Workspace, case: &str) -> Vec<(String, Vec<String>)> {
    ws.outbox(case)
        .into_iter()
        .map(|q| (q.template, q.to))
        .collect()
}

fn mail(template: &str, to: &[&str]) -> (String, Vec<String>) {
    (
        template.to_string(),
        to.iter().map(|s| s.to_string()).collect(),
    )
}

// 1 -----------------------------------------------------------------------------------------

#[test]
fn details_supplies_billing_confirmation_and_activation_onboard_the_customer() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    assert_eq!(case, "ONB-2026-0001");
    let opened = ws.show(&case);
    assert_eq!(opened["status"], "open");
    assert_eq!(strs(&opened["active_steps"]), ["account_setup"]);
    assert_eq!(strs(&opened["assignees"]), ["jonas"]);
    assert_eq!(opened["fields"]["email"], CUSTOMER);
    assert_eq!(opened["fields"]["tax_rate"], "19.00");

    // Saving the details prints a confirmation that they were saved.
    let saved = ws
        .run("jonas", &["act", &case, "save_customer_details"])
        .ok();
    assert!(
        saved
            .stdout
            .contains("save_customer_details; now in service_setup"),
        "{}",
        saved.stdout
    );
    let shown = ws.show(&case);
    assert_eq!(strs(&shown["active_steps"]), ["service_setup"]);
    assert_eq!(strs(&shown["assignees"]), ["network_operations"]);

    let supplies = set_up_supplies(&ws, &case);
    assert_eq!(strs(&supplies["active_steps"]), ["billing_preferences"]);
    assert_eq!(strs(&supplies["assignees"]), ["billing"]);
    assert_eq!(
        strs(&supplies["fields"]["services"]),
        ["electricity", "gas", "internet"]
    );
    assert_eq!(supplies["fields"]["supply_start"], "2027-01-01");

    let billing = save_billing(&ws, &case);
    assert_eq!(strs(&billing["active_steps"]), ["order_confirmation"]);
    assert_eq!(strs(&billing["assignees"]), ["jonas"]);
    assert_eq!(billing["fields"]["billing_frequency"], "monthly");
    assert_eq!(billing["fields"]["payment_terms"], "net_14");
    assert_eq!(billing["fields"]["payment_method"], "direct_debit");
    assert_eq!(billing["fields"]["tax_rate"], "19.00");

    let confirmed = act(&ws, "jonas", &case, "order_confirmed", &[]).ok().json();
    assert_eq!(strs(&confirmed["active_steps"]), ["activation"]);
    assert_eq!(strs(&confirmed["assignees"]), ["network_operations"]);
    assert!(outbox(&ws, &case).is_empty());

    let active = act(&ws, "tom", &case, "activate_supplies", &[]).ok().json();
    assert_eq!(active["status"], "closed");
    assert_eq!(active["outcome"], "onboarded");
    let shown = ws.show(&case);
    assert_eq!(shown["outcome"], "onboarded");
    assert!(shown["active_steps"].as_array().unwrap().is_empty());

    // The customer is welcomed and billing starts invoicing.
    assert_eq!(
        outbox(&ws, &case),
        [
            mail("welcome", &[CUSTOMER]),
            mail("invoicing_started", &["klaus"])
        ]
    );

    let history = ws.history(&case);
    let seen: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["action"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("jonas", "opened", None),
            ("jonas", "acted", Some("save_customer_details")),
            ("tom", "acted", Some("set_up_supplies")),
            ("klaus", "acted", Some("save_billing_preferences")),
            ("jonas", "acted", Some("order_confirmed")),
            ("tom", "acted", Some("activate_supplies")),
        ]
    );
    assert_eq!(strs(&history[2]["from_steps"]), ["service_setup"]);
    assert_eq!(strs(&history[2]["to_steps"]), ["billing_preferences"]);
}

// 2 -----------------------------------------------------------------------------------------

#[test]
fn a_customer_who_does_not_confirm_the_order_ends_declined_with_a_reason() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    save_details(&ws, &case);
    set_up_supplies(&ws, &case);
    save_billing(&ws, &case);

    let before = ws.events(&case);
    let run = act(&ws, "jonas", &case, "order_declined", &[]).fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    let declined = ws
        .run(
            "jonas",
            &[
                "act",
                &case,
                "order_declined",
                "--comment",
                "Kundin hat ein günstigeres Angebot",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(declined["status"], "closed");
    assert_eq!(declined["outcome"], "order_declined");
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["action"], "order_declined");
    assert_eq!(last["comment"], "Kundin hat ein günstigeres Angebot");
    assert_eq!(
        outbox(&ws, &case),
        [mail("order_not_confirmed", &[CUSTOMER])]
    );
    // Nothing more to activate.
    act(&ws, "tom", &case, "activate_supplies", &[]).fails(65);
}

// 3 -----------------------------------------------------------------------------------------

#[test]
fn a_bad_phone_number_or_postcode_is_refused_before_saving() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    let before = ws.events(&case);
    for bad in [
        "phone=030-CALL-ME",
        "phone=12345",
        "phone=+49 (30) 1234567",
        "phone=++49 30 1234567",
        "postcode=1011",
        "postcode=101150",
        "postcode=D-10115",
        "postcode=1O115",
    ] {
        let run = act(&ws, "jonas", &case, "save_customer_details", &[bad]).fails(65);
        assert!(
            run.stderr.contains(&format_message(bad)),
            "{bad}: {}",
            run.stderr
        );
        assert_eq!(ws.events(&case), before, "{bad}");
        let shown = ws.show(&case);
        assert_eq!(strs(&shown["active_steps"]), ["account_setup"], "{bad}");
        // The refused value was not saved.
        assert_eq!(shown["fields"]["phone"], "+49 30 1234567", "{bad}");
        assert_eq!(shown["fields"]["postcode"], "10115", "{bad}");
    }
    // Well-formed numbers pass.
    let saved = act(
        &ws,
        "jonas",
        &case,
        "save_customer_details",
        &["phone=030/123 45-67", "postcode=01067"],
    )
    .ok()
    .json();
    assert_eq!(strs(&saved["active_steps"]), ["service_setup"]);
    assert_eq!(saved["fields"]["phone"], "030/123 45-67");
    assert_eq!(saved["fields"]["postcode"], "01067");
}

#[test]
fn a_bad_email_address_is_refused_on_opening_and_on_saving() {
    let ws = Workspace::init();
    let run = ws
        .run(
            "jonas",
            &[
                "open",
                PROCESS,
                "--field",
                "customer_name=Erika Mustermann",
                "--field",
                "email=erika at example.de",
            ],
        )
        .fails(65);
    assert!(
        run.stderr.contains("field `email`") && run.stderr.contains("not an e-mail address"),
        "{}",
        run.stderr
    );
    let listed = ws.run("root", &["list", "--format", "ids"]).ok();
    assert!(listed.stdout.trim().is_empty(), "{}", listed.stdout);

    let case = open(&ws, &DETAILS);
    let before = ws.events(&case);
    let run = act(
        &ws,
        "jonas",
        &case,
        "save_customer_details",
        &["email=erika@localhost"],
    )
    .fails(65);
    assert!(run.stderr.contains("field `email`"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(ws.show(&case)["fields"]["email"], CUSTOMER);
}

#[test]
fn saving_needs_every_contact_detail_and_names_what_is_missing() {
    let ws = Workspace::init();
    let case = open(&ws, &["customer_name=Erika Mustermann", "city=Berlin"]);
    let before = ws.events(&case);
    let run = act(&ws, "jonas", &case, "save_customer_details", &[]).fails(65);
    for missing in ["street", "postcode", "email", "phone"] {
        assert!(
            run.stderr.contains(&format!("field `{missing}`")),
            "{missing}: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("field `city`"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);
    assert_eq!(strs(&ws.show(&case)["active_steps"]), ["account_setup"]);
}

// 4 -----------------------------------------------------------------------------------------

#[test]
fn supplies_must_be_electricity_gas_water_or_internet_with_a_start_date() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    save_details(&ws, &case);
    let before = ws.events(&case);

    let run = act(&ws, "tom", &case, "set_up_supplies", &[]).fails(65);
    assert!(run.stderr.contains("field `services`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("field `supply_start`"),
        "{}",
        run.stderr
    );
    for bad in ["services=electricity, district heating", "services=Gas"] {
        let run = act(
            &ws,
            "tom",
            &case,
            "set_up_supplies",
            &[bad, "supply_start=2027-01-01"],
        )
        .fails(65);
        assert!(
            run.stderr
                .contains("the supplies must be one or more of electricity, gas, water, internet"),
            "{bad}: {}",
            run.stderr
        );
    }
    assert_eq!(ws.events(&case), before);
    assert!(ws.show(&case)["fields"].get("services").is_none());

    let ok = act(
        &ws,
        "tom",
        &case,
        "set_up_supplies",
        &["services=water", "supply_start=2027-02-01"],
    )
    .ok()
    .json();
    assert_eq!(strs(&ok["fields"]["services"]), ["water"]);
    assert_eq!(strs(&ok["active_steps"]), ["billing_preferences"]);
}

#[test]
fn billing_preferences_need_frequency_terms_and_payment_method_and_a_sane_tax_rate() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    save_details(&ws, &case);
    set_up_supplies(&ws, &case);
    let before = ws.events(&case);

    let run = act(&ws, "klaus", &case, "save_billing_preferences", &[]).fails(65);
    for missing in ["billing_frequency", "payment_terms", "payment_method"] {
        assert!(
            run.stderr.contains(&format!("field `{missing}`")),
            "{missing}: {}",
            run.stderr
        );
    }
    // The tax rate has a default (19 %) and so is not missing.
    assert!(!run.stderr.contains("tax_rate"), "{}", run.stderr);

    let fields = [
        "billing_frequency=quarterly",
        "payment_terms=net_30",
        "payment_method=bank_transfer",
    ];
    for bad in ["tax_rate=119", "tax_rate=-7"] {
        let mut all = fields.to_vec();
        all.push(bad);
        let run = act(&ws, "klaus", &case, "save_billing_preferences", &all).fails(65);
        assert!(
            run.stderr
                .contains("the tax rate must be a percentage from 0 to 100"),
            "{bad}: {}",
            run.stderr
        );
    }
    let mut all = fields.to_vec();
    all.push("billing_frequency=fortnightly");
    let run = act(&ws, "klaus", &case, "save_billing_preferences", &all).fails(65);
    assert!(run.stderr.contains("billing_frequency"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    let mut all = fields.to_vec();
    all.push("tax_rate=7");
    let saved = act(&ws, "klaus", &case, "save_billing_preferences", &all)
        .ok()
        .json();
    assert_eq!(saved["fields"]["billing_frequency"], "quarterly");
    assert_eq!(saved["fields"]["payment_terms"], "net_30");
    assert_eq!(saved["fields"]["tax_rate"], "7.00");
    assert_eq!(strs(&saved["active_steps"]), ["order_confirmation"]);
}

// 5 -----------------------------------------------------------------------------------------

#[test]
fn network_operations_send_wrong_details_back_to_account_setup_each_round_recorded() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    save_details(&ws, &case);

    let before = ws.events(&case);
    let run = act(&ws, "tom", &case, "return_to_account_setup", &[]).fails(65);
    assert!(run.stderr.contains("comment"), "{}", run.stderr);
    assert_eq!(ws.events(&case), before);

    let returned = ws
        .run(
            "tom",
            &[
                "act",
                &case,
                "return_to_account_setup",
                "--comment",
                "Hausnummer nicht im Netzgebiet",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(strs(&returned["active_steps"]), ["account_setup"]);
    assert_eq!(strs(&returned["assignees"]), ["jonas"]);
    // The corrected details go through the same checks again.
    act(
        &ws,
        "jonas",
        &case,
        "save_customer_details",
        &["postcode=1011"],
    )
    .fails(65);
    act(
        &ws,
        "jonas",
        &case,
        "save_customer_details",
        &["street=Hauptstraße 7"],
    )
    .ok();
    ws.run(
        "tom",
        &[
            "act",
            &case,
            "return_to_account_setup",
            "--comment",
            "Postleitzahl passt nicht zu Berlin-Mitte",
        ],
    )
    .ok();
    let resaved = act(
        &ws,
        "jonas",
        &case,
        "save_customer_details",
        &["postcode=10117"],
    )
    .ok()
    .json();
    assert_eq!(strs(&resaved["active_steps"]), ["service_setup"]);
    assert_eq!(resaved["fields"]["street"], "Hauptstraße 7");
    assert_eq!(resaved["fields"]["postcode"], "10117");

    let history = ws.history(&case);
    let rounds: Vec<(&str, &str, Option<&str>)> = history
        .iter()
        .filter(|e| e["kind"] == "acted")
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["comment"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        rounds,
        [
            ("jonas", "save_customer_details", None),
            (
                "tom",
                "return_to_account_setup",
                Some("Hausnummer nicht im Netzgebiet")
            ),
            ("jonas", "save_customer_details", None),
            (
                "tom",
                "return_to_account_setup",
                Some("Postleitzahl passt nicht zu Berlin-Mitte")
            ),
            ("jonas", "save_customer_details", None),
        ]
    );
    for e in history
        .iter()
        .filter(|e| e["action"] == "return_to_account_setup")
    {
        assert_eq!(strs(&e["from_steps"]), ["service_setup"]);
        assert_eq!(strs(&e["to_steps"]), ["account_setup"]);
    }
    assert_eq!(
        outbox(&ws, &case),
        [
            mail("customer_details_returned", &["jonas"]),
            mail("customer_details_returned", &["jonas"])
        ]
    );
    // Then the case goes on as usual.
    set_up_supplies(&ws, &case);
    save_billing(&ws, &case);
    act(&ws, "jonas", &case, "order_confirmed", &[]).ok();
    let done = act(&ws, "tom", &case, "activate_supplies", &[]).ok().json();
    assert_eq!(done["outcome"], "onboarded");
}

// 6 -----------------------------------------------------------------------------------------

#[test]
fn people_outside_a_step_are_refused_and_the_case_is_unchanged() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);

    let refuse = |actor: &str, action: &str, fields: &[&str], step: &str| {
        let before = ws.events(&case);
        let shown = ws.show(&case);
        let run = act(&ws, actor, &case, action, fields).fails(77);
        assert!(
            run.stderr.contains(&format!("{actor} may not act")),
            "{}",
            run.stderr
        );
        assert_eq!(ws.events(&case), before, "{actor} {action}");
        let after = ws.show(&case);
        assert_eq!(after["fields"], shown["fields"], "{actor} {action}");
        assert_eq!(strs(&after["active_steps"]), [step]);
    };
    // Another agent, network operations and billing cannot save jonas's customer.
    refuse("mia", "save_customer_details", &[], "account_setup");
    refuse("tom", "save_customer_details", &[], "account_setup");
    save_details(&ws, &case);
    // Billing and customer service do not set up supplies.
    refuse(
        "klaus",
        "set_up_supplies",
        &["services=gas", "supply_start=2027-01-01"],
        "service_setup",
    );
    refuse(
        "jonas",
        "set_up_supplies",
        &["services=gas", "supply_start=2027-01-01"],
        "service_setup",
    );
    set_up_supplies(&ws, &case);
    refuse(
        "tom",
        "save_billing_preferences",
        &[
            "billing_frequency=monthly",
            "payment_terms=net_14",
            "payment_method=card",
        ],
        "billing_preferences",
    );
    save_billing(&ws, &case);
    refuse("klaus", "order_confirmed", &[], "order_confirmation");
    act(&ws, "jonas", &case, "order_confirmed", &[]).ok();
    refuse("jonas", "activate_supplies", &[], "activation");
    refuse("klaus", "activate_supplies", &[], "activation");
    let done = act(&ws, "tom", &case, "activate_supplies", &[]).ok().json();
    assert_eq!(done["outcome"], "onboarded");
}

#[test]
fn the_service_lead_may_act_for_the_agent_as_supervisor() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    let saved = act(&ws, "lena", &case, "save_customer_details", &[])
        .ok()
        .json();
    assert_eq!(strs(&saved["active_steps"]), ["service_setup"]);
    let last = ws.history(&case).pop().unwrap();
    assert_eq!(last["actor"], "lena");
    let note = last["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("lena") && note.contains("supervisor"),
        "{last}"
    );
}

/// Seed: "Das System überprüft die eingegebenen Informationen, um eine Genauigkeit
/// sicherzustellen, bevor es sie in der Datenbank speichert." The formats are `pattern:`s
/// of the fields, so `caseflow set` cannot store a malformed number after saving either.
#[test]
fn a_bad_phone_number_cannot_be_set_after_the_details_were_saved() {
    let ws = Workspace::init();
    let case = open(&ws, &DETAILS);
    save_details(&ws, &case);
    ws.run("tom", &["set", &case, "--field", "phone=call me maybe"])
        .fails(65);
    assert_eq!(ws.show(&case)["fields"]["phone"], "+49 30 1234567");
}
