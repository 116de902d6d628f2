//! The refusals the edge itself can give an operation, added to every operation's documented
//! responses, and every error response documented as `application/problem+json` — what the edge
//! actually sends. A handler documents the answers of its own rules (404, 409, …); this adds the
//! ones that come from the kit whatever the handler: authentication, the JSON and query
//! extractors, the body limit, `If-Match`, `Idempotency-Key`, and the database being away.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        Components, OpenApi, Ref, RefOr,
        content::Content,
        path::{Operation, ParameterIn},
        response::Response,
    },
};

use super::problem::Problem;

/// The media type of every refusal.
pub const PROBLEM_JSON: &str = "application/problem+json";

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
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            document(operation, in_path);
        }
    }
}

fn document(op: &mut Operation, in_path: bool) {
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
    let mut refusals: Vec<(u16, &str)> = vec![
        (500, "Internal error (problem+json)"),
        (
            503,
            "The database or NATS did not answer; try again (problem+json)",
        ),
    ];
    if secured {
        refusals.push((401, "No valid bearer token (problem+json)"));
        refusals.push((
            403,
            "The caller's role or division may not do this (problem+json)",
        ));
    }
    if body || query || in_path || header("idempotency-key") {
        refusals.push((400, "Malformed request (problem+json)"));
        refusals.push((
            422,
            "Invalid fields, each named with its reason (problem+json)",
        ));
    }
    if body {
        refusals.push((413, "The body is larger than the limit (problem+json)"));
        refusals.push((415, "The body is not JSON (problem+json)"));
    }
    if in_path {
        refusals.push((404, "Not found in the caller's division (problem+json)"));
    }
    if header("if-match") {
        refusals.push((412, "Changed since the version in If-Match (problem+json)"));
        refusals.push((428, "If-Match is required (problem+json)"));
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
}
