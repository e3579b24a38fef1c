//! Server-Sent Events to the open pages: browser connections and [`Event`]s in,
//! `text/event-stream` messages out. One thread owns every connection, so HTTP
//! workers are never held by a page that stays open.

use super::site::Shared;
use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the browsers hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// These files changed: pages showing one of them reload.
    Reload(Vec<String>),
    /// Only these stylesheets changed: swap them without a reload.
    Css(Vec<String>),
    /// The build status changed (errors appeared or went away).
    State,
}

enum Msg {
    Client(Box<dyn Write + Send>),
    Event(Event),
    Stop,
}

/// Sends to the event thread; cheap to clone.
#[derive(Clone)]
pub struct Hub(Sender<Msg>);

/// How often idle connections get a comment line, so dead ones are noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// The response head written before the stream; `retry` makes browsers
/// reconnect quickly after a restart.
pub const HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\nretry: 500\n\n";

impl Hub {
    /// Start the event thread.
    pub fn start(shared: Arc<Shared>) -> (Hub, JoinHandle<()>) {
        let (tx, rx) = channel();
        let handle = std::thread::spawn(move || run(&rx, &shared));
        (Hub(tx), handle)
    }

    /// A browser connection whose response head ([`HEAD`]) is written.
    pub fn add(&self, w: Box<dyn Write + Send>) {
        let _ = self.0.send(Msg::Client(w));
    }

    pub fn send(&self, e: Event) {
        // Fails only once the thread has stopped (shutting down).
        let _ = self.0.send(Msg::Event(e));
    }

    pub fn stop(&self) {
        let _ = self.0.send(Msg::Stop);
    }
}

/// One SSE message: `event:` and one `data:` line of JSON.
pub fn format(e: &Event, shared: &Shared) -> String {
    let data = match e {
        Event::Reload(paths) => serde_json::json!({ "paths": paths }),
        Event::Css(paths) => serde_json::json!({ "paths": paths }),
        Event::State => serde_json::to_value(shared.status()).unwrap_or_default(),
    };
    let name = match e {
        Event::Reload(_) => "reload",
        Event::Css(_) => "css",
        Event::State => "state",
    };
    format!("event: {name}\ndata: {data}\n\n")
}

fn send(w: &mut Box<dyn Write + Send>, text: &str) -> bool {
    w.write_all(text.as_bytes()).and_then(|_| w.flush()).is_ok()
}

fn run(rx: &Receiver<Msg>, shared: &Shared) {
    let mut clients: Vec<Box<dyn Write + Send>> = Vec::new();
    loop {
        match rx.recv_timeout(KEEPALIVE) {
            Ok(Msg::Client(mut w)) => {
                // The current state first, so a page opened during errors shows them.
                if send(&mut w, &format(&Event::State, shared)) {
                    clients.push(w);
                }
            }
            Ok(Msg::Event(e)) => {
                let text = format(&e, shared);
                clients.retain_mut(|w| send(w, &text));
            }
            Err(RecvTimeoutError::Timeout) => clients.retain_mut(|w| send(w, ": ping\n\n")),
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn clients_get_state_then_events() {
        let shared = Arc::new(Shared::new("i1".into()));
        let (hub, handle) = Hub::start(shared);
        let buf = Buf::default();
        hub.add(Box::new(buf.clone()));
        hub.send(Event::Reload(vec!["incidents/a/index.html".into()]));
        hub.send(Event::Css(vec!["style.css".into()]));
        hub.stop();
        handle.join().unwrap();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let events: Vec<&str> = text.split("\n\n").filter(|s| !s.is_empty()).collect();
        assert!(events[0].starts_with("event: state\ndata: {"), "{text}");
        assert!(events[0].contains("\"instance\":\"i1\""));
        assert_eq!(
            events[1],
            "event: reload\ndata: {\"paths\":[\"incidents/a/index.html\"]}"
        );
        assert_eq!(events[2], "event: css\ndata: {\"paths\":[\"style.css\"]}");
    }
}
