//! Completing a service's OpenAPI document with what the kit knows and the handlers do not say.
//!
//! - The refusals the edge itself can give an operation, added to every operation's documented
//!   responses, and every error response documented as `application/problem+json` — what the
//!   edge actually sends. A handler documents the answers of its own rules (404, 409, …); this
//!   adds the ones that come from the kit whatever the handler: authentication, the JSON and query
//!   extractors, the body limit, `If-Match`, `Idempotency-Key`, and the database being away.
//! - The document's `info` (the service's name, version and description with the project's
//!   contact and licence), the `bearer` security scheme with the claims the edge reads, a
//!   description on every response, and the rules the edge enforces on `Idempotency-Key` and
//!   `If-Match` written into their schemas, and an example on every request body
//!   ([`super::examples`]).

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        Components, ContactBuilder, Info, LicenseBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Type,
        content::Content,
        path::{Operation, ParameterIn},
        response::Response,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::problem::Problem;

/// The media type of every refusal.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Who answers for the project, in every document's `info.contact` (as in the AsyncAPI document).
pub const CONTACT: (&str, &str, &str) = (
    "Minzheng Mesh maintainers",
    "https://minzheng.invalid/mesh",
    "mesh@minzheng.invalid",
);

/// The name of the security scheme every guarded operation requires.
pub const BEARER: &str = "bearer";

/// The service's document before its routes are added, its `info` taken from the calling crate:
/// `OpenApiRouter::with_openapi(kit::api_document!())`.
#[macro_export]
macro_rules! api_document {
    () => {
        $crate::edge::openapi::document(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_DESCRIPTION"),
        )
    };
}

/// An empty document with the service's `info` (see [`api_document!`]).
pub fn document(name: &str, version: &str, description: &str) -> OpenApi {
    let mut api = OpenApi::default();
    api.info = Info::new(name, version);
    if !description.is_empty() {
        api.info.description = Some(format!(
            "{description}.\n\nPart of Minzheng Mesh. Every call but the health, metrics and \
             document routes needs a bearer token (see the `bearer` scheme); errors are \
             `application/problem+json` naming the fields at fault.\n\nThe services talk over NATS; \
             what each partner agency receives and publishes is in its own contract: \
             [partner agencies](/partners/)."
        ));
    }
    api
}

/// The body of a write that has nothing to return: JSON `null` (`body = kit::edge::openapi::Null`).
pub struct Null;

impl PartialSchema for Null {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Null)
            .description(Some("Nothing to return"))
            .into()
    }
}

impl ToSchema for Null {}

/// Completes the document of `service` as served (see the module): `info`, the security scheme,
/// the edge's own refusals, the descriptions of responses and the header rules.
pub fn finish(api: &mut OpenApi, service: &str) {
    api.info.title = service.to_owned();
    if api
        .info
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("Utoipa"))
    {
        // A router built without `api_document!` carries utoipa-axum's own package data.
        api.info.description = None;
        api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    }
    let (name, url, email) = CONTACT;
    api.info.contact = Some(
        ContactBuilder::new()
            .name(Some(name))
            .url(Some(url))
            .email(Some(email))
            .build(),
    );
    api.info.license = Some(
        LicenseBuilder::new()
            .name(env!("CARGO_PKG_LICENSE"))
            .identifier(Some(env!("CARGO_PKG_LICENSE")))
            .build(),
    );
    let components = api.components.get_or_insert_with(Components::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "A JWT the edge verifies (RS256 keys of the bureau's identity provider in \
                     production; HS256 with the development secret locally, as the launcher \
                     prints). Claims: `sub` (the staff member or service), `role` (one of \
                     `village-staff`, `township-clerk`, `township-approver`, \
                     `district-officer`, `district-approver`, `auditor`, `service`), `division` \
                     (the caller's area: 6 digits for the district, 9 for a township, 12 for a \
                     village; every query is scoped to it), `exp`; `iss` and `aud` when \
                     configured.",
                ))
                .build(),
        ),
    );
    document_problems(api);
    super::examples::exemplify_requests(api);
    for item in api.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            describe_responses(operation);
            constrain_headers(operation);
        }
    }
}

