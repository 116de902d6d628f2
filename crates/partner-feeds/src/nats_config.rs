//! The NATS accounts and permissions of the mesh, derived from `schemas/asyncapi.yaml` (who
//! produces and consumes what) and the partner approvals, so the server's rules can never drift
//! from the contract. Rendered as nats-server 2.9 configuration (`accounts.conf`).
//!
//! - Account `MESH` holds JetStream and every mesh user: each service may publish only its own
//!   context, declare its own stream and those it consumes, and create, pull and acknowledge only
//!   the durable consumers AsyncAPI lists for it; the relay may publish only on partners' feeds.
//! - One account per partner agency: it can pull and acknowledge its own feed consumer (private
//!   service exports of `MESH`) and, if it produces facts, publish `partner.<agency>.>` with
//!   JetStream acknowledgements (a private service export too). Nothing else exists there.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write,
};

use serde::Deserialize;

use crate::{
    approvals::Approvals,
    relay::{self, INBOX_PREFIX},
};

/// The account that holds JetStream and the mesh's own users.
pub const MESH_ACCOUNT: &str = "MESH";

/// The prefix under which a partner's account sees the mesh's JetStream API (its own account has
/// no JetStream, and the server answers `$JS.API.>` there itself): a partner's client uses
/// `async_nats::jetstream::with_prefix(client, "$JS.MESH.API")`.
pub const PARTNER_JS_PREFIX: &str = "$JS.MESH.API";

/// The operators' user in `MESH`.
pub const ADMIN_USER: &str = "mesh-admin";

/// Who produces and consumes one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub subject: String,
    pub producer: String,
    pub consumers: Vec<String>,
}

#[derive(Deserialize)]
struct AsyncApi {
    channels: BTreeMap<String, RawChannel>,
}

#[derive(Deserialize)]
struct RawChannel {
    address: String,
    #[serde(rename = "x-producer")]
    producer: String,
    #[serde(rename = "x-consumers", default)]
    consumers: Vec<String>,
}

/// Reads the channels of an AsyncAPI document.
pub fn channels(asyncapi_yaml: &str) -> Result<Vec<Channel>, String> {
    let doc: AsyncApi = serde_yaml_ng::from_str(asyncapi_yaml).map_err(|e| e.to_string())?;
    Ok(doc
        .channels
        .into_values()
        .map(|c| Channel {
            subject: c.address,
            producer: c.producer,
            consumers: c.consumers,
        })
        .collect())
}

/// The account of a partner agency: `medical-insurance` → `MEDICAL_INSURANCE`.
pub fn account(agency: &str) -> String {
    agency.to_ascii_uppercase().replace('-', "_")
}

/// The configuration variable holding a user's bcrypt hash: `aid-applications` →
/// `AID_APPLICATIONS_PASSWORD` (defined in `passwords.conf`, which is not generated).
pub fn password_variable(user: &str) -> String {
    format!("{}_PASSWORD", account(user))
}

/// A user's permissions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub publish: BTreeSet<String>,
    pub subscribe: BTreeSet<String>,
}

impl Permissions {
    fn stream(&mut self, stream: &str) {
        self.publish.insert(format!("$JS.API.STREAM.INFO.{stream}"));
        self.publish
            .insert(format!("$JS.API.STREAM.CREATE.{stream}"));
    }

    /// Keep a stream as declared: update its settings (the stream's producer, see
    /// `kit::nats::ensure_stream`).
    fn keep(&mut self, stream: &str) {
        self.stream(stream);
        self.publish
            .insert(format!("$JS.API.STREAM.UPDATE.{stream}"));
    }

