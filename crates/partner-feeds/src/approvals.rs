//! What each partner agency is approved to receive: subjects, and within each subject the fields
//! copied as they are and the identifiers replaced by the partner's pseudonyms. Checked against
//! the event schemas when loaded, so a typo can never widen a feed.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The approvals file: `partners: {<agency>: {description, subjects: {<subject>: {fields, pseudonymise}}}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    pub partners: BTreeMap<String, Partner>,
}

/// One partner agency's approvals.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Who the agency is and the legal basis of the feed (documentation only).
    #[serde(default)]
    pub description: String,
    pub subjects: BTreeMap<String, SubjectApproval>,
}

/// The fields of one subject a partner receives.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectApproval {
    /// Fields copied unchanged.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Identifiers replaced by the partner's pseudonym of their value (each element of an array).
    /// Every `person_ref` field the partner receives must be listed here.
    #[serde(default)]
    pub pseudonymise: Vec<String>,
    /// Only events whose field has one of the listed values reach the partner (e.g. referrals
    /// for the assistance the agency provides). Empty: every event of the subject.
    #[serde(default)]
    pub only_when: BTreeMap<String, Vec<Value>>,
}

impl SubjectApproval {
    /// Whether an event passes the approval's `only_when` conditions.
    pub fn admits(&self, data: &Value) -> bool {
        self.only_when
            .iter()
            .all(|(field, values)| data.get(field).is_some_and(|v| values.contains(v)))
    }
}

/// A reason the approvals cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("approvals: {0}")]
pub struct ApprovalError(pub String);

/// Contexts whose events never leave the mesh, whatever a file says: minors' cases, and the
/// partner facts themselves (they carry ID numbers).
const NEVER_SHARED: &[&str] = &["minor.", "partner."];

impl Approvals {
    /// Parses and checks an approvals file (YAML).
    pub fn from_yaml(text: &str) -> Result<Self, ApprovalError> {
        let approvals: Approvals =
            serde_yaml_ng::from_str(text).map_err(|e| ApprovalError(e.to_string()))?;
        approvals.check()?;
        Ok(approvals)
    }

    /// Reads and checks the approvals file at `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, ApprovalError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ApprovalError(format!("{}: {e}", path.display())))?;
        Self::from_yaml(&text)
    }

    /// Every subject at least one partner is approved for, sorted.
    pub fn subjects(&self) -> Vec<&str> {
        let mut subjects: Vec<&str> = self
            .partners
            .values()
            .flat_map(|p| p.subjects.keys().map(String::as_str))
            .collect();
        subjects.sort_unstable();
        subjects.dedup();
        subjects
    }

    /// The partners approved for `subject`, with their approval, in name order.
    pub fn partners_for<'a>(
        &'a self,
        subject: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a SubjectApproval)> + 'a {
        self.partners
            .iter()
            .filter_map(move |(name, p)| p.subjects.get(subject).map(|a| (name.as_str(), a)))
    }

    fn check(&self) -> Result<(), ApprovalError> {
        let err = |m: String| Err(ApprovalError(m));
        for (name, partner) in &self.partners {
            if !is_partner_name(name) {
                return err(format!(
                    "partner name {name:?}: use lower-case letters, digits and '-' (it becomes a subject token)"
                ));
            }
            for (subject, approval) in &partner.subjects {
                if NEVER_SHARED.iter().any(|p| subject.starts_with(p)) {
                    return err(format!(
                        "{name}: {subject} never leaves the mesh (minors' cases and partner facts are not shared)"
                    ));
                }
                let Some(schema) = contracts::schema(subject) else {
                    return err(format!("{name}: {subject} is not a subject of the mesh"));
                };
                if schema.get("x-personal-data").and_then(Value::as_str) == Some("identifying") {
                    return err(format!(
                        "{name}: {subject} carries ID numbers and is never shared"
                    ));
                }
                check_fields(name, subject, schema, approval)?;
            }
        }
        Ok(())
    }
}