/// The operations of a path item (the methods the services route: GET, PUT, POST, DELETE, PATCH).
pub(crate) fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

/// A response a handler documented without a description gets the edge's words for its status.
fn describe_responses(op: &mut Operation) {
    for (status, response) in &mut op.responses.responses {
        if let RefOr::T(response) = response
            && response.description.trim().is_empty()
        {
            response.description = describe(status).to_owned();
        }
    }
}

/// The description of a status where the handler gave none.
fn describe(status: &str) -> &'static str {
    match status {
        "200" => "The answer",
        "201" => "Created; a retry with the same Idempotency-Key answers the same",
        "202" => "Accepted",
        "204" => "Done; nothing to return",
        "400" => MALFORMED,
        "401" => UNAUTHENTICATED,
        "403" => FORBIDDEN,
        "404" => NOT_FOUND,
        "409" => "In conflict with the record's state or another request (problem+json)",
        "412" => PRECONDITION,
        "413" => TOO_LARGE,
        "415" => NOT_JSON,
        "422" => INVALID,
        "428" => IF_MATCH_REQUIRED,
        "500" => INTERNAL,
        "503" => UNAVAILABLE,
        s if s.starts_with('2') => "Success",
        s if s.starts_with('4') => "Refused (problem+json)",
        _ => "Failed (problem+json)",
    }
}

const MALFORMED: &str = "Malformed request (problem+json)";
const UNAUTHENTICATED: &str = "No valid bearer token (problem+json)";
const FORBIDDEN: &str = "The caller's role or division may not do this (problem+json)";
const NOT_FOUND: &str = "Not found in the caller's division (problem+json)";
const PRECONDITION: &str = "Changed since the version in If-Match (problem+json)";
const TOO_LARGE: &str = "The body is larger than the limit (problem+json)";
const NOT_JSON: &str = "The body is not JSON (problem+json)";
const INVALID: &str = "Invalid fields, each named with its reason (problem+json)";
const IF_MATCH_REQUIRED: &str = "If-Match is required (problem+json)";
const INTERNAL: &str = "Internal error (problem+json)";
const UNAVAILABLE: &str = "The database or NATS did not answer; try again (problem+json)";

/// The rules [`super::idempotency`] and [`super::concurrency`] enforce on their headers, in the
/// headers' schemas.
fn constrain_headers(op: &mut Operation) {
    for parameter in op.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if !matches!(parameter.parameter_in, ParameterIn::Header) {
            continue;
        }
        let schema = match parameter.name.to_ascii_lowercase().as_str() {
            "idempotency-key" => ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some(super::idempotency::KEY_PATTERN))
                .description(Some(
                    "1 to 255 visible ASCII characters (a UUID is a good key), optionally in \
                     double quotes",
                )),
            "if-match" => ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(super::concurrency::ETAG_PATTERN))
                .description(Some(
                    "The ETag of the version read, as this API sends it (`\"v3\"`; a weak \
                     `W/\"v3\"` is accepted)",
                )),
            _ => continue,
        };
        parameter.schema = Some(RefOr::T(schema.into()));
    }
}

/// Documents the edge's own refusals on every operation of `api` (see the module).
pub fn document_problems(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Components::default);
    let mut schemas = vec![("Problem".to_owned(), <Problem as PartialSchema>::schema())];
    <Problem as ToSchema>::schemas(&mut schemas);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    for (path, item) in &mut api.paths.paths {
        let in_path = path.contains('{');
        for operation in operations_mut(item) {
            document_refusals(operation, in_path);
        }
    }
}

