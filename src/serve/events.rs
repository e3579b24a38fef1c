//! Live-reload messages to the open pages: [`Event`]s in (from the rebuilds),
//! Server-Sent Events out — one stream per browser connection, fed by a
//! `tokio::sync::broadcast` channel, so an open page holds no thread.

use axum::response::sse;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// What the browsers hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// These files changed: pages showing one of them reload.
    Reload(Vec<String>),
    /// Only these stylesheets changed: swap them without a reload.
    Css(Vec<String>),
    /// The build status changed (errors or warnings appeared or went away).
    State,
}

/// One message as every stream sends it, formatted once when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Note {
    Message {
        name: &'static str,
        data: Arc<str>,
    },
    /// The server is stopping: every stream ends, so no connection keeps it open.
    Close,
}

/// Messages a slow page may fall behind by before it is told to reload whole.
const BACKLOG: usize = 256;
/// How soon a browser reconnects after the stream drops (e.g. a restart).
const RETRY: Duration = Duration::from_millis(500);
/// Comment lines on idle streams, so a closed connection is noticed and dropped.
pub(crate) const KEEPALIVE: Duration = Duration::from_secs(15);
/// What a page that fell behind gets instead of the messages it missed.
const MISSED: &str = "{\"paths\":[],\"all\":true}";

/// The build status as JSON, read when a `state` event is sent (the served
/// site's, `site::Shared::status`; events know nothing else of the site).
pub(crate) type StateSource = Arc<dyn Fn() -> String + Send + Sync>;

/// Sends to every open stream; cheap to clone.
#[derive(Clone)]
pub(crate) struct Hub {
    tx: broadcast::Sender<Note>,
    state: StateSource,
}

/// The `event:` name and JSON `data:` of one event, with the status read now.
fn format(e: &Event, state: &StateSource) -> (&'static str, String) {
    match e {
        Event::Reload(paths) => ("reload", serde_json::json!({ "paths": paths }).to_string()),
        Event::Css(paths) => ("css", serde_json::json!({ "paths": paths }).to_string()),
        Event::State => ("state", state()),
    }
}

impl Hub {
    pub(crate) fn new(state: StateSource) -> Hub {
        let (tx, _) = broadcast::channel(BACKLOG);
        Hub { tx, state }
    }

    pub(crate) fn send(&self, e: Event) {
        let (name, data) = format(&e, &self.state);
        // Fails only when no page is open: nobody to tell.
        let _ = self.tx.send(Note::Message {
            name,
            data: data.into(),
        });
    }

    /// End every stream (the server is stopping).
    pub(crate) fn close(&self) {
        let _ = self.tx.send(Note::Close);
    }

    /// One browser's stream: the retry delay and the current state first (so a
    /// page opened during errors shows them), then every event sent after.
    pub(crate) fn stream(
        &self,
    ) -> impl Stream<Item = Result<sse::Event, Infallible>> + Send + 'static {
        // Subscribe before reading the state, so nothing sent in between is lost.
        let rx = self.tx.subscribe();
        let (name, data) = format(&Event::State, &self.state);
        let first = sse::Event::default().retry(RETRY).event(name).data(data);
        let rest = stream::unfold(rx, |mut rx| async move {
            let e = match rx.recv().await {
                Ok(Note::Message { name, data }) => sse::Event::default().event(name).data(&*data),
                Ok(Note::Close) | Err(RecvError::Closed) => return None,
                Err(RecvError::Lagged(_)) => sse::Event::default().event("reload").data(MISSED),
            };
            Some((Ok(e), rx))
        });
        stream::once(async { Ok(first) }).chain(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(name: &'static str, data: &str) -> Note {
        Note::Message {
            name,
            data: data.into(),
        }
    }

    #[test]
    fn events_are_formatted_once_for_every_stream() {
        let hub = Hub::new(Arc::new(super::super::site::Shared::new("i1".into())).state_source());
        let (mut a, mut b) = (hub.tx.subscribe(), hub.tx.subscribe());
        hub.send(Event::Reload(vec!["incidents/a/index.html".into()]));
        hub.send(Event::Css(vec!["style.css".into()]));
        hub.send(Event::State);
        hub.close();
        for rx in [&mut a, &mut b] {
            assert_eq!(
                rx.try_recv().unwrap(),
                note("reload", "{\"paths\":[\"incidents/a/index.html\"]}")
            );
            assert_eq!(
                rx.try_recv().unwrap(),
                note("css", "{\"paths\":[\"style.css\"]}")
            );
            let Note::Message { name, data } = rx.try_recv().unwrap() else {
                panic!("a state message");
            };
            assert_eq!(name, "state");
            let v: serde_json::Value = serde_json::from_str(&data).unwrap();
            assert_eq!(v["instance"], "i1");
            assert_eq!(rx.try_recv().unwrap(), Note::Close);
        }
    }

    #[test]
    fn sending_with_no_page_open_is_fine() {
        let hub = Hub::new(Arc::new(super::super::site::Shared::new("i1".into())).state_source());
        hub.send(Event::State);
        hub.close();
    }

    /// The whole text one stream sends, up to the close.
    fn body_of(hub: &Hub, before_reading: impl FnOnce()) -> String {
        use axum::response::IntoResponse;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let stream = hub.stream();
        before_reading();
        let body = axum::response::Sse::new(stream).into_response().into_body();
        let bytes = rt.block_on(axum::body::to_bytes(body, usize::MAX)).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn a_stream_starts_with_the_state_and_ends_on_close() {
        let hub = Hub::new(Arc::new(super::super::site::Shared::new("i1".into())).state_source());
        let text = body_of(&hub, || {
            hub.send(Event::Reload(vec!["a/index.html".into()]));
            hub.close();
            hub.send(Event::Reload(vec!["after/index.html".into()]));
        });
        let messages: Vec<&str> = text.split("\n\n").filter(|m| !m.is_empty()).collect();
        assert_eq!(messages.len(), 2, "{text}");
        assert!(
            messages[0].starts_with("retry: 500\nevent: state\ndata: {"),
            "{text}"
        );
        assert_eq!(
            messages[1],
            "event: reload\ndata: {\"paths\":[\"a/index.html\"]}"
        );
    }

    #[test]
    fn a_page_that_falls_behind_reloads_whole() {
        let hub = Hub::new(Arc::new(super::super::site::Shared::new("i1".into())).state_source());
        let text = body_of(&hub, || {
            for i in 0..BACKLOG + 10 {
                hub.send(Event::Reload(vec![format!("p{i}/index.html")]));
            }
            hub.close();
        });
        assert!(
            text.contains(&format!("event: reload\ndata: {MISSED}\n")),
            "{text}"
        );
        // The newest messages still come after it.
        assert!(text.contains(&format!("p{}/index.html", BACKLOG + 9)));
        assert!(!text.contains("\"p0/index.html\""));
    }
}
