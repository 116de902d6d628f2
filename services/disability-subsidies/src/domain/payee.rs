//! Payments go only to an account whose holder is the beneficiary or a registered agent
//! (guardian, 代领人); anything else is held and flagged (卡名不一致).

/// How an account's holder relates to the beneficiary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayeeCheck {
    /// The holder is the beneficiary.
    Beneficiary,
    /// The holder is a registered agent.
    Agent,
    /// Neither: hold the payment.
    NameMismatch,
    /// No account on record: hold the payment.
    NoAccount,
}

impl PayeeCheck {
    /// Whether a payment may be issued to the account.
    pub fn payable(self) -> bool {
        matches!(self, Self::Beneficiary | Self::Agent)
    }
}

/// Names compare without whitespace (full-width spaces included) and the middle dot variants of
/// minority names (·, •, ・).
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '•' | '・' | '．' | '.') {
                '·'
            } else {
                c
            }
        })
        .collect()
}

/// Checks an account holder's name against the beneficiary's and the registered agents'.
pub fn check_payee(holder_name: Option<&str>, beneficiary: &str, agents: &[String]) -> PayeeCheck {
    let Some(holder) = holder_name.map(normalise).filter(|h| !h.is_empty()) else {
        return PayeeCheck::NoAccount;
    };
    if holder == normalise(beneficiary) {
        PayeeCheck::Beneficiary
    } else if agents.iter().any(|a| normalise(a) == holder) {
        PayeeCheck::Agent
    } else {
        PayeeCheck::NameMismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_must_be_the_beneficiary_or_a_registered_agent() {
        let agents = vec!["李 四".to_owned()];
        let cases = [
            (Some("张三"), PayeeCheck::Beneficiary),
            (Some(" 张　三 "), PayeeCheck::Beneficiary),
            (Some("李四"), PayeeCheck::Agent),
            (Some("王五"), PayeeCheck::NameMismatch),
            (Some(""), PayeeCheck::NoAccount),
            (None, PayeeCheck::NoAccount),
        ];
        for (holder, expected) in cases {
            assert_eq!(check_payee(holder, "张三", &agents), expected, "{holder:?}");
        }
        assert_eq!(
            check_payee(Some("阿依古丽•买买提"), "阿依古丽·买买提", &[]),
            PayeeCheck::Beneficiary
        );
        assert!(!PayeeCheck::NameMismatch.payable() && PayeeCheck::Agent.payable());
    }
}
