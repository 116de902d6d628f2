//! Every service writes one access-log line per request — method, route template, status,
//! latency — with the trace id the caller sent in `traceparent`; the raw path, which may hold an
//! identifier, is never logged.

use e2e::{Mesh, MeshOptions, SERVICES};
use kit::{
    Role,
    testing::{NatsServer, eventually},
};
use std::time::Duration;

#[tokio::test]
async fn each_request_is_logged_once_by_route_template_with_its_trace_id() {
    // The harness keeps the services' logs to warnings; the access log is asked for.
    let mesh = Mesh::start_with(
        NatsServer::start().await,
        MeshOptions {
            env: vec![
                ("RUST_LOG".into(), "warn,access=info".into()),
                ("LOG_FORMAT".into(), "json".into()),
            ],
            ..MeshOptions::default()
        },
    )
    .await;
    let officer = Mesh::token(Role::DistrictOfficer, "500112");
    for service in SERVICES {
        let trace_id = format!("{:032x}", uuid::Uuid::now_v7().as_u128());
        let missing = uuid::Uuid::now_v7();
        let answer = mesh
            .http
            .get(format!("{}/v1/dead-letters/{missing}", mesh.url(service)))
            .bearer_auth(&officer)
            .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let line: serde_json::Value = eventually(
            &format!("{service} logs the request"),
            Duration::from_secs(10),
            || async {
                mesh.log(service)
                    .lines()
                    .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                    .find(|l| l["target"] == "access" && l["trace_id"] == trace_id.as_str())
            },
        )
        .await;
        assert_eq!(line["route"], "/v1/dead-letters/{id}", "{service}: {line}");
        assert_eq!(line["method"], "GET", "{service}: {line}");
        assert_eq!(line["status"], status, "{service}: {line}");
        assert!(line["latency_ms"].is_number(), "{service}: {line}");
        assert!(
            !line.to_string().contains(&missing.to_string()),
            "{service} logged the raw path: {line}"
        );
    }
}
