//! Encryption at rest of the personal data this service holds (ID and certificate numbers, payee
//! and agent names, bank accounts): AES-256-GCM with a fresh random nonce per value, bound to its
//! column and row, stored as `enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.

use std::{fmt, sync::Arc};

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
};
use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    digest::{SHA256, digest},
    rand::{SecureRandom, SystemRandom},
};

/// The data key: 32 bytes, hex (64 characters) or base64.
pub const DATA_KEY_VAR: &str = "DISABILITY_DATA_KEY";
/// Keys retired by a rotation, comma-separated: still opened, never used to seal.
pub const PREVIOUS_KEYS_VAR: &str = "DISABILITY_DATA_PREVIOUS_KEYS";
/// Hashed into the development key; used only when `MESH_ENV` is not `production`.
const DEV_KEY_SEED: &[u8] = b"minzheng-mesh-development-disability-data-key";
const PREFIX: &str = "enc:v1:";

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {name}: {reason}")]
pub struct KeyError {
    pub name: &'static str,
    pub reason: String,
}

/// Why a stored value could not be opened (the value itself is never in the message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the value is not sealed")]
    NotSealed,
    #[error("sealed with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not open with its key (wrong key, or moved or altered)")]
    Rejected,
}

struct Key {
    id: String,
    aead: LessSafeKey,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        let mut labelled = b"disability-data-key-id:".to_vec();
        labelled.extend_from_slice(bytes);
        let id = hex::encode(&digest(&SHA256, &labelled).as_ref()[..4]);
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes for AES-256");
        Self {
            id,
            aead: LessSafeKey::new(unbound),
        }
    }
}

/// The keys that seal and open values: the current one, and retired ones for reading.
#[derive(Clone)]
pub struct DataKeys(Arc<Keys>);

struct Keys {
    current: Key,
    previous: Vec<Key>,
    rng: SystemRandom,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKeys(current {}, ***)", self.0.current.id)
    }
}

fn development_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    k.copy_from_slice(digest(&SHA256, DEV_KEY_SEED).as_ref());
    k
}

fn decode_key(name: &'static str, raw: &str) -> Result<[u8; 32], KeyError> {
    let raw = raw.trim();
    let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(raw).ok()
    } else {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(raw).ok())
    };
    bytes
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| KeyError {
            name,
            reason: "must be 32 bytes, as 64 hex characters or base64".into(),
        })
}

/// The stored form's column and row binding: a value moved to another row does not open.
pub fn binding(column: &str, row: &str) -> String {
    format!("{column}|{row}")
}

