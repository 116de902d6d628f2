//! Personal data that must never reach the six services' streams: ID-number shapes (GB 11643,
//! valid check character), mobile numbers (11 digits, 1[3-9]…), and the names, addresses and
//! numbers a suite put into its requests. `partner.*` is exempt (partners send ID numbers in).

/// The GB 11643 check character of the first 17 digits.
fn check_char(first17: &[u8]) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// Runs of `[0-9Xx]` standing alone (not inside a longer word such as a hex digest or a UUID).
fn standalone_digit_runs(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b'X' || bytes[i] == b'x')
            {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| bytes[j]);
            let after = bytes.get(i).copied();
            let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !word(before) && !word(after) {
                out.push(&text[start..i]);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// What in `text` looks like an ID number or a mobile number.
pub fn personal_shapes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for run in standalone_digit_runs(text) {
        let b = run.as_bytes();
        // An ID number, alone or heading a longer number (a disability certificate number).
        if b.len() >= 18 && b[..17].iter().all(u8::is_ascii_digit) {
            let last = b[17].to_ascii_uppercase() as char;
            if check_char(&b[..17]) == last {
                found.push(format!("ID number {run}"));
                continue;
            }
        }
        if b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit)
        {
            found.push(format!("phone number {run}"));
        }
    }
    found
}

/// Every leak in the mesh's events: `(subject, what)`. `secrets` are the names, addresses and
/// numbers the suite used in its requests.
pub fn leaks(events: &[(String, String)], secrets: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (subject, body) in events {
        if subject.starts_with("partner.") {
            continue;
        }
        for shape in personal_shapes(body) {
            out.push((subject.clone(), shape));
        }
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            if body.contains(s.as_str()) {
                out.push((subject.clone(), format!("{s:?}")));
            }
        }
    }
    out
}

/// Panics naming each leak.
pub fn assert_no_leaks(events: &[(String, String)], secrets: &[String]) {
    let found = leaks(events, secrets);
    assert!(
        found.is_empty(),
        "personal data in {} of {} events: {found:?}",
        found.len(),
        events.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_and_mobiles_are_found_and_digests_and_dates_are_not() {
        let id = "11010519491231002X";
        let text = format!(
            r#"{{"a":"{id}","b":"13812345678","c":"2026-05-02","d":"9f11010519491231002Xab","e":"{id}42","n":12000}}"#
        );
        let found = personal_shapes(&text);
        assert_eq!(
            found,
            [
                format!("ID number {id}"),
                "phone number 13812345678".to_owned(),
                format!("ID number {id}42"),
            ]
        );
        assert!(
            personal_shapes(r#"{"person_ref":"1234567890123456789012345678901234abcdef"}"#)
                .is_empty()
        );
        assert!(personal_shapes("110105194912310021 12345678901").is_empty());
    }

    #[test]
    fn partner_subjects_are_exempt_and_secrets_are_named() {
        let events = vec![
            (
                "partner.civil-registry.death.recorded.v1".to_owned(),
                "11010519491231002X".to_owned(),
            ),
            (
                "minor.case.opened.v1".to_owned(),
                r#"{"x":"张小明"}"#.to_owned(),
            ),
        ];
        let found = leaks(&events, &["张小明".to_owned()]);
        assert_eq!(
            found,
            [("minor.case.opened.v1".to_owned(), "\"张小明\"".to_owned())]
        );
    }
}