fn check_fields(
    partner: &str,
    subject: &str,
    schema: &Value,
    approval: &SubjectApproval,
) -> Result<(), ApprovalError> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| ApprovalError(format!("{subject}: schema has no properties")))?;
    if approval.fields.is_empty() && approval.pseudonymise.is_empty() {
        return Err(ApprovalError(format!(
            "{partner}: {subject} approves no field"
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for field in approval.fields.iter().chain(&approval.pseudonymise) {
        let Some(property) = properties.get(field) else {
            return Err(ApprovalError(format!(
                "{partner}: {subject} has no field {field:?}"
            )));
        };
        if !seen.insert(field) {
            return Err(ApprovalError(format!(
                "{partner}: {subject}.{field} is listed twice"
            )));
        }
        if approval.fields.contains(field) && is_person_ref(property) {
            return Err(ApprovalError(format!(
                "{partner}: {subject}.{field} is a person_ref: list it under pseudonymise"
            )));
        }
    }
    for (field, values) in &approval.only_when {
        if !properties.contains_key(field) {
            return Err(ApprovalError(format!(
                "{partner}: {subject} has no field {field:?} to filter on"
            )));
        }
        if values.is_empty() {
            return Err(ApprovalError(format!(
                "{partner}: {subject}.only_when.{field} lists no value"
            )));
        }
    }
    Ok(())
}

/// Whether a schema property is a `person_ref` or an array of them.
pub fn is_person_ref(property: &Value) -> bool {
    let refers = |v: &Value| {
        v.get("$ref")
            .and_then(Value::as_str)
            .is_some_and(|r| r.ends_with("/person_ref"))
    };
    refers(property) || property.get("items").is_some_and(refers)
}

fn is_partner_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(yaml: &str) -> String {
        Approvals::from_yaml(yaml).expect_err("refused").0
    }

    #[test]
    fn approvals_name_only_known_subjects_and_fields() {
        let cases = [
            (
                "partners: {hib: {subjects: {aid.nothing.happened.v1: {fields: [programme]}}}}",
                "not a subject of the mesh",
            ),
            (
                "partners: {hib: {subjects: {aid.enrollment.started.v1: {fields: [name]}}}}",
                "has no field \"name\"",
            ),
            (
                "partners: {hib: {subjects: {aid.enrollment.started.v1: {}}}}",
                "approves no field",
            ),
            (
                "partners: {hib: {subjects: {aid.enrollment.started.v1: {fields: [programme], pseudonymise: [programme]}}}}",
                "listed twice",
            ),
            (
                "partners: {hib: {subjects: {aid.referral.requested.v1: {fields: [assistance], only_when: {colour: [red]}}}}}",
                "no field \"colour\" to filter on",
            ),
            (
                "partners: {HIB: {subjects: {aid.enrollment.started.v1: {fields: [programme]}}}}",
                "partner name",
            ),
            (
                "partners: {hib: {subjects: {aid.enrollment.started.v1: {fields: [programme]}}, extra: 1}}",
                "unknown field",
            ),
        ];
        for (yaml, expected) in cases {
            let reason = refusal(yaml);
            assert!(reason.contains(expected), "{yaml}: {reason}");
        }
    }

    #[test]
    fn person_refs_can_only_be_approved_as_pseudonyms() {
        let reason = refusal(
            "partners: {dpf: {subjects: {disability.subsidy.granted.v1: {fields: [person_ref, kind]}}}}",
        );
        assert!(reason.contains("list it under pseudonymise"), "{reason}");
        let reason = refusal(
            "partners: {hib: {subjects: {aid.enrollment.started.v1: {fields: [members]}}}}",
        );
        assert!(reason.contains("list it under pseudonymise"), "{reason}");
        Approvals::from_yaml(
            "partners: {dpf: {subjects: {disability.subsidy.granted.v1: {fields: [kind], pseudonymise: [person_ref]}}}}",
        )
        .expect("pseudonymised person_ref is fine");
    }

    #[test]
    fn partner_facts_and_minors_cases_are_never_shared() {
        for subject in [
            "partner.civil-registry.death.recorded.v1",
            "partner.verification.completed.v1",
            "minor.case.opened.v1",
        ] {
            let reason = refusal(&format!(
                "partners: {{hib: {{subjects: {{{subject}: {{fields: [township_code]}}}}}}}}"
            ));
            assert!(reason.contains("never"), "{subject}: {reason}");
        }
    }

    #[test]
    fn only_when_keeps_the_events_whose_field_has_a_listed_value() {
        let approvals = Approvals::from_yaml(
            "partners: {hib: {subjects: {aid.referral.requested.v1: {fields: [assistance], only_when: {assistance: [medical]}}}}}",
        )
        .unwrap();
        let approval = &approvals.partners["hib"].subjects["aid.referral.requested.v1"];
        assert!(approval.admits(&serde_json::json!({"assistance": "medical"})));
        assert!(!approval.admits(&serde_json::json!({"assistance": "housing"})));
        assert!(!approval.admits(&serde_json::json!({})));
    }

    #[test]
    fn subjects_are_the_union_of_every_partners_approvals() {
        let approvals = Approvals::from_yaml(
            "partners:\n  a: {subjects: {aid.enrollment.started.v1: {fields: [programme]}, aid.enrollment.ended.v1: {fields: [programme]}}}\n  b: {subjects: {aid.enrollment.started.v1: {fields: [residence]}}}\n",
        )
        .unwrap();
        assert_eq!(
            approvals.subjects(),
            ["aid.enrollment.ended.v1", "aid.enrollment.started.v1"]
        );
        let partners: Vec<&str> = approvals
            .partners_for("aid.enrollment.started.v1")
            .map(|(p, _)| p)
            .collect();
        assert_eq!(partners, ["a", "b"]);
    }
}
