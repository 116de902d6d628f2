//! The API reference pages in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs) opens each service's root URL of the running mesh, follows the redirect to
//! `/docs/`, runs the page's scripts and renders the service's document — with every host name
//! but 127.0.0.1 unresolvable, so the page can only work if it needs nothing beyond the service.
//! Every operation of the document must be on the rendered page, and the page links the partner
//! agencies' contracts, which open the same way (the AsyncAPI renderer's pages, served by the service).

use std::process::Command;

use e2e::{Mesh, SERVICES};
use serde_json::Value;

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// The DOM of `url` after its scripts ran.
fn rendered(url: &str, profile: &std::path::Path) -> String {
    rendered_with_console(url, profile).0
}

/// The DOM of `url` after its scripts ran, and what the page wrote to the browser's console.
fn rendered_with_console(url: &str, profile: &std::path::Path) -> (String, String) {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--enable-logging=stderr",
            "--v=0",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "running {} ({e}): the browser test needs Debian's chromium package \
                 (.ci/run installs it; CHROMIUM names another binary)",
                chromium()
            )
        });
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE"))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[tokio::test]
async fn each_service_root_opens_an_offline_api_reference_showing_every_operation() {
    let mesh = Mesh::start().await;
    let profile = tempfile::tempdir().expect("a browser profile");
    for service in SERVICES {
        let base = mesh.url(service);
        let document: Value = mesh
            .http
            .get(format!("{base}/openapi.json"))
            .send()
            .await
            .expect("openapi.json")
            .json()
            .await
            .expect("JSON");
        let dom = rendered(&format!("{base}/"), profile.path());
        assert!(
            dom.contains(&format!(">{service}<")) || dom.contains(service),
            "{service}: the page does not show the service's title"
        );
        let mut missing = Vec::new();
        for item in document["paths"].as_object().expect("paths").values() {
            for operation in item.as_object().expect("a path item").values() {
                let id = operation["operationId"].as_str().expect("an operationId");
                if !dom.contains(&format!(">{id}<")) {
                    missing.push(id.to_owned());
                }
            }
        }
        assert!(
            missing.is_empty(),
            "{service}: operations missing from the rendered reference: {missing:?}"
        );
        assert!(
            dom.contains("Authorize"),
            "{service}: no way to paste a token"
        );
        assert!(
            dom.contains("href=\"/partners/\""),
            "{service}: the reference does not link the partner agencies' contracts"
        );
    }
}

/// Every agency's contract, as a service serves it: the list the references link, then each page
/// rendered by the AsyncAPI renderer in the browser (its bundle served by the service, nothing
/// else reachable) shows every subject of the agency's document, with no script error.
#[tokio::test]
async fn each_partner_agency_s_contract_page_opens_offline_from_a_service() {
    let mesh = Mesh::start().await;
    let profile = tempfile::tempdir().expect("a browser profile");
    let base = mesh.url("aid-applications");
    let list = rendered(&format!("{base}/partners/"), profile.path());
    for contract in &kit::edge::partners::CONTRACTS {
        let page = format!("/partners/{}.html", contract.agency);
        assert!(list.contains(&page), "the list does not link {page}");
        let (dom, console) = rendered_with_console(&format!("{base}{page}"), profile.path());
        let doc: serde_json::Value =
            serde_yaml_ng::from_str(contract.yaml).expect("the contract is YAML");
        for address in doc["channels"].as_object().expect("channels").keys() {
            assert!(
                dom.contains(address.as_str()),
                "{page} does not show {address}"
            );
        }
        assert!(
            dom.contains("Expand all"),
            "{page}: no payload to open (not the renderer's page?)"
        );
        assert!(
            !console.contains("Uncaught") && !console.to_lowercase().contains("hydrat"),
            "{page}: the renderer failed in the browser:\n{console}"
        );
    }
}
