//! An HTTP/1.1 load generator small enough to trust (`wrk` is not installed everywhere): keep-alive
//! connections on raw TCP, a bounded number of requests, latency per request. It runs on a
//! runtime of its own so the server under test keeps its own workers, as with `wrk -t2`.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use bytes::{Buf, BytesMut};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::stats::Latencies;

/// Builds the bytes of request number `i`.
pub type MakeRequest = Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync>;

/// A GET with a bearer token (empty token: none).
pub fn get(path: &str, token: &str) -> Vec<u8> {
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n").into_bytes()
}

/// A POST without a body, with a bearer token.
pub fn post_empty(path: &str, token: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// How requests are sent.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each connection sends its next request as soon as the previous answer is in.
    Closed,
    /// Request `i` is due at `start + i / rate`; latency counts from that due time, so a slow
    /// answer that delays later requests is charged to them too (no coordinated omission).
    Open { per_second: f64 },
}

/// What a load produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Latencies,
    /// (request index, due time, body) of each successful answer, when asked for.
    pub answers: Vec<(usize, Instant, Vec<u8>)>,
    pub first_error: Option<String>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Sends `total` requests over `connections` keep-alive connections to `addr`, on a runtime of
/// its own with two workers.
pub async fn run(
    addr: SocketAddr,
    connections: usize,
    total: usize,
    pace: Pace,
    make: MakeRequest,
    keep_answers: bool,
) -> anyhow::Result<Outcome> {
    tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        rt.block_on(drive(addr, connections, total, pace, make, keep_answers))
    })
    .await?
}

async fn drive(
    addr: SocketAddr,
    connections: usize,
    total: usize,
    pace: Pace,
    make: MakeRequest,
    keep_answers: bool,
) -> anyhow::Result<Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::open(addr).await?);
    }
    let start = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let next = next.clone();
            let make = make.clone();
            tokio::spawn(async move {
                let mut out = Outcome::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let request = make(i);
                    let due = match pace {
                        Pace::Closed => Instant::now(),
                        Pace::Open { per_second } => {
                            let due = start + Duration::from_secs_f64(i as f64 / per_second);
                            tokio::time::sleep_until(due.into()).await;
                            due
                        }
                    };
                    match conn.roundtrip(&request).await {
                        Ok((status, body)) if (200..300).contains(&status) => {
                            out.latencies.push(due.elapsed());
                            out.requests += 1;
                            if keep_answers {
                                out.answers.push((i, due, body));
                            }
                        }
                        Ok((status, body)) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| {
                                format!("{status}: {}", String::from_utf8_lossy(&body))
                            });
                        }
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| e.to_string());
                            match Conn::open(addr).await {
                                Ok(c) => conn = c,
                                Err(_) => break,
                            }
                        }
                    }
                }
                out
            })
        })
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await?;
        all.requests += o.requests;
        all.errors += o.errors;
        all.latencies.extend(o.latencies);
        all.answers.extend(o.answers);
        if all.first_error.is_none() {
            all.first_error = o.first_error;
        }
    }
    all.elapsed = start.elapsed();
    Ok(all)
}

struct Conn {
    stream: TcpStream,
    buf: BytesMut,
}

impl Conn {
    async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: BytesMut::with_capacity(16 * 1024),
        })
    }

    /// Writes one request and reads its answer: (status, body).
    async fn roundtrip(&mut self, request: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).context("response head")?;
        let status: u16 = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .context("status line")?;
        let mut length = None;
        let mut chunked = false;
        for line in head.split("\r\n").skip(1) {
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding")
                    && value.eq_ignore_ascii_case("chunked")
                {
                    chunked = true;
                }
            }
        }
        self.buf.advance(head_end);
        let body = if chunked {
            self.chunked().await?
        } else {
            let n = length.unwrap_or(0);
            while self.buf.len() < n {
                self.fill().await?;
            }
            self.buf.split_to(n).to_vec()
        };
        Ok((status, body))
    }

    async fn chunked(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(p) = find(&self.buf, b"\r\n") {
                    break p;
                }
                self.fill().await?;
            };
            let size_text = std::str::from_utf8(&self.buf[..line_end])?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .context("chunk size")?;
            self.buf.advance(line_end + 2);
            while self.buf.len() < size + 2 {
                self.fill().await?;
            }
            body.extend_from_slice(&self.buf[..size]);
            self.buf.advance(size + 2);
            if size == 0 {
                return Ok(body);
            }
        }
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            bail!("connection closed by the server");
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
