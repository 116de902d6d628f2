//! Bearer-token authentication with role and division scope. Locally tokens are signed with a
//! development secret (HS256); in production only the identity provider's public keys verify.

use std::{str::FromStr, sync::Arc};

use axum::{extract::FromRequestParts, http::request::Parts};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::Problem;
use crate::{
    config::AuthConfig,
    identity::{DivisionCode, DivisionLevel},
};

/// Roles of the bureau's staff, plus `service` for machine callers (other services, partners'
/// claim-check reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    VillageStaff,
    TownshipClerk,
    TownshipApprover,
    DistrictOfficer,
    DistrictApprover,
    Auditor,
    Service,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::VillageStaff,
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
        Role::Auditor,
        Role::Service,
    ];

    /// The division level a holder of this role works at.
    pub fn level(self) -> DivisionLevel {
        match self {
            Role::VillageStaff => DivisionLevel::Village,
            Role::TownshipClerk | Role::TownshipApprover => DivisionLevel::Township,
            Role::DistrictOfficer | Role::DistrictApprover | Role::Auditor | Role::Service => {
                DivisionLevel::District
            }
        }
    }

    /// The claim value (`township-clerk`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::VillageStaff => "village-staff",
            Role::TownshipClerk => "township-clerk",
            Role::TownshipApprover => "township-approver",
            Role::DistrictOfficer => "district-officer",
            Role::DistrictApprover => "district-approver",
            Role::Auditor => "auditor",
            Role::Service => "service",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s}"))
    }
}

/// The token's claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub division: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The staff member's (or service's) identifier in the identity provider.
    pub subject: String,
    pub role: Role,
    pub division: DivisionCode,
}

impl Principal {
    /// The service's own principal for work no staff member asked for — a partner's fact, a
    /// scheduled run — named `subject` in the audit trail (`partner:civil-registry`,
    /// `minor-protection:supervision`), with the district's reach. The one way both edges name
    /// the system as an actor.
    pub fn system(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            role: Role::Service,
            division: DivisionCode::parse(crate::divisions::YUBEI).expect("the district code"),
        }
    }

    /// Refuses unless the caller holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), crate::Refusal> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(crate::Refusal::forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }

    /// Refuses unless the record's division lies within the caller's.
    pub fn require_scope(&self, division: &str) -> Result<(), crate::Refusal> {
        if self.division.contains_code(division) {
            Ok(())
        } else {
            Err(crate::Refusal::forbidden(
                "the record lies outside your division",
            ))
        }
    }

    /// Whether the record's division lies within the caller's.
    pub fn sees(&self, division: &str) -> bool {
        self.division.contains_code(division)
    }

    /// Key for per-caller state (idempotency keys).
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.subject, self.role.as_str(), self.division)
    }
}

/// Verifies tokens.
pub struct Verifier {
    keys: Vec<DecodingKey>,
    validation: Validation,
}

impl Verifier {
    /// From configuration: the development secret, or the identity provider's public keys.
    pub fn from_config(config: &AuthConfig) -> Result<Self, String> {
        match config {
            AuthConfig::DevSecret(secret) => {
                let mut validation = Validation::new(Algorithm::HS256);
                validation.validate_aud = false;
                let key = DecodingKey::from_secret(secret.as_bytes()).map_err(|e| e.to_string())?;
                Ok(Self {
                    keys: vec![key],
                    validation,
                })
            }
            AuthConfig::PublicKeys {
                pem,
                issuer,
                audience,
            } => {
                let mut keys = Vec::new();
                let mut algorithms = Vec::new();
                for p in pem {
                    let (key, algs) = if let Ok(k) = DecodingKey::from_rsa_pem(p.as_bytes()) {
                        (
                            k,
                            vec![Algorithm::RS256, Algorithm::RS384, Algorithm::RS512],
                        )
                    } else if let Ok(k) = DecodingKey::from_ec_pem(p.as_bytes()) {
                        (k, vec![Algorithm::ES256, Algorithm::ES384])
                    } else if let Ok(k) = DecodingKey::from_ed_pem(p.as_bytes()) {
                        (k, vec![Algorithm::EdDSA])
                    } else {
                        return Err("a public key is not an RSA, EC or Ed25519 PEM".into());
                    };
                    keys.push(key);
                    algorithms.extend(algs);
                }
                let mut validation = Validation::new(algorithms[0]);
                validation.algorithms = algorithms;
                if let Some(iss) = issuer {
                    validation.set_issuer(&[iss]);
                }
                match audience {
                    Some(aud) => validation.set_audience(&[aud]),
                    None => validation.validate_aud = false,
                }
                Ok(Self { keys, validation })
            }
        }
    }

