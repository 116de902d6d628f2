//! The stored and wire name of a unit enum value — its serde name (`extreme_poverty`) — and back:
//! how services keep enum values in text columns and compare them with the contracts' values.

use serde::{Serialize, de::DeserializeOwned};

/// The serde name of a unit enum value (`Programme::ExtremePoverty` → `"extreme_poverty"`); empty
/// for a value that does not serialise to a string.
pub fn name<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The value a serde name stands for (`"living"` → `SubsidyKind::Living`), if any.
pub fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        ExtremePoverty,
        Dibao,
    }

    #[test]
    fn a_value_round_trips_through_its_serde_name() {
        assert_eq!(name(Kind::ExtremePoverty), "extreme_poverty");
        assert_eq!(parse::<Kind>("dibao"), Some(Kind::Dibao));
        assert_eq!(parse::<Kind>("Dibao"), None);
        assert_eq!(name(3), "");
    }
}