fn document_refusals(op: &mut Operation, in_path: bool) {
    let params: Vec<(String, bool)> = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) => Some((
                p.name.to_ascii_lowercase(),
                matches!(p.parameter_in, ParameterIn::Query),
            )),
            RefOr::Ref(_) => None,
        })
        .collect();
    let header = |name: &str| params.iter().any(|(n, _)| n == name);
    let query = params.iter().any(|(_, q)| *q);
    let body = op.request_body.is_some();
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut refusals: Vec<(u16, &str)> = vec![(500, INTERNAL), (503, UNAVAILABLE)];
    if secured {
        refusals.push((401, UNAUTHENTICATED));
        refusals.push((403, FORBIDDEN));
    }
    if body || query || in_path || header("idempotency-key") {
        refusals.push((400, MALFORMED));
        refusals.push((422, INVALID));
    }
    if body {
        refusals.push((413, TOO_LARGE));
        refusals.push((415, NOT_JSON));
    }
    if in_path {
        refusals.push((404, NOT_FOUND));
    }
    if header("if-match") {
        refusals.push((412, PRECONDITION));
        refusals.push((428, IF_MATCH_REQUIRED));
    }
    if header("idempotency-key") {
        refusals.push((
            409,
            "The Idempotency-Key was used for another request, or the same one is in flight (problem+json)",
        ));
    }
    for (status, description) in refusals {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
    for (status, response) in &mut op.responses.responses {
        if let (true, RefOr::T(response)) = (status.starts_with(['4', '5']), response) {
            as_problem(response);
        }
    }
}

fn problem_content() -> RefOr<Content> {
    RefOr::T(Content::new(Some(Ref::from_schema_name("Problem"))))
}

fn problem_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response
        .content
        .insert(PROBLEM_JSON.to_owned(), problem_content());
    response
}

/// An error response documented as `application/json` (utoipa's default for `body = Problem`) is
/// sent as problem+json: documented so.
fn as_problem(response: &mut Response) {
    let json = response.content.shift_remove("application/json");
    if !response.content.contains_key(PROBLEM_JSON) {
        response.content.insert(
            PROBLEM_JSON.to_owned(),
            json.unwrap_or_else(problem_content),
        );
    }
}

/// Documents a type of `domain/` (which knows nothing of OpenAPI) with the schema of its mirror in
/// the service's `api/`: `kit::documented_as!(crate::domain::case::RiskLevel => RiskLevel)`. The
/// mirror derives `ToSchema` (and serde, for its wire names); the domain type is documented under
/// the mirror's name and schema.
#[macro_export]
macro_rules! documented_as {
    ($domain:ty => $mirror:ty) => {
        impl utoipa::PartialSchema for $domain {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <$mirror as utoipa::PartialSchema>::schema()
            }
        }
        impl utoipa::ToSchema for $domain {
            fn name() -> std::borrow::Cow<'static, str> {
                <$mirror as utoipa::ToSchema>::name()
            }
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                <$mirror as utoipa::ToSchema>::schemas(schemas)
            }
        }
    };
}

