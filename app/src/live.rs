//! Live updates: the server's change events (`GET /api/v1/events`,
//! Server-Sent Events) through the browser's own `EventSource`.
//!
//! The browser already reconnects after a dropped connection (sending
//! `Last-Event-ID`, so the server replays what was missed); this module adds
//! what it does not do: a fresh connection after the server refused one
//! (the `EventSource` then stays closed, e.g. after a restart behind a proxy
//! that answered 502), a status for the offline indicator, and a single
//! counter that pages watch to refetch, bumped at most every
//! [`COALESCE_MS`] however many events arrive. `web_sys::EventSource` is
//! used directly rather than a wrapper crate: the three listeners below are
//! all the wrapper would add, and the bundle stays smaller.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// Refetches triggered by a burst of events are merged within this window.
pub const COALESCE_MS: i32 = 150;

/// Wait before opening a new connection after the browser gave up.
const RECONNECT_MS: i32 = 2_000;

/// The state the offline indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Opening the first connection.
    Connecting,
    /// Connected: changes show within a second.
    Live,
    /// Not connected; reconnecting by itself.
    Offline,
}

/// What a page reads from the live connection.
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// Connection state.
    pub status: ReadSignal<LiveStatus>,
    /// Grows whenever the data may have changed (a change event, a reset,
    /// or a reconnection): read it in a resource to refetch.
    pub changes: ReadSignal<u64>,
}

/// One open `EventSource` and the listeners it calls (kept alive with it).
struct Connection {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.source.close();
    }
}

#[derive(Clone, Copy)]
struct Signals {
    status: RwSignal<LiveStatus>,
    changes: RwSignal<u64>,
    pending: RwSignal<bool>,
    readies: RwSignal<u32>,
    slot: StoredValue<Option<Connection>, LocalStorage>,
}

fn later(ms: i32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

impl Signals {
    /// Bumps `changes` once for every burst of calls.
    fn changed(self) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        later(COALESCE_MS, move || {
            if self.slot.try_with_value(|_| ()).is_none() {
                return; // the page is gone
            }
            self.pending.set(false);
            self.changes.update(|n| *n += 1);
        });
    }

    fn connect(self) {
        let Ok(source) = EventSource::new(&crate::api::events_url()) else {
            self.status.set(LiveStatus::Offline);
            return;
        };
        let mut listeners: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();
        let mut listen = |name: &str, f: Box<dyn FnMut(web_sys::Event)>| {
            let closure = Closure::wrap(f);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            listeners.push(closure);
        };
        listen(
            "ready",
            Box::new(move |_| {
                self.status.set(LiveStatus::Live);
                // After the first connection, a (re)connection may follow
                // changes nobody announced to this page: look again.
                if self.readies.get_untracked() > 0 {
                    self.changed();
                }
                self.readies.update(|n| *n += 1);
            }),
        );
        for name in ["change", "reset"] {
            listen(
                name,
                Box::new(move |e| {
                    if e.dyn_ref::<MessageEvent>().is_some() {
                        self.changed();
                    }
                }),
            );
        }
        listen(
            "error",
            Box::new(move |e| {
                self.status.set(LiveStatus::Offline);
                let closed = e
                    .target()
                    .and_then(|t| t.dyn_into::<EventSource>().ok())
                    .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
                if closed {
                    // The browser gave up (the server answered an error):
                    // start over after a pause.
                    later(RECONNECT_MS, move || {
                        if self.slot.try_with_value(|_| ()).is_some() {
                            self.slot.set_value(None);
                            self.connect();
                        }
                    });
                }
            }),
        );
        self.slot.set_value(Some(Connection {
            source,
            _listeners: listeners,
        }));
    }
}

/// Opens the event stream for the current page; it is closed when the
/// page's reactive owner is cleaned up.
pub fn use_live_updates() -> Live {
    let signals = Signals {
        status: RwSignal::new(LiveStatus::Connecting),
        changes: RwSignal::new(0),
        pending: RwSignal::new(false),
        readies: RwSignal::new(0),
        slot: StoredValue::new_local(None),
    };
    signals.connect();
    // The browser says the network is gone before a held-open stream
    // notices: show it at once, and reconnect as soon as it is back.
    let offline = window_event_listener(leptos::ev::offline, move |_| {
        signals.slot.try_update_value(|s| *s = None);
        signals.status.set(LiveStatus::Offline);
    });
    let online = window_event_listener(leptos::ev::online, move |_| {
        if signals.slot.try_with_value(Option::is_none) == Some(true) {
            signals.connect();
        }
    });
    on_cleanup(move || {
        offline.remove();
        online.remove();
        signals.slot.try_update_value(|s| *s = None);
    });
    Live {
        status: signals.status.read_only(),
        changes: signals.changes.read_only(),
    }
}