impl DataKeys {
    /// Keys from the process environment.
    pub fn from_env() -> Result<Self, KeyError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Keys from `get`: the development key only when `MESH_ENV` is not `production`; production
    /// refuses to start without a key of its own.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, KeyError> {
        let production = get("MESH_ENV").is_some_and(|v| v == "production");
        let current = match get(DATA_KEY_VAR).filter(|v| !v.trim().is_empty()) {
            Some(raw) => decode_key(DATA_KEY_VAR, &raw)?,
            None if production => {
                return Err(KeyError {
                    name: DATA_KEY_VAR,
                    reason: "required in production".into(),
                });
            }
            None => development_key(),
        };
        if production && current == development_key() {
            return Err(KeyError {
                name: DATA_KEY_VAR,
                reason: "the development key is refused in production".into(),
            });
        }
        let mut previous = Vec::new();
        for raw in get(PREVIOUS_KEYS_VAR)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            previous.push(decode_key(PREVIOUS_KEYS_VAR, raw)?);
        }
        Ok(Self::from_bytes(&current, &previous))
    }

    /// The development keys (tests and local runs).
    pub fn development() -> Self {
        Self::from_bytes(&development_key(), &[])
    }

    /// Keys from raw bytes: `current` seals, every key opens.
    pub fn from_bytes(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self(Arc::new(Keys {
            current: Key::new(current),
            previous: previous.iter().map(Key::new).collect(),
            rng: SystemRandom::new(),
        }))
    }

    /// The id of the key that seals (the prefix of every value it seals).
    pub fn key_id(&self) -> &str {
        &self.0.current.id
    }

    /// Whether a stored value is in the sealed form (a plain value never starts so).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// Seals `plain` for the column and row named by `binding`.
    pub fn seal(&self, binding: &str, plain: &str) -> String {
        let key = &self.0.current;
        let mut nonce = [0u8; NONCE_LEN];
        self.0
            .rng
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut data = plain.as_bytes().to_vec();
        key.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(binding.as_bytes()),
                &mut data,
            )
            .expect("AES-GCM seals any length this service stores");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{PREFIX}{}:{}", key.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// Seals an optional value.
    pub fn seal_opt(&self, binding: &str, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.seal(binding, p))
    }

    /// Opens a stored value sealed for `binding`.
    pub fn open(&self, binding: &str, stored: &str) -> Result<String, OpenError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(OpenError::NotSealed)?;
        let (id, body) = rest.split_once(':').ok_or(OpenError::Malformed)?;
        let key = std::iter::once(&self.0.current)
            .chain(&self.0.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| OpenError::UnknownKey(id.to_owned()))?;
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Malformed)?;
        if raw.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(OpenError::Malformed);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::Malformed)?;
        let mut data = sealed.to_vec();
        let plain = key
            .aead
            .open_in_place(nonce, Aad::from(binding.as_bytes()), &mut data)
            .map_err(|_| OpenError::Rejected)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError::Malformed)
    }

    /// Opens an optional value.
    pub fn open_opt(
        &self,
        binding: &str,
        stored: Option<&str>,
    ) -> Result<Option<String>, OpenError> {
        stored.map(|s| self.open(binding, s)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_sealed_value_round_trips_and_never_shows_the_plain_value() {
        let keys = DataKeys::development();
        let plain = "50011219700101123X";
        let b = binding("identities.id_number", "ref");
        let sealed = keys.seal(&b, plain);
        assert!(DataKeys::is_sealed(&sealed));
        assert!(!sealed.contains(plain) && !sealed.contains("500112"));
        assert!(sealed.starts_with(&format!("enc:v1:{}:", keys.key_id())));
        assert_eq!(keys.open(&b, &sealed).unwrap(), plain);
        assert_ne!(keys.seal(&b, plain), sealed, "a fresh nonce per value");
    }

    #[test]
    fn a_wrong_key_or_another_row_does_not_open() {
        let keys = DataKeys::from_bytes(&[7; 32], &[]);
        let sealed = keys.seal("payees.name|a", "张三");
        let other = DataKeys::from_bytes(&[8; 32], &[]);
        assert!(matches!(
            other.open("payees.name|a", &sealed),
            Err(OpenError::UnknownKey(_))
        ));
        // Same key id claimed, different key: the tag does not verify.
        let forged = sealed.replace(keys.key_id(), other.key_id());
        assert_eq!(
            other.open("payees.name|a", &forged),
            Err(OpenError::Rejected)
        );
        assert_eq!(
            keys.open("payees.name|b", &sealed),
            Err(OpenError::Rejected)
        );
        assert_eq!(
            keys.open("payees.name|a", "张三"),
            Err(OpenError::NotSealed)
        );
    }

    #[test]
    fn a_rotated_key_still_opens_what_it_sealed() {
        let old = DataKeys::from_bytes(&[1; 32], &[]);
        let sealed = old.seal("c|r", "6228480000000001");
        let rotated = DataKeys::from_bytes(&[2; 32], &[[1; 32]]);
        assert_eq!(rotated.open("c|r", &sealed).unwrap(), "6228480000000001");
        assert!(rotated.seal("c|r", "x").contains(rotated.key_id()));
        assert_ne!(rotated.key_id(), old.key_id());
    }

    #[test]
    fn production_refuses_a_missing_or_development_key() {
        let err = DataKeys::from_lookup(lookup(&[("MESH_ENV", "production")])).unwrap_err();
        assert_eq!(err.name, DATA_KEY_VAR);
        let dev_hex = hex::encode(development_key());
        assert!(
            DataKeys::from_lookup(lookup(&[
                ("MESH_ENV", "production"),
                (DATA_KEY_VAR, &dev_hex)
            ]))
            .is_err()
        );
        let own = hex::encode([9u8; 32]);
        let keys =
            DataKeys::from_lookup(lookup(&[("MESH_ENV", "production"), (DATA_KEY_VAR, &own)]))
                .unwrap();
        assert_eq!(keys.key_id(), DataKeys::from_bytes(&[9; 32], &[]).key_id());
        // Development falls back to the development key.
        let dev = DataKeys::from_lookup(lookup(&[])).unwrap();
        assert_eq!(dev.key_id(), DataKeys::development().key_id());
    }

    #[test]
    fn keys_are_read_as_hex_or_base64_and_must_be_32_bytes() {
        let b64 = STANDARD.encode([5u8; 32]);
        let keys = DataKeys::from_lookup(lookup(&[(DATA_KEY_VAR, &b64)])).unwrap();
        assert_eq!(keys.key_id(), DataKeys::from_bytes(&[5; 32], &[]).key_id());
        for bad in ["abc", &hex::encode([1u8; 16]), &STANDARD.encode([1u8; 31])] {
            assert!(
                DataKeys::from_lookup(lookup(&[(DATA_KEY_VAR, bad)])).is_err(),
                "{bad}"
            );
        }
        let prev = hex::encode([3u8; 32]);
        let keys = DataKeys::from_lookup(lookup(&[
            (DATA_KEY_VAR, &hex::encode([4u8; 32])),
            (PREVIOUS_KEYS_VAR, &format!("{prev}, ")),
        ]))
        .unwrap();
        let sealed = DataKeys::from_bytes(&[3; 32], &[]).seal("c|r", "v");
        assert_eq!(keys.open("c|r", &sealed).unwrap(), "v");
    }
}