    /// Checks signature, expiry, role and the division's level.
    pub fn verify(&self, token: &str) -> Result<Principal, Problem> {
        let header = decode_header(token)
            .map_err(|_| Problem::unauthorized("the bearer token is malformed"))?;
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(Problem::unauthorized(
                "the token's algorithm is not accepted",
            ));
        }
        let claims = self
            .keys
            .iter()
            .find_map(|k| decode::<Claims>(token, k, &self.validation).ok())
            .ok_or_else(|| Problem::unauthorized("the bearer token is invalid or expired"))?
            .claims;
        let division = DivisionCode::parse(&claims.division)
            .map_err(|e| Problem::unauthorized(format!("the token's division: {e}")))?;
        if division.level() != claims.role.level() {
            return Err(Problem::forbidden(format!(
                "the {} role works at {:?} level, the token's division is {:?}",
                claims.role.as_str(),
                claims.role.level(),
                division.level()
            )));
        }
        Ok(Principal {
            subject: claims.sub,
            role: claims.role,
            division,
        })
    }
}

/// Signs a development token (HS256). For the launcher, tests and the demo; never accepted where
/// the identity provider's keys are configured.
pub fn dev_token(
    secret: &str,
    subject: &str,
    role: Role,
    division: &str,
    ttl: chrono::Duration,
) -> String {
    let claims = Claims {
        sub: subject.to_owned(),
        role,
        division: division.to_owned(),
        exp: (chrono::Utc::now() + ttl).timestamp(),
        iss: None,
        aud: None,
    };
    let key = EncodingKey::from_secret(secret.as_bytes()).expect("any secret is an HS256 key");
    encode(&Header::new(Algorithm::HS256), &claims, &key).expect("HS256 signing cannot fail")
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let verifier = parts
            .extensions
            .get::<Arc<Verifier>>()
            .cloned()
            .ok_or_else(Problem::internal)?;
        let value = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| Problem::unauthorized("send Authorization: Bearer <token>"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Problem::unauthorized("the Authorization header must be a Bearer token")
            })?;
        verifier.verify(token.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        Verifier::from_config(&AuthConfig::DevSecret("s3cret".into())).unwrap()
    }

    #[test]
    fn a_valid_development_token_yields_the_principal() {
        let t = dev_token(
            "s3cret",
            "clerk-1",
            Role::TownshipClerk,
            "500112016",
            chrono::Duration::minutes(5),
        );
        let p = verifier().verify(&t).unwrap();
        assert_eq!(p.role, Role::TownshipClerk);
        assert!(p.sees("500112016001") && !p.sees("500112017001"));
    }

    #[test]
    fn wrong_secret_expired_and_garbage_tokens_are_refused() {
        let wrong = dev_token(
            "other",
            "x",
            Role::Auditor,
            "500112",
            chrono::Duration::minutes(5),
        );
        let expired = dev_token(
            "s3cret",
            "x",
            Role::Auditor,
            "500112",
            chrono::Duration::minutes(-5),
        );
        for t in [wrong.as_str(), expired.as_str(), "not-a-token"] {
            assert_eq!(verifier().verify(t).unwrap_err().status, 401, "{t}");
        }
    }

    #[test]
    fn a_role_at_the_wrong_level_is_refused() {
        let t = dev_token(
            "s3cret",
            "x",
            Role::DistrictApprover,
            "500112016",
            chrono::Duration::minutes(5),
        );
        assert_eq!(verifier().verify(&t).unwrap_err().status, 403);
    }
}
