//! Logging (pretty locally, JSON in clusters) and W3C trace context carried from HTTP requests
//! through the outbox and NATS headers into the consumers of other services.

use std::fmt;

use rand::RngCore;
use tracing_subscriber::{EnvFilter, fmt as tfmt, prelude::*};

use crate::config::{Config, LogFormat};

/// Installs the global subscriber. Safe to call more than once (later calls are ignored).
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match config.log_format {
        LogFormat::Json => registry
            .with(tfmt::layer().json().flatten_event(true))
            .try_init(),
        LogFormat::Pretty => registry.with(tfmt::layer().compact()).try_init(),
    };
}

/// A W3C trace context (`traceparent` version 00).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub sampled: bool,
}

impl TraceContext {
    /// A new trace with a random id.
    pub fn new_root() -> Self {
        let mut rng = rand::thread_rng();
        let mut trace_id = [0u8; 16];
        let mut span_id = [0u8; 8];
        rng.fill_bytes(&mut trace_id);
        rng.fill_bytes(&mut span_id);
        Self {
            trace_id,
            span_id,
            sampled: true,
        }
    }

    /// The same trace, a new span (for work caused by this context).
    pub fn child(&self) -> Self {
        let mut span_id = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut span_id);
        Self { span_id, ..*self }
    }

    /// Parses a `traceparent` header; `None` for anything malformed (a new root is then started).
    pub fn parse(header: &str) -> Option<Self> {
        let mut parts = header.trim().split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "00"
            || parts.next().is_some()
            || trace.len() != 32
            || span.len() != 16
            || flags.len() != 2
        {
            return None;
        }
        let mut trace_id = [0u8; 16];
        let mut span_id = [0u8; 8];
        hex::decode_to_slice(trace, &mut trace_id).ok()?;
        hex::decode_to_slice(span, &mut span_id).ok()?;
        if trace_id == [0; 16] || span_id == [0; 8] {
            return None;
        }
        let flags = u8::from_str_radix(flags, 16).ok()?;
        Some(Self {
            trace_id,
            span_id,
            sampled: flags & 1 == 1,
        })
    }

    /// The trace id as 32 hex characters (for log fields).
    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }

    /// The context carried by the current task, or a new root.
    pub fn current_or_new() -> Self {
        CURRENT
            .try_with(|c| *c)
            .unwrap_or_else(|_| Self::new_root())
    }

    /// Runs `fut` with this context as the current one.
    pub async fn scope<F: std::future::Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }
}

impl fmt::Display for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "00-{}-{}-{:02x}",
            hex::encode(self.trace_id),
            hex::encode(self.span_id),
            u8::from(self.sampled)
        )
    }
}

impl fmt::Debug for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceContext({self})")
    }
}

tokio::task_local! {
    static CURRENT: TraceContext;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_round_trips() {
        let raw = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let ctx = TraceContext::parse(raw).unwrap();
        assert_eq!(ctx.to_string(), raw);
        let child = ctx.child();
        assert_eq!(child.trace_id, ctx.trace_id);
        assert_ne!(child.span_id, ctx.span_id);
    }

    #[test]
    fn malformed_traceparents_are_rejected() {
        for raw in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-zzf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert!(TraceContext::parse(raw).is_none(), "{raw}");
        }
    }

    #[tokio::test]
    async fn the_scoped_context_is_current() {
        let ctx = TraceContext::new_root();
        let seen = ctx.scope(async { TraceContext::current_or_new() }).await;
        assert_eq!(seen, ctx);
        assert_ne!(TraceContext::current_or_new().trace_id, ctx.trace_id);
    }
}
