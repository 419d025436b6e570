//! `GET /api/v1/events`: the change events as Server-Sent Events, for live
//! dashboards (see `crate::events` for where they come from).
//!
//! The stream opens with a `ready` event carrying the current data version,
//! then sends a `change` event (SSE `id` = event id) for every change. A
//! client that reconnects with `Last-Event-ID` first gets the events it
//! missed, from the table; one that fell too far behind gets `reset` (reload
//! everything). Comments keep the connection alive through proxies, and a
//! stream ends after [`MAX_STREAM`] so that the browser reconnects, which
//! checks the session again.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, Responder};
use actix_web_lab::sse;
use kizuna_shared::api::{ChangeEvent, Problem, StreamReady};
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::events::EventHub;
use crate::routes::blocking;

/// How long one stream lasts before the client is made to reconnect.
pub const MAX_STREAM: Duration = Duration::from_secs(10 * 60);

/// Keep-alive comment interval.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Missed events replayed at most; beyond, the client is told to reset.
const REPLAY: i64 = 1_000;

fn change(event: &ChangeEvent) -> sse::Event {
    match sse::Data::new_json(event) {
        Ok(data) => sse::Event::Data(data.event("change").id(event.id.to_string())),
        Err(_) => sse::Event::Comment("unserialisable event".into()),
    }
}

fn reset() -> sse::Event {
    sse::Event::Data(sse::Data::new("{}").event("reset"))
}

/// One Server-Sent Event as the stream carries it (what an `EventSource`
/// hands the page): the event name, its JSON `data` as text, and the id a
/// reconnecting client sends back as `Last-Event-ID`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the wire format; the stream writes it through actix-web-lab.
pub struct ServerSentEvent {
    /// `ready`, `change` or `reset`.
    #[schema(pattern = "^(ready|change|reset)$")]
    event: String,
    /// JSON text: `StreamReady` for `ready`, `ChangeEvent` for `change`, `{}` for `reset`.
    data: String,
    /// The event id (`change` events).
    id: Option<String>,
}

/// The change event stream (`text/event-stream`).
#[utoipa::path(
    tag = "events",
    params(
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received (the browser's `EventSource` sends it when reconnecting); the events after it are sent first. A value that is not a non-negative integer is ignored: the stream starts from now"),
    ),
    responses(
        (status = 200, description = "Server-Sent Events: `ready` (data: StreamReady) first, then `change` (data: ChangeEvent, id: event id) for every change; `reset` when the client missed too many events", content_type = "text/event-stream", body = ServerSentEvent),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events")]
pub async fn event_stream(
    user: CurrentUser,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    hub: web::Data<EventHub>,
) -> Result<impl Responder, ApiError> {
    // Subscribe before reading anything: nothing falls in between.
    let receiver = hub.subscribe();
    // The stream ends when its session does (sign-out, a disabled user, a
    // role change — on any instance); see `crate::events`.
    let (ticket, session_ended) = hub
        .clone()
        .into_inner()
        .register(user.1.session_id, user.0.role);
    let mut version = hub.version();
    let last_seen = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0);
    let mut replay: Vec<sse::Event> = Vec::new();
    if let Some(after) = last_seen {
        let (latest, missed) = blocking(&pool, move |conn| {
            Ok((
                db::events::latest_id(conn)?,
                db::events::since(conn, after, REPLAY + 1)?,
            ))
        })
        .await?;
        let pruned = missed.first().is_some_and(|e| e.id > after + 1);
        if after > latest || missed.len() as i64 > REPLAY || pruned {
            // An id from another database, too many missed, or missed
            // events already pruned: the client reloads everything.
            replay.push(reset());
            version = version.max(latest);
        } else {
            replay.extend(missed.iter().map(change));
            // The table may be ahead of this instance's watcher: what was
            // replayed is not sent again when the watcher broadcasts it.
            version = version.max(missed.last().map_or(after, |e| e.id));
        }
    }
    let ready = sse::Data::new_json(StreamReady {
        data_version: version,
    })
    .map_err(ApiError::internal)?;
    let mut head = vec![sse::Event::Data(ready.event("ready"))];
    head.extend(replay);
    let live = BroadcastStream::new(receiver).filter_map(move |item| {
        // The ticket lives as long as the stream and unregisters it.
        let _registered = &ticket;
        match item {
            Ok(event) if event.id > version => Some(change(&event)),
            Ok(_) => None,
            Err(BroadcastStreamRecvError::Lagged(_)) => Some(reset()),
        }
    });
    // The session's end is polled before each item, so no event is sent
    // after the hub closed the stream.
    let stream = futures_util::StreamExt::take_until(
        futures_util::StreamExt::take_until(
            tokio_stream::iter(head).chain(live),
            tokio::time::sleep(MAX_STREAM),
        ),
        session_ended,
    );
    Ok(sse::Sse::from_infallible_stream(stream)
        .with_keep_alive(KEEP_ALIVE)
        .with_retry_duration(Duration::from_secs(1))
        .customize()
        // A compressed stream could be held back in the encoder's buffer.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no")))
}
