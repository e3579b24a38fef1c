//! The server's life: a bound address in, then requests answered on a tokio
//! runtime until SIGINT or SIGTERM, then every connection closed — event
//! streams too — within [`CLOSE_WAIT`]. What each request gets is [`http`]'s.

use super::http::{self, App};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// How long open connections get to finish once a stop is asked for.
const CLOSE_WAIT: Duration = Duration::from_millis(800);
/// Request handling is small and async; event streams hold no thread.
const WORKERS: usize = 2;

/// A listening socket, bound before the first build so a taken port is a
/// usage error and the site can be built for the address actually bound.
pub(crate) struct Listener {
    socket: TcpListener,
    pub addr: SocketAddr,
}

impl Listener {
    pub(crate) fn bind(bind: &str, port: u16) -> std::io::Result<Listener> {
        let socket = TcpListener::bind((bind, port))?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        Ok(Listener { socket, addr })
    }

    /// Reachable from other machines: say so, since serve is for previews.
    pub(crate) fn warning(&self) -> Option<String> {
        (!self.addr.ip().is_loopback()).then(|| {
            format!(
                "sitrep: warning: serving on {}, which other machines on the network can reach; \
                 sitrep serve is a local preview, not a web server (it answers only to Host \
                 {}, localhost or 127.0.0.1)",
                self.addr, self.addr
            )
        })
    }
}

/// SIGINT (Ctrl-C) and SIGTERM, registered when made: a signal that comes
/// after [`start`] returns is never the default "die at once".
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Must run inside the runtime.
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                int: signal(SignalKind::interrupt())?,
                term: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The server, answering requests on its runtime's threads.
pub(crate) struct Running {
    rt: tokio::runtime::Runtime,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    signals: Signals,
    hub: super::events::Hub,
}

/// Start serving `app` on `listener`, with the stop signals registered.
pub(crate) fn start(listener: Listener, app: Arc<App>) -> std::io::Result<Running> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .thread_name("sitrep-http")
        .enable_all()
        .build()?;
    let _in_rt = rt.enter();
    let signals = Signals::new()?;
    let socket = tokio::net::TcpListener::from_std(listener.socket)?;
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let hub = app.hub.clone();
    let server = axum::serve(socket, http::router(app)).with_graceful_shutdown(async {
        let _ = stop.await;
    });
    let server = rt.spawn(server.into_future());
    drop(_in_rt);
    Ok(Running {
        rt,
        server,
        shutdown,
        signals,
        hub,
    })
}

impl Running {
    /// Block until SIGINT or SIGTERM; `on_stop` runs as soon as one comes (to
    /// stop the rebuilds alongside). Returns once every connection is closed,
    /// or [`CLOSE_WAIT`] after the signal at most, with the signal's time.
    pub(crate) fn wait(self, on_stop: impl FnOnce()) -> std::time::Instant {
        let Running {
            rt,
            server,
            shutdown,
            mut signals,
            hub,
        } = self;
        let stopped = rt.block_on(async {
            signals.recv().await;
            let at = std::time::Instant::now();
            eprintln!("sitrep: stopping");
            on_stop();
            // Event streams never end by themselves: end them.
            hub.close();
            let _ = shutdown.send(());
            if tokio::time::timeout(CLOSE_WAIT, server).await.is_err() {
                eprintln!("sitrep: not waiting for open connections");
            }
            at
        });
        rt.shutdown_timeout(Duration::from_millis(100));
        stopped
    }
}