    /// Create, inspect, pull from and acknowledge one durable pull consumer.
    fn durable(&mut self, stream: &str, durable: &str, filter: &str) {
        self.stream(stream);
        self.publish
            .insert(format!("$JS.API.CONSUMER.INFO.{stream}.{durable}"));
        self.publish.insert(format!(
            "$JS.API.CONSUMER.CREATE.{stream}.{durable}.{filter}"
        ));
        self.publish
            .insert(format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"));
        self.publish.insert(format!("$JS.ACK.{stream}.{durable}.>"));
    }
}

/// A subject of `MESH` a partner's feed consumer is reached through.
struct FeedService {
    /// The subject in `MESH`.
    mesh: String,
    /// The subject the partner publishes to in its own account.
    local: String,
    /// A pull answers with several messages: a streamed response.
    streamed: bool,
}

fn feed_services(agency: &str) -> [FeedService; 3] {
    let stream = relay::feed_stream(agency);
    let durable = relay::partner_durable(agency);
    let api = |op: &str, streamed| FeedService {
        mesh: format!("$JS.API.CONSUMER.{op}.{stream}.{durable}"),
        local: format!("{PARTNER_JS_PREFIX}.CONSUMER.{op}.{stream}.{durable}"),
        streamed,
    };
    let ack = format!("$JS.ACK.{stream}.{durable}.>");
    [
        api("INFO", false),
        api("MSG.NEXT", true),
        FeedService {
            mesh: ack.clone(),
            local: ack,
            streamed: false,
        },
    ]
}

/// The mesh's users and their permissions, by user name.
pub fn mesh_users(
    channels: &[Channel],
    approvals: &Approvals,
) -> Result<BTreeMap<String, Permissions>, String> {
    let mut users: BTreeMap<String, Permissions> = BTreeMap::new();
    for channel in channels {
        let stream = contracts::stream_for(&channel.subject)
            .ok_or_else(|| format!("{}: no stream", channel.subject))?;
        if !channel.producer.starts_with("partner.") {
            let context = channel.subject.split('.').next().unwrap_or_default();
            let user = users.entry(channel.producer.clone()).or_default();
            user.publish.insert(format!("{context}.>"));
            user.keep(stream.name);
        }
        for consumer in &channel.consumers {
            let durable = kit::nats::durable_name(consumer, &channel.subject);
            let user = users.entry(consumer.clone()).or_default();
            user.durable(stream.name, &durable, &channel.subject);
            if stream.kept_by_consumers() {
                user.keep(stream.name);
            }
        }
    }
    for (name, user) in &mut users {
        // Replies to the service's own requests (PubAcks, JetStream API answers, pulled
        // messages), on its own inbox only (kit connects with `_INBOX.<service>` as its prefix):
        // no service can read another's replies.
        user.subscribe.insert(format!("_INBOX.{name}.>"));
    }
    let mut feeds = Permissions::default();
    for subject in approvals.subjects() {
        let stream =
            contracts::stream_for(subject).ok_or_else(|| format!("{subject}: no stream"))?;
        let durable = kit::nats::durable_name(relay::SERVICE, subject);
        feeds.durable(stream.name, &durable, subject);
    }
    for agency in approvals.partners.keys() {
        let filter = format!("feed.{agency}.>");
        feeds.publish.insert(filter.clone());
        feeds.keep(&relay::feed_stream(agency));
        feeds.durable(
            &relay::feed_stream(agency),
            &relay::partner_durable(agency),
            &filter,
        );
        // The relay declares the partner's consumer but never pulls from it.
        let stream = relay::feed_stream(agency);
        let durable = relay::partner_durable(agency);
        feeds
            .publish
            .remove(&format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"));
        feeds
            .publish
            .remove(&format!("$JS.ACK.{stream}.{durable}.>"));
    }
    feeds.subscribe.insert(format!("{INBOX_PREFIX}.>"));
    users.insert(relay::SERVICE.to_owned(), feeds);
    // Operators (deleting a retired durable, purging, inspecting): everything in MESH, nothing
    // in the partners' accounts. Its password is handed out like a root password.
    users.insert(
        ADMIN_USER.to_owned(),
        Permissions {
            publish: BTreeSet::from([">".to_owned()]),
            subscribe: BTreeSet::from([">".to_owned()]),
        },
    );
    Ok(users)
}

/// Agencies with an account: those that read a feed and those that publish facts in.
pub fn agencies(channels: &[Channel], approvals: &Approvals) -> BTreeMap<String, Agency> {
    let mut agencies: BTreeMap<String, Agency> = BTreeMap::new();
    for agency in approvals.partners.keys() {
        agencies.entry(agency.clone()).or_default().reads_feed = true;
    }
    for channel in channels {
        if let Some(agency) = channel.producer.strip_prefix("partner.") {
            agencies.entry(agency.to_owned()).or_default().publishes = true;
        }
    }
    agencies
}

/// What a partner agency does on NATS.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Agency {
    pub reads_feed: bool,
    pub publishes: bool,
}

/// The subjects a partner agency's user may publish on (in its own account).
pub fn agency_permissions(agency: &str, what: Agency) -> Permissions {
    let mut p = Permissions::default();
    if what.reads_feed {
        for service in feed_services(agency) {
            p.publish.insert(service.local);
        }
    }
    if what.publishes {
        p.publish.insert(format!("partner.{agency}.>"));
    }
    p.subscribe.insert("_INBOX.>".to_owned());
    p
}

fn list(items: impl IntoIterator<Item = String>, indent: &str) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|s| format!("{indent}  \"{s}\""))
        .collect();
    format!("[\n{}\n{indent}]", items.join("\n"))
}