/// Holds a mirror (see [`documented_as!`]) to its domain enum: every value the mirror's schema
/// lists is one the domain type reads and writes back unchanged. For the services' tests; panics
/// naming the value that differs.
pub fn assert_same_wire_names<D, M>()
where
    D: serde::Serialize + serde::de::DeserializeOwned,
    M: PartialSchema,
{
    let schema = serde_json::to_value(M::schema()).expect("a schema is JSON");
    let values = schema["enum"].as_array().cloned().unwrap_or_default();
    assert!(!values.is_empty(), "the mirror lists no values: {schema}");
    for v in values {
        let d: D = serde_json::from_value(v.clone())
            .unwrap_or_else(|e| panic!("the domain type does not read {v}: {e}"));
        assert_eq!(serde_json::to_value(&d).expect("JSON"), v);
    }
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::{
        HttpMethod, PathItem,
        path::{OperationBuilder, ParameterBuilder, PathsBuilder},
        request_body::RequestBody,
        security::SecurityRequirement,
    };

    use super::*;

    fn api_with(path: &str, op: Operation) -> OpenApi {
        let mut api = OpenApi::default();
        api.paths = PathsBuilder::new()
            .path(path, PathItem::new(HttpMethod::Post, op))
            .build();
        api
    }

    fn statuses(api: &OpenApi, path: &str) -> Vec<String> {
        api.paths.paths[path]
            .post
            .as_ref()
            .unwrap()
            .responses
            .responses
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn a_guarded_write_documents_every_refusal_of_the_edge_as_problem_json() {
        let mut documented = Response::new("the case");
        documented.content.insert(
            "application/json".into(),
            RefOr::T(Content::new(Some(Ref::from_schema_name("Case")))),
        );
        let mut conflict = Response::new("closed");
        conflict
            .content
            .insert("application/json".into(), problem_content());
        let op = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("If-Match")
                    .parameter_in(ParameterIn::Header),
            )
            .parameter(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header),
            )
            .request_body(Some(RequestBody::new()))
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .response("200", documented)
            .response("409", conflict)
            .build();
        let mut api = api_with("/v1/cases/{id}/closure", op);
        document_problems(&mut api);
        assert_eq!(
            statuses(&api, "/v1/cases/{id}/closure"),
            [
                "200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "428", "500",
                "503"
            ]
        );
        let responses = &api.paths.paths["/v1/cases/{id}/closure"]
            .post
            .as_ref()
            .unwrap()
            .responses
            .responses;
        for (status, response) in responses {
            let RefOr::T(response) = response else {
                panic!("{status} is a reference")
            };
            let types: Vec<&String> = response.content.keys().collect();
            if status == "200" {
                assert_eq!(types, ["application/json"], "{status}");
            } else {
                assert_eq!(types, [PROBLEM_JSON], "{status}");
            }
        }
        let schemas = &api.components.as_ref().unwrap().schemas;
        assert!(schemas.contains_key("Problem") && schemas.contains_key("FieldError"));
    }

    #[test]
    fn an_open_read_without_parameters_documents_only_the_failures_of_the_server() {
        let op = OperationBuilder::new()
            .response("200", Response::new("ok"))
            .build();
        let mut api = api_with("/v1/reference", op);
        document_problems(&mut api);
        assert_eq!(statuses(&api, "/v1/reference"), ["200", "500", "503"]);
    }

    #[test]
    fn a_finished_document_declares_its_scheme_describes_every_response_and_the_header_rules() {
        let op = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header),
            )
            .security(SecurityRequirement::new(BEARER, Vec::<String>::new()))
            .response("201", Response::new(""))
            .response("401", Response::new(""))
            .build();
        let mut api = api_with("/v1/cases", op);
        api.info.description = Some("Utoipa's axum bindings for seamless integration".into());
        finish(&mut api, "minor-protection");
        assert_eq!(api.info.title, "minor-protection");
        assert_eq!(
            api.info.description, None,
            "utoipa-axum's own text is dropped"
        );
        assert_eq!(
            api.info.contact.as_ref().unwrap().name.as_deref(),
            Some(CONTACT.0)
        );
        let components = api.components.as_ref().unwrap();
        assert!(components.security_schemes.contains_key(BEARER));
        let op = api.paths.paths["/v1/cases"].post.as_ref().unwrap();
        for (status, response) in &op.responses.responses {
            let RefOr::T(response) = response else {
                panic!("{status} is a reference")
            };
            assert!(
                !response.description.is_empty(),
                "{status} has no description"
            );
        }
        let json = serde_json::to_value(op.parameters.as_ref().unwrap()).unwrap();
        assert_eq!(json[0]["schema"]["maxLength"], 255);
        assert_eq!(
            json[0]["schema"]["pattern"],
            crate::edge::idempotency::KEY_PATTERN
        );
    }

    #[test]
    fn a_service_document_carries_the_crate_s_name_version_and_description() {
        let api = crate::api_document!();
        assert_eq!(api.info.title, "kit");
        assert_eq!(api.info.version, env!("CARGO_PKG_VERSION"));
        assert!(
            api.info
                .description
                .unwrap()
                .starts_with(env!("CARGO_PKG_DESCRIPTION"))
        );
    }
}
