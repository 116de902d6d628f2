//! Per-partner pseudonyms: HMAC-SHA256 under a key only the mesh holds, one key per partner, so a
//! partner sees stable identifiers within its own feed that it cannot join with another partner's.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A partner's feed key (at least 16 bytes). Never logged.
#[derive(Clone)]
pub struct FeedKey {
    partner: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for FeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FeedKey({}, ..)", self.partner)
    }
}

impl FeedKey {
    /// The key of `partner`.
    pub fn new(partner: &str, key: impl Into<Vec<u8>>) -> Result<Self, &'static str> {
        let key = key.into();
        if key.len() < 16 {
            return Err("a feed key must be at least 16 bytes");
        }
        Ok(Self {
            partner: partner.to_owned(),
            key,
        })
    }

    /// The partner this key belongs to.
    pub fn partner(&self) -> &str {
        &self.partner
    }

    /// Whether two keys are the same bytes (two partners must never share one).
    pub fn same_secret(&self, other: &FeedKey) -> bool {
        self.key == other.key
    }

    fn mac(&self, domain: &str, value: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        // The partner's name and a domain are part of the input, so even a key configured twice
        // by mistake gives different pseudonyms to different partners and uses.
        for part in [self.partner.as_str(), domain, value] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac.finalize().into_bytes().into()
    }

    /// The partner's pseudonym of an identifier (a `person_ref`, a household or case id):
    /// 32 lower-case hex characters, the shape of a `person_ref`.
    pub fn pseudonym(&self, value: &str) -> String {
        hex::encode(&self.mac("id", value)[..16])
    }

    /// The partner's message id for a source event: a UUID (version 8) derived from the source
    /// event's id, so a re-published event carries the same `Nats-Msg-Id` and JetStream drops it.
    pub fn message_id(&self, source_event_id: &str) -> String {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.mac("msg", source_event_id)[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(bytes).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = "3f8a9c0d2b7e4f61a5c8d9e0f1a2b3c4";

    fn key(partner: &str, secret: &str) -> FeedKey {
        FeedKey::new(partner, secret.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn a_pseudonym_is_stable_for_one_partner_and_differs_between_partners() {
        let hib = key("medical-insurance", "medical-insurance-key-0001");
        let dpf = key("dpf", "dpf-feed-key-00000000001");
        assert_eq!(hib.pseudonym(PERSON), hib.pseudonym(PERSON));
        assert_ne!(hib.pseudonym(PERSON), dpf.pseudonym(PERSON));
        assert_ne!(hib.pseudonym(PERSON), PERSON);
        let p = hib.pseudonym(PERSON);
        assert_eq!(p.len(), 32);
        assert!(
            p.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn the_same_key_given_to_two_partners_still_gives_different_pseudonyms() {
        let a = key("a", "one-key-for-both-partners");
        let b = key("b", "one-key-for-both-partners");
        assert!(a.same_secret(&b));
        assert_ne!(a.pseudonym(PERSON), b.pseudonym(PERSON));
    }

    #[test]
    fn message_ids_are_uuids_derived_from_the_source_id_per_partner() {
        let a = key("a", "a-feed-key-0000000001");
        let b = key("b", "b-feed-key-0000000001");
        let source = "0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8091";
        let id = a.message_id(source);
        assert_eq!(id, a.message_id(source));
        assert_ne!(id, b.message_id(source));
        assert_ne!(id, a.message_id("0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8092"));
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 8);
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(FeedKey::new("a", b"short".to_vec()).is_err());
    }
}