fn user(out: &mut String, name: &str, p: &Permissions, indent: &str) {
    let inner = format!("{indent}    ");
    let _ = writeln!(out, "{indent}{{");
    let _ = writeln!(out, "{indent}  user: \"{name}\"");
    let _ = writeln!(out, "{indent}  password: ${}", password_variable(name));
    let _ = writeln!(out, "{indent}  permissions: {{");
    let _ = writeln!(
        out,
        "{inner}publish: {{ allow: {} }}",
        list(p.publish.iter().cloned(), &inner)
    );
    let _ = writeln!(
        out,
        "{inner}subscribe: {{ allow: {} }}",
        list(p.subscribe.iter().cloned(), &inner)
    );
    let _ = writeln!(out, "{indent}  }}");
    let _ = writeln!(out, "{indent}}}");
}

/// Renders `accounts.conf`.
pub fn render(channels: &[Channel], approvals: &Approvals) -> Result<String, String> {
    let users = mesh_users(channels, approvals)?;
    let agencies = agencies(channels, approvals);
    let mut out = String::new();
    out.push_str(
        "# GENERATED from schemas/asyncapi.yaml and the partner approvals\n\
         # (k8s/services/partner-feeds/base/approvals.yaml) by\n\
         #   UPDATE_NATS_CONFIG=1 cargo test -p partner-feeds --test nats_security\n\
         # Do not edit by hand; docs/deployment.md explains the rules.\n\
         #\n\
         # Passwords are bcrypt hashes in variables defined by passwords.conf (development hashes\n\
         # in infra/nats/passwords.conf; a Secret in clusters).\n\
         include \"passwords.conf\"\n\n\
         accounts {\n",
    );
    let _ = writeln!(out, "  {MESH_ACCOUNT} {{");
    out.push_str("    jetstream: enabled\n    users: [\n");
    for (name, p) in &users {
        user(&mut out, name, p, "      ");
    }
    out.push_str("    ]\n    exports: [\n");
    for (agency, what) in &agencies {
        let acct = account(agency);
        if what.reads_feed {
            for service in feed_services(agency) {
                let response = if service.streamed {
                    ", response_type: stream"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "      {{ service: \"{}\", accounts: [{acct}]{response} }}",
                    service.mesh
                );
            }
        }
        if what.publishes {
            let _ = writeln!(
                out,
                "      {{ service: \"partner.{agency}.>\", accounts: [{acct}] }}"
            );
        }
    }
    out.push_str("    ]\n  }\n");
    for (agency, what) in &agencies {
        let acct = account(agency);
        let _ = writeln!(out, "\n  {acct} {{");
        out.push_str("    users: [\n");
        user(
            &mut out,
            agency,
            &agency_permissions(agency, *what),
            "      ",
        );
        out.push_str("    ]\n    imports: [\n");
        let mut imports: Vec<(String, String)> = Vec::new();
        if what.reads_feed {
            imports.extend(feed_services(agency).into_iter().map(|s| (s.mesh, s.local)));
        }
        if what.publishes {
            let own = format!("partner.{agency}.>");
            imports.push((own.clone(), own));
        }
        for (mesh, local) in imports {
            let to = if mesh == local {
                String::new()
            } else {
                format!(", to: \"{local}\"")
            };
            let _ = writeln!(
                out,
                "      {{ service: {{ account: {MESH_ACCOUNT}, subject: \"{mesh}\" }}{to} }}"
            );
        }
        out.push_str("    ]\n  }\n");
    }
    out.push_str("}\n");
    Ok(out)
}

/// Every user name of the rendered configuration (each needs a password variable).
pub fn user_names(channels: &[Channel], approvals: &Approvals) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = mesh_users(channels, approvals)?.into_keys().collect();
    names.extend(agencies(channels, approvals).into_keys());
    Ok(names)
}
