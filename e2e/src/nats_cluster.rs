//! A three-node NATS cluster on loopback (JetStream clustered, each node its own store), with the
//! mesh's streams declared at three replicas before any service starts, so losing one node loses
//! no stream.

use std::time::Duration;

use kit::testing::{NatsServer, eventually, nats_server::free_port};

/// Three clustered `nats-server` processes; the first is handed to the mesh as its `nats`.
pub struct NatsCluster {
    /// Nodes 1 and 2 (node 0 is taken by [`take_first`](Self::take_first)).
    pub nodes: Vec<Option<NatsServer>>,
    client_ports: Vec<u16>,
}

impl NatsCluster {
    /// Starts three nodes routed to each other and waits until JetStream accepts R3 streams.
    pub async fn start() -> Self {
        let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let mut nodes = Vec::new();
        for i in 0..3 {
            let routes: Vec<String> = cluster_ports
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| format!("nats://127.0.0.1:{p}"))
                .collect();
            let args = vec![
                "-n".to_owned(),
                format!("e2e-n{i}"),
                "--cluster_name".to_owned(),
                "e2e".to_owned(),
                "--cluster".to_owned(),
                format!("nats://127.0.0.1:{}", cluster_ports[i]),
                "--routes".to_owned(),
                routes.join(","),
            ];
            nodes.push(Some(NatsServer::start_with(args).await));
        }
        let client_ports = nodes
            .iter()
            .map(|n| n.as_ref().map_or(0, |n| n.port))
            .collect();
        let cluster = Self {
            nodes,
            client_ports,
        };
        cluster.declare_streams(3).await;
        cluster
    }

    /// Node `i`'s client URL. A client given one node learns the others from it (and fails over
    /// to them).
    pub fn url(&self, i: usize) -> String {
        format!("nats://127.0.0.1:{}", self.client_ports[i])
    }

    /// Node 0, for `Mesh::start_with` (which owns and kills it on drop).
    pub fn take_first(&mut self) -> NatsServer {
        self.nodes[0].take().expect("node 0 not taken yet")
    }

    /// Kills node `i` (SIGKILL).
    pub fn kill(&mut self, i: usize) {
        if let Some(node) = self.nodes[i].as_mut() {
            node.kill();
        }
    }

    /// Starts node `i` again on its port and store.
    pub async fn resume(&mut self, i: usize) {
        if let Some(node) = self.nodes[i].as_mut() {
            node.resume().await;
        }
    }

    /// Declares every stream of the mesh with `replicas`, waiting for the meta leader to be elected.
    pub async fn declare_streams(&self, replicas: usize) {
        let client = kit::nats::connect(&self.url(0), "e2e-cluster")
            .await
            .expect("cluster reachable");
        let js = kit::nats::jetstream(client);
        for spec in contracts::STREAMS {
            eventually(
                &format!("stream {} at {replicas} replicas", spec.name),
                Duration::from_secs(60),
                || async {
                    let mut stream = kit::nats::ensure_stream(&js, spec, replicas).await.ok()?;
                    let info = stream.info().await.ok()?;
                    (info.config.num_replicas == replicas).then_some(())
                },
            )
            .await;
        }
    }

    /// The stream's replicas that are current (leader included), as node `via` sees them.
    pub async fn current_replicas(&self, via: usize, stream: &str) -> usize {
        let Ok(client) = kit::nats::connect(&self.url(via), "e2e-cluster-info").await else {
            return 0;
        };
        let js = kit::nats::jetstream(client);
        let Ok(mut s) = js.get_stream(stream).await else {
            return 0;
        };
        let Ok(info) = s.info().await else {
            return 0;
        };
        info.cluster.as_ref().map_or(0, |c| {
            usize::from(c.leader.is_some())
                + c.replicas
                    .iter()
                    .filter(|r| r.current && !r.offline)
                    .count()
        })
    }
}
