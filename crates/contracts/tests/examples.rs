//! Every schema example validates, deserialises into its Rust type and comes back unchanged and
//! valid; and the validators behave as producers (strict) and consumers (tolerant) need.

use contracts::common::Month;
use contracts::{
    EVENT_TYPES, Event, SUBJECTS, SchemaError, aid, minor, partner, schema, validate,
    validate_tolerant,
};
use serde_json::{Value, json};

fn examples(subject: &str) -> Vec<Value> {
    schema(subject).unwrap()["examples"]
        .as_array()
        .unwrap()
        .clone()
}

fn first_example(subject: &str) -> Value {
    examples(subject).remove(0)
}

#[test]
fn every_example_validates_deserialises_and_round_trips_unchanged() {
    for event_type in EVENT_TYPES {
        let subject = event_type.subject;
        for (i, example) in examples(subject).iter().enumerate() {
            if let Err(e) = validate(subject, example) {
                panic!("{subject} example {i} is invalid: {e}");
            }
            let back = (event_type.round_trip)(example).unwrap_or_else(|e| {
                panic!(
                    "{subject} example {i} does not deserialise into {}: {e}",
                    event_type.type_name
                )
            });
            // Equal, not just valid: a field the type lacks would be dropped silently otherwise.
            assert_eq!(
                &back, example,
                "{subject} example {i} changed through {}",
                event_type.type_name
            );
            if let Err(e) = validate(subject, &back) {
                panic!("{subject} example {i} re-serialised is invalid: {e}");
            }
        }
    }
}

#[test]
fn a_type_missing_a_field_would_fail_the_round_trip() {
    // Guards the test above: a struct without `programme` drops it and the value changes.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Partial {
        application_id: uuid::Uuid,
    }
    let example = first_example(aid::ApplicationSubmitted::SUBJECT);
    let partial: Partial = serde_json::from_value(example.clone()).unwrap();
    assert_ne!(serde_json::to_value(partial).unwrap(), example);
}

#[test]
fn typed_events_serialise_to_their_examples() {
    let example = first_example(aid::EnrollmentStarted::SUBJECT);
    let event: aid::EnrollmentStarted = serde_json::from_value(example).unwrap();
    assert_eq!(event.programme, aid::Programme::Dibao);
    assert_eq!(event.start_month, Month::new(2022, 7).unwrap());
    assert_eq!(event.members.len(), 3);
    assert!(event.support_mode.is_none());

    let flag: minor::ChildAtRiskFlagged =
        serde_json::from_value(first_example(minor::ChildAtRiskFlagged::SUBJECT)).unwrap();
    assert_eq!(flag.father.situation, minor::ParentSituation::Imprisoned);
    assert!(flag.mother.person_ref.is_none());

    let cert: partner::CertificateIssued =
        serde_json::from_value(first_example(partner::CertificateIssued::SUBJECT)).unwrap();
    assert!(cert.is_consistent());
    assert!(
        !format!("{cert:?}").contains("198001010020"),
        "Debug leaks the ID number"
    );
}

#[test]
fn validators_accept_every_subject_and_refuse_unknown_ones() {
    for subject in SUBJECTS {
        assert!(schema(subject).is_some(), "{subject}");
    }
    assert!(schema("defs.json").is_none(), "defs.json is not a subject");
    let err = validate("aid.application.approved.v9", &json!({})).unwrap_err();
    assert!(
        matches!(err, SchemaError::UnknownSubject(ref s) if s == "aid.application.approved.v9")
    );
    assert!(matches!(
        validate_tolerant("nope", &json!({})),
        Err(SchemaError::UnknownSubject(_))
    ));
}

#[test]
fn strict_validation_refuses_an_unknown_field_and_tolerant_validation_accepts_it() {
    let subject = aid::EnrollmentStarted::SUBJECT;
    let mut newer = first_example(subject);
    newer["added_in_a_later_release"] = json!("x");
    let Err(SchemaError::Invalid { errors, .. }) = validate(subject, &newer) else {
        panic!("strict validation accepted an unknown field");
    };
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/: ") && e.contains("added_in_a_later_release")),
        "{errors:?}"
    );
    validate_tolerant(subject, &newer).expect("tolerant reader accepts an added field");
    // ...also inside nested objects (a $def in defs.json and a local $def).
    let mut batch = first_example(aid::PaymentBatchIssued::SUBJECT);
    batch["townships"][0]["new_field"] = json!(1);
    assert!(validate(aid::PaymentBatchIssued::SUBJECT, &batch).is_err());
    validate_tolerant(aid::PaymentBatchIssued::SUBJECT, &batch).unwrap();
    let mut flag = first_example(minor::ChildAtRiskFlagged::SUBJECT);
    flag["father"]["new_field"] = json!(true);
    assert!(validate(minor::ChildAtRiskFlagged::SUBJECT, &flag).is_err());
    validate_tolerant(minor::ChildAtRiskFlagged::SUBJECT, &flag).unwrap();
    // The typed reader ignores it too (no deny_unknown_fields).
    serde_json::from_value::<aid::EnrollmentStarted>(newer).unwrap();
}

