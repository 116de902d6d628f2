//! Who is acting, in the domain's terms: the principal — a token's, or the service's own for a
//! partner's fact — becomes a domain `Actor` so the state machine's guards (separation of duties,
//! delegated authority) can judge it.

use kit::{Principal, Role};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::actor::{Actor, ActorId, Office};

/// The domain actor behind a token: the id is the first 16 bytes of SHA-256 of the token's
/// subject (deterministic, so the same staff member is the same actor across requests and
/// services), the office is the caller's division at the level of the role.
pub fn actor_of(principal: &Principal) -> Actor {
    let id = actor_id(&principal.subject);
    let code = principal.division.as_str().to_owned();
    let office = match principal.role {
        Role::VillageStaff => Office::Village { code },
        Role::TownshipClerk | Role::TownshipApprover => Office::Township { code },
        Role::DistrictOfficer | Role::DistrictApprover | Role::Auditor | Role::Service => {
            Office::District
        }
    };
    Actor { id, office }
}

/// The actor id of a staff member known by their token subject (e.g. the investigators named in a
/// request): the first 16 bytes of SHA-256 of the subject.
pub fn actor_id(subject: &str) -> ActorId {
    let digest = Sha256::digest(subject.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    ActorId(Uuid::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use kit::identity::DivisionCode;

    use super::*;

    fn principal(subject: &str, role: Role, division: &str) -> Principal {
        Principal {
            subject: subject.into(),
            role,
            division: DivisionCode::parse(division).unwrap(),
        }
    }

    #[test]
    fn the_same_subject_is_always_the_same_actor_and_different_subjects_differ() {
        let a = actor_of(&principal("clerk-1", Role::TownshipClerk, "500112001"));
        let again = actor_of(&principal("clerk-1", Role::TownshipApprover, "500112001"));
        let b = actor_of(&principal("clerk-2", Role::TownshipClerk, "500112001"));
        assert_eq!(a.id, again.id);
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn the_office_follows_the_level_of_the_role() {
        let cases = [
            (
                Role::VillageStaff,
                "500112001001",
                Office::Village {
                    code: "500112001001".into(),
                },
            ),
            (
                Role::TownshipClerk,
                "500112001",
                Office::Township {
                    code: "500112001".into(),
                },
            ),
            (
                Role::TownshipApprover,
                "500112002",
                Office::Township {
                    code: "500112002".into(),
                },
            ),
            (Role::DistrictOfficer, "500112", Office::District),
            (Role::DistrictApprover, "500112", Office::District),
            (Role::Auditor, "500112", Office::District),
            (Role::Service, "500112", Office::District),
        ];
        for (role, division, office) in cases {
            assert_eq!(
                actor_of(&principal("x", role, division)).office,
                office,
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_id_is_the_first_sixteen_bytes_of_the_sha256_of_the_subject() {
        let actor = actor_of(&principal("abc", Role::DistrictOfficer, "500112"));
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 ...
        assert_eq!(
            actor.id.0.to_string(),
            "ba7816bf-8f01-cfea-4141-40de5dae2223"
        );
    }
}
