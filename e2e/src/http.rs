//! Calls on the services' REST edges as any client makes them: bearer token, `Idempotency-Key` on
//! creating writes, `If-Match` on updates; each call narrated (method, service, path, status).

use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::Mesh;

/// A response: status, `ETag` (empty when absent) and JSON body (`Null` when there is none).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub etag: String,
    pub body: Value,
}

fn short(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

impl Mesh {
    async fn send(
        &self,
        method: Method,
        service: &str,
        path: &str,
        build: impl FnOnce(RequestBuilder) -> RequestBuilder,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.url(service)));
        req = build(req);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {service}{path}: {e}"));
        let status = r.status().as_u16();
        let etag = r
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = r.json().await.unwrap_or(Value::Null);
        if method != Method::GET {
            self.trace(format!("  ← {status} {}", short(&body, 240)));
        }
        Answer { status, etag, body }
    }

    /// GET on a service; status and JSON body.
    pub async fn get(&self, service: &str, path: &str, token: &str) -> (u16, Value) {
        let a = self.get_tagged(service, path, token).await;
        (a.status, a.body)
    }

    /// GET without credentials, the body as text (`/metrics`, `/readyz`).
    pub async fn get_text(&self, service: &str, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.url(service)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {service}{path}: {e}"));
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// GET with the `ETag`.
    pub async fn get_tagged(&self, service: &str, path: &str, token: &str) -> Answer {
        let token = token.to_owned();
        self.send(
            Method::GET,
            service,
            path,
            move |r| r.bearer_auth(token),
            None,
        )
        .await
    }

    /// POST JSON with a fresh Idempotency-Key; status and JSON body.
    pub async fn post(&self, service: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let key = uuid::Uuid::now_v7().to_string();
        let a = self.post_with_key(service, path, token, &key, body).await;
        (a.status, a.body)
    }

    /// POST JSON with a chosen Idempotency-Key (a retry sends the same key).
    pub async fn post_with_key(
        &self,
        service: &str,
        path: &str,
        token: &str,
        key: &str,
        body: &Value,
    ) -> Answer {
        self.trace_request("POST", service, path, body);
        let (token, key) = (token.to_owned(), key.to_owned());
        self.send(
            Method::POST,
            service,
            path,
            move |r| r.bearer_auth(token).header("Idempotency-Key", key),
            Some(body),
        )
        .await
    }

    /// POST JSON with `If-Match` (an update of a resource read with its `ETag`) and a fresh
    /// Idempotency-Key (ignored by routes that do not take one).
    pub async fn post_if_match(
        &self,
        service: &str,
        path: &str,
        token: &str,
        etag: &str,
        body: &Value,
    ) -> Answer {
        self.trace_request("POST", service, path, body);
        let (token, etag) = (token.to_owned(), etag.to_owned());
        let key = uuid::Uuid::now_v7().to_string();
        self.send(
            Method::POST,
            service,
            path,
            move |r| {
                r.bearer_auth(token)
                    .header("If-Match", etag)
                    .header("Idempotency-Key", key)
            },
            Some(body),
        )
        .await
    }

    /// PUT JSON, with `If-Match` when given.
    pub async fn put(
        &self,
        service: &str,
        path: &str,
        token: &str,
        etag: Option<&str>,
        body: &Value,
    ) -> Answer {
        self.trace_request("PUT", service, path, body);
        let (token, etag) = (token.to_owned(), etag.map(str::to_owned));
        self.send(
            Method::PUT,
            service,
            path,
            move |r| {
                let r = r.bearer_auth(token);
                match etag {
                    Some(e) => r.header("If-Match", e),
                    None => r,
                }
            },
            Some(body),
        )
        .await
    }

    /// Reads a resource and posts an update to `path` with its `ETag`; panics unless 2xx.
    pub async fn update(
        &self,
        service: &str,
        resource: &str,
        path: &str,
        token: &str,
        body: &Value,
    ) -> Value {
        let current = self.get_tagged(service, resource, token).await;
        assert_eq!(
            current.status, 200,
            "GET {service}{resource}: {}",
            current.body
        );
        let a = self
            .post_if_match(service, path, token, &current.etag, body)
            .await;
        assert!(
            (200..300).contains(&a.status),
            "POST {service}{path}: {} {}",
            a.status,
            a.body
        );
        a.body
    }

    /// Reads `resource` and PUTs `body` to `path` with its `ETag`; panics unless 2xx.
    pub async fn replace(
        &self,
        service: &str,
        resource: &str,
        path: &str,
        token: &str,
        body: &Value,
    ) -> Value {
        let current = self.get_tagged(service, resource, token).await;
        assert_eq!(
            current.status, 200,
            "GET {service}{resource}: {}",
            current.body
        );
        let a = self
            .put(service, path, token, Some(&current.etag), body)
            .await;
        assert!(
            (200..300).contains(&a.status),
            "PUT {service}{path}: {} {}",
            a.status,
            a.body
        );
        a.body
    }

    /// POSTs and panics unless the answer is 2xx; returns the body.
    pub async fn create(&self, service: &str, path: &str, token: &str, body: &Value) -> Value {
        let (status, v) = self.post(service, path, token, body).await;
        assert!(
            (200..300).contains(&status),
            "POST {service}{path}: {status} {v}"
        );
        v
    }

    /// Every item of a list: a cursor-paginated page (`items`, `next_cursor`) followed to its end,
    /// or a plain JSON array.
    pub async fn list_all(&self, service: &str, path: &str, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=200&cursor={c}"),
                None => format!("{path}{sep}limit=200"),
            };
            let (status, page) = self.get(service, &url, token).await;
            assert_eq!(status, 200, "GET {service}{url}: {page}");
            if let Value::Array(items) = page {
                return items;
            }
            out.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return out,
            }
        }
    }

    fn trace_request(&self, method: &str, service: &str, path: &str, body: &Value) {
        self.trace(format!("→ {method} {service} {path} {}", short(body, 240)));
    }
}