/// A change that makes a valid example invalid.
type Mutation = fn(&mut Value);

#[test]
fn both_validators_refuse_a_missing_field_a_bad_pattern_and_a_bad_format() {
    let subject = aid::EnrollmentStarted::SUBJECT;
    let good = first_example(subject);
    let cases: Vec<(&str, Mutation)> = vec![
        ("/", |v| {
            drop(v.as_object_mut().unwrap().remove("household_id"))
        }),
        ("/members/0", |v| {
            v["members"][0] = json!("3F8A9C0D2B7E4F61A5C8D9E0F1A2B3C4")
        }),
        ("/start_month", |v| v["start_month"] = json!("2022-13")),
        ("/confirmed_on", |v| v["confirmed_on"] = json!("2022-02-30")),
        ("/monthly_amount_fen", |v| {
            v["monthly_amount_fen"] = json!(958.5)
        }),
        ("/monthly_amount_fen", |v| {
            v["monthly_amount_fen"] = json!(-1)
        }),
        ("/township_code", |v| v["township_code"] = json!("500112")),
        ("/programme", |v| v["programme"] = json!("poverty")),
        ("/enrollment_id", |v| {
            v["enrollment_id"] = json!("not-a-uuid")
        }),
        // extreme poverty needs its support mode; other programmes must not carry one.
        ("/", |v| v["programme"] = json!("extreme_poverty")),
        ("/", |v| v["support_mode"] = json!("dispersed")),
    ];
    for (path, mutate) in cases {
        let mut bad = good.clone();
        mutate(&mut bad);
        for (mode, result) in [
            ("strict", validate(subject, &bad)),
            ("tolerant", validate_tolerant(subject, &bad)),
        ] {
            let Err(SchemaError::Invalid { errors, subject: s }) = result else {
                panic!("{mode} validation accepted {bad}");
            };
            assert_eq!(s, subject);
            assert!(
                errors.iter().any(|e| e.starts_with(&format!("{path}: "))),
                "{mode}: {errors:?} lacks {path}"
            );
        }
    }
}

#[test]
fn conditional_rules_hold_for_decisions_and_verification_answers() {
    let decided = aid::ApplicationDecided::SUBJECT;
    let mut approved = first_example(decided);
    approved.as_object_mut().unwrap().remove("start_month");
    assert!(
        validate(decided, &approved).is_err(),
        "approval without a start month"
    );
    let mut rejected = examples(decided).remove(1);
    rejected.as_object_mut().unwrap().remove("rejection_reason");
    assert!(
        validate(decided, &rejected).is_err(),
        "rejection without a reason"
    );

    let completed = partner::VerificationCompleted::SUBJECT;
    let mut refused = examples(completed).remove(1);
    refused["household_monthly_income_fen"] = json!(1);
    assert!(
        validate(completed, &refused).is_err(),
        "a refused verification has no figures"
    );
}

#[test]
fn schema_errors_render_subject_path_and_message() {
    let err = validate(
        aid::ApplicationSubmitted::SUBJECT,
        &json!({"application_id": 1}),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("aid.application.submitted.v1: "), "{text}");
    assert!(text.contains("/application_id: "), "{text}");
}

#[test]
fn stream_for_every_subject_is_its_context_stream() {
    for subject in SUBJECTS {
        let stream =
            contracts::stream_for(subject).unwrap_or_else(|| panic!("{subject} has no stream"));
        let context = subject.split('.').next().unwrap();
        assert_eq!(stream.name, context.to_uppercase());
        assert_eq!(stream.subjects, format!("{context}.>"));
    }
    assert!(contracts::stream_for("audit.something.v1").is_none());
    assert!(contracts::stream_for("aidx.application.submitted.v1").is_none());
    assert_eq!(contracts::STREAMS.len(), 7);
    assert_eq!(
        contracts::dataschema_uri("child.registered.v1"),
        "urn:minzheng:schema:child.registered.v1"
    );
}
