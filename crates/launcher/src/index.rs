//! The mesh's front page, served by the launcher: the six services with their API reference
//! pages, and the AsyncAPI document rendered for reading — every subject, who publishes it, who
//! consumes it, which partner agencies get a feed of it, and its payload's fields from the
//! subject's JSON Schema. Everything is rendered here from the documents in `schemas/` (embedded at
//! compile time); the page loads nothing from anywhere.

use std::fmt::Write;

use axum::{
    Router,
    http::header,
    response::{Html, IntoResponse},
    routing::get,
};
use serde_json::Value;

/// The AsyncAPI document, as `schemas/asyncapi.yaml` holds it.
pub const ASYNCAPI: &str = include_str!("../../../schemas/asyncapi.yaml");

/// The front page's routes: `/` (the page) and `/asyncapi.yaml` (the document itself).
pub fn router(services: &[(&str, u16)]) -> anyhow::Result<Router> {
    let page = page(services)?;
    Ok(Router::new()
        .route("/", get(move || async move { Html(page.clone()) }))
        .route(
            "/asyncapi.yaml",
            get(|| async { ([(header::CONTENT_TYPE, "application/yaml")], ASYNCAPI) }),
        )
        .merge(kit::edge::partners::routes())
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "no such page").into_response() }))
}

/// The front page's HTML.
pub fn page(services: &[(&str, u16)]) -> anyhow::Result<String> {
    let doc: Value = serde_yaml_ng::from_str(ASYNCAPI)?;
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>Minzheng Mesh — 民政服务网格</title><style>\
         body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem;color:#222}\
         table{border-collapse:collapse;margin:.4rem 0 1rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;\
         text-align:left;vertical-align:top}th{background:#f3f3f3}code{font-size:.92em}\
         section.channel{border-top:1px solid #ddd;padding-top:.4rem}.meta{color:#555}\
         </style></head><body>\n<h1>Minzheng Mesh — 民政服务网格</h1>\n",
    );
    html.push_str(
        "<p>Six services of the district civil-affairs bureau, each with its REST edge and \
         interactive API reference (paste a development token the launcher printed under \
         <em>Authorize</em>), and the events they publish over NATS JetStream.</p>\n\
         <h2 id=\"services\">Services</h2>\n<table><tr><th>service</th><th>API reference</th>\
         <th>OpenAPI document</th><th>readiness</th></tr>\n",
    );
    for (name, port) in services {
        let base = format!("http://127.0.0.1:{port}");
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td><a href=\"{base}/docs/\">{base}/docs/</a></td>\
             <td><a href=\"{base}/openapi.json\">openapi.json</a></td>\
             <td><a href=\"{base}/readyz\">readyz</a></td></tr>",
            name = escape(name),
        );
    }
    html.push_str("</table>\n");
    html.push_str("<h2 id=\"partners\">Partner agencies</h2>\n");
    html.push_str(kit::edge::partners::LIST_INTRO);
    kit::edge::partners::list(&mut html);
    events(&doc, &mut html);
    html.push_str("</body></html>\n");
    Ok(html)
}

fn events(doc: &Value, html: &mut String) {
    let info = &doc["info"];
    let _ = writeln!(
        html,
        "<h2 id=\"events\">Events — {} {}</h2>\n<p class=\"meta\">The whole document: \
         <a href=\"/asyncapi.yaml\">asyncapi.yaml</a> (AsyncAPI {}).</p>",
        escape(text(&info["title"])),
        escape(text(&info["version"])),
        escape(text(&doc["asyncapi"])),
    );
    for paragraph in text(&info["description"]).split("\n\n") {
        let _ = writeln!(html, "<p>{}</p>", escape(paragraph));
    }
    if let Some(servers) = doc["servers"].as_object() {
        html.push_str("<h3>Servers</h3>\n<table><tr><th>name</th><th>host</th><th>protocol</th><th>about</th></tr>\n");
        for (name, server) in servers {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(text(&server["host"])),
                escape(text(&server["protocol"])),
                escape(text(&server["description"])),
            );
        }
        html.push_str("</table>\n");
    }
    let Some(channels) = doc["channels"].as_object() else {
        return;
    };
    html.push_str("<h3>Subjects</h3>\n<ul>\n");
    for address in channels.keys() {
        let _ = writeln!(
            html,
            "<li><a href=\"#{a}\"><code>{a}</code></a></li>",
            a = escape(address)
        );
    }
    html.push_str("</ul>\n");
    for (address, channel) in channels {
        let _ = writeln!(
            html,
            "<section class=\"channel\" id=\"{a}\"><h3><code>{a}</code></h3>",
            a = escape(address)
        );
        for paragraph in text(&channel["description"]).split("\n\n") {
            let _ = writeln!(html, "<p>{}</p>", escape(paragraph));
        }
        let list = |v: &Value| {
            let names: Vec<&str> = v
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        };
        let _ = writeln!(
            html,
            "<p class=\"meta\">published by <strong>{}</strong>; consumed by {}; partner feeds: {}; \
             personal data: {}</p>",
            escape(text(&channel["x-producer"])),
            escape(&list(&channel["x-consumers"])),
            escape(&list(&channel["x-partner-feed"])),
            escape(text(&channel["x-personal-data"])),
        );
        match contracts::schema(address) {
            Some(schema) => fields(schema, html),
            None => html.push_str("<p>(no schema)</p>\n"),
        }
        html.push_str("</section>\n");
    }
}

/// The payload's top-level fields: name, type, whether required, description.
fn fields(schema: &Value, html: &mut String) {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    html.push_str(
        "<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>\n",
    );
    for (name, property) in properties {
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&type_of(property)),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                ""
            },
            escape(text(&property["description"])),
        );
    }
    html.push_str("</table>\n");
}

/// A property's type as a reader wants it: `string (date)`, `array of object`, `enum: a | b`,
/// or the shared definition it refers to.
fn type_of(p: &Value) -> String {
    if let Some(r) = p["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(values) = p["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        return format!("enum: {}", values.join(" | "));
    }
    if let Some(c) = p.get("const") {
        return format!(
            "const: {}",
            c.as_str().map_or_else(|| c.to_string(), str::to_owned)
        );
    }
    let base = match &p["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => {
            if let Some(any) = p["oneOf"].as_array().or_else(|| p["anyOf"].as_array()) {
                return any.iter().map(type_of).collect::<Vec<_>>().join(" or ");
            }
            "any".to_owned()
        }
    };
    if base == "array" {
        return format!("array of {}", type_of(&p["items"]));
    }
    match p["format"].as_str() {
        Some(f) => format!("{base} ({f})"),
        None => base,
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_every_service_and_every_subject_with_its_payload_fields() {
        let html = page(&[("aid-applications", 8081), ("elderly-care", 8084)]).unwrap();
        assert!(html.contains("http://127.0.0.1:8081/docs/"));
        assert!(html.contains("http://127.0.0.1:8084/openapi.json"));
        let doc: Value = serde_yaml_ng::from_str(ASYNCAPI).unwrap();
        let channels = doc["channels"].as_object().unwrap();
        assert!(channels.len() > 20);
        for address in channels.keys() {
            assert!(
                html.contains(&format!("id=\"{address}\"")),
                "{address} is not on the page"
            );
        }
        // A payload's fields, from the subject's schema.
        let schema = contracts::schema("aid.application.decided.v1").unwrap();
        for field in schema["properties"].as_object().unwrap().keys() {
            assert!(html.contains(&format!("<code>{field}</code>")), "{field}");
        }
    }

    #[test]
    fn text_from_the_documents_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
