//! One account's page: profile, contract and relationship, the MRR chart
//! (plotters on a canvas, with a table for screen readers and keyboard
//! users), signals with their recent history, contacts, and the edit and
//! delete actions the user's role allows.

use std::collections::BTreeMap;

use crate::api::ApiError;
use crate::charts::card::{Area, ChartCard, ChartSpec, Hit, HitMap};
use crate::charts::kpi::{csv, draw_lines, Line};
use crate::charts::{draw_mrr, MrrSeries, PlotArea, PALETTE};
use crate::components::form::{read_optional, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::{
    band_label, expansion_label, signal_label, tier_label, BandPill, StatusPill,
};
use crate::components::route_params::account_from_route;
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{
    AccountDetail, AccountScore, Contact, ContactInput, Email, ScorePoint, SignalDefinition,
    SignalValue,
};
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::{Contribution, Explanation, TrendKind};
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use std::sync::Arc;

/// The account detail page (`/accounts/:id`).
#[component]
pub fn AccountDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = account_from_route();
    let definitions =
        LocalResource::new(|| async { crate::api::signal_definitions().await.unwrap_or_default() });

    let body = move || {
        account.get().map(|result| match result {
            Ok(Some(a)) => account_view(i18n, a, definitions, move || account.refetch()).into_any(),
            Ok(None) => not_found(i18n).into_any(),
            Err(err) if err.status() == Some(404) || err.status() == Some(400) => {
                not_found(i18n).into_any()
            }
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
        })
    };

    view! {
        <p class="breadcrumb">
            <a href="/accounts">"← " {tr!(i18n, back_to_accounts)}</a>
        </p>
        {move || body().unwrap_or_else(|| view! {
            <p class="loading" role="status">{tr!(i18n, loading)}</p>
        }.into_any())}
    }
}

fn not_found(i18n: I18nContext<Locale>) -> impl IntoView {
    view! {
        <div class="empty-state">
            <h1>{tr!(i18n, not_found_title)}</h1>
            <p>{tr!(i18n, account_not_found)}</p>
        </div>
    }
}

fn account_view(
    i18n: I18nContext<Locale>,
    detail: AccountDetail,
    definitions: LocalResource<Vec<SignalDefinition>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let a = detail.account.clone();
    let dash = move || t_string!(i18n, not_set).to_string();
    let text = move |v: Option<String>| v.unwrap_or_else(dash);
    let date = move |d: Option<chrono::NaiveDate>| {
        let locale = i18n.get_locale();
        d.map(|d| format::date(d, locale)).unwrap_or_else(dash)
    };
    let account = a.clone();
    let flags = move || {
        let mut names = Vec::new();
        if account.flag_well_known {
            names.push(t_string!(i18n, flag_well_known).to_string());
        }
        if account.flag_feedback {
            names.push(t_string!(i18n, flag_feedback).to_string());
        }
        if account.flag_influencer {
            names.push(t_string!(i18n, flag_influencer).to_string());
        }
        if names.is_empty() {
            t_string!(i18n, no_flags).to_string()
        } else {
            names.join(" · ")
        }
    };
    let id = a.id;
    let version = a.version;
    let mrr = a.mrr_minor;
    let currency = a.currency;
    let tier = a.tier;
    let expansion = a.expansion_potential;
    let owner = a.owner.clone();
    let owner_id = a.owner.as_ref().map(|o| o.id);
    let (industry, plan, external_id, domain) = (
        a.industry.clone(),
        a.plan.clone(),
        a.external_id.clone(),
        a.domain.clone(),
    );
    let (contract_start, renewal, churn_date) = (a.contract_start, a.renewal_date, a.churn_date);
    let language = a.language;
    let churn_reason = a.churn_reason.clone();
    let champion = a.champion_name.clone();
    let champion_changed = a.champion_changed_on;
    let churned = a.churn_date.is_some() || a.churn_reason.is_some();
    let can_edit = move || session.can_edit(owner_id);
    let can_manage = move || session.can_manage();

    let delete_error = RwSignal::new(None::<ApiError>);
    let delete = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message(t_string!(i18n, delete_confirm)).ok())
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match crate::api::delete_account(id, version).await {
                Ok(()) => navigate("/accounts", NavigateOptions::default()),
                Err(err) => delete_error.set(Some(err)),
            }
        });
    };

    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="account-name">{a.name.clone()}</h1>
                <p class="lead">
                    <StatusPill status=a.status />
                    " "
                    <span class="muted">{move || tier_label(i18n, tier)}</span>
                </p>
            </div>
            <div class="page-actions">
                <div class="kpi">
                    <span class="kpi-label">{tr!(i18n, col_mrr)}</span>
                    <span class="kpi-value" data-testid="account-mrr">
                        {move || format::money(mrr, currency, i18n.get_locale())}
                    </span>
                </div>
                <Show when=can_edit>
                    <a class="button button-primary" href=format!("/accounts/{id}/edit") data-testid="edit-account">
                        {tr!(i18n, edit_account)}
                    </a>
                </Show>
                <Show when=can_manage>
                    <button class="button button-danger" type="button" on:click=delete.clone() data-testid="delete-account">
                        {tr!(i18n, delete_account)}
                    </button>
                </Show>
            </div>
        </div>
        {move || delete_error.get().map(|error| view! { <ErrorAlert error /> })}
        <div class="detail-grid">
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{tr!(i18n, section_profile)}</h2>
                <dl class="facts">
                    <dt>{tr!(i18n, col_external_id)}</dt><dd>{text(external_id)}</dd>
                    <dt>{tr!(i18n, col_domain)}</dt><dd>{text(domain)}</dd>
                    <dt>{tr!(i18n, col_industry)}</dt><dd>{text(industry)}</dd>
                    <dt>{tr!(i18n, col_plan)}</dt><dd>{text(plan)}</dd>
                    <dt>{tr!(i18n, field_customer_language)}</dt>
                    <dd>{move || language.map(|l| crate::components::labels::language_label(i18n, l))
                        .unwrap_or_else(|| t_string!(i18n, language_default).to_string())}</dd>
                    <dt>{tr!(i18n, col_owner)}</dt>
                    <dd>{match owner {
                        Some(o) => view! { <span>{o.name}</span> " " <span class="muted small">{o.email}</span> }.into_any(),
                        None => view! { <span>{tr!(i18n, unassigned)}</span> }.into_any(),
                    }}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="contract-heading">
                <h2 id="contract-heading">{tr!(i18n, section_contract)}</h2>
                <dl class="facts">
                    <dt>{tr!(i18n, col_contract_start)}</dt><dd>{move || date(contract_start)}</dd>
                    <dt>{tr!(i18n, col_renewal)}</dt><dd>{move || date(renewal)}</dd>
                    <Show when=move || churned>
                        <dt>{tr!(i18n, field_churn_date)}</dt><dd>{move || date(churn_date)}</dd>
                        <dt>{tr!(i18n, field_churn_reason)}</dt><dd>{text(churn_reason.clone())}</dd>
                    </Show>
                </dl>
            </section>
            <section class="card" aria-labelledby="relationship-heading">
                <h2 id="relationship-heading">{tr!(i18n, section_relationship)}</h2>
                <dl class="facts">
                    <dt>{tr!(i18n, field_champion)}</dt><dd>{text(champion)}</dd>
                    <dt>{tr!(i18n, field_champion_changed)}</dt><dd>{move || date(champion_changed)}</dd>
                    <dt>{tr!(i18n, field_flags)}</dt><dd>{flags}</dd>
                    <dt>{tr!(i18n, field_expansion)}</dt><dd>{move || expansion_label(i18n, expansion)}</dd>
                </dl>
            </section>
        </div>
        <MrrSection history=detail.mrr_history.clone() />
        <HealthSection account_id=id definitions=definitions />
        <SignalsSection account_id=id latest=detail.latest_signals.clone() definitions=definitions />
        <ContactsSection account_id=id contacts=detail.contacts.clone() editable=Signal::derive(can_edit) reload=reload />
        <AccountWork account_id=id name=a.name.clone() />
    }
}

/// The account's onboarding sheets, open tasks and the way to record a
/// survey answer heard on a call.
#[component]
fn AccountWork(account_id: i64, name: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <crate::components::sheets::AccountSheets account=account_id name=name />
        <section class="card section" aria-labelledby="account-tasks-heading" data-testid="account-tasks">
            <div class="section-head">
                <h2 id="account-tasks-heading">{tr!(i18n, tasks_title)}</h2>
                <Show when=crate::session::can_survey>
                    <a class="button" href=format!("/surveys/record?account={account_id}") data-testid="account-record-answer">
                        {tr!(i18n, record_answer)}
                    </a>
                </Show>
            </div>
            <crate::components::task_list::TaskList account=Some(account_id)
                status=Signal::derive(|| Some(kizuna_shared::domain::TaskStatus::Open)) />
        </section>
    }
}

/// The MRR chart, its legend, the hovered month and the table fallback.
#[component]
fn MrrSection(history: Vec<kizuna_shared::api::MrrEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let series = StoredValue::new(MrrSeries::from_entries(&history));
    let canvas = NodeRef::<Canvas>::new();
    let hovered = RwSignal::new(None::<usize>);
    let area = RwSignal::new(None::<PlotArea>);
    let currency = series.with_value(|s| s.currency).unwrap_or(Currency::Jpy);
    let empty = series.with_value(|s| s.months.is_empty());

    Effect::new(move |_| {
        let locale = i18n.get_locale();
        let highlight = hovered.get();
        let Some(el) = canvas.get() else { return };
        let Some(backend) = crate::charts::canvas::Canvas::new(el) else {
            return;
        };
        let root = plotters::prelude::IntoDrawingArea::into_drawing_area(backend);
        series.with_value(|s| {
            let drawn = draw_mrr(
                &root,
                s,
                &|m| format::month_of(m, locale),
                &|v| format::money(v, currency, locale),
                highlight,
            );
            if let Ok(plot) = drawn {
                area.set(Some(plot));
            }
        });
    });

    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(plot) = area.get_untracked() else {
            return;
        };
        // The canvas may be scaled by CSS: map CSS pixels to canvas pixels.
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let x = (f64::from(ev.client_x()) - rect.left()) * f64::from(el.width()) / rect.width();
        let month = plot.month_at(x);
        if hovered.get_untracked() != month {
            hovered.set(month);
        }
    };

    let hover_text = move || {
        let locale = i18n.get_locale();
        hovered.get().and_then(|m| {
            series.with_value(|s| {
                let month = *s.months.get(m)?;
                let parts = s
                    .products
                    .iter()
                    .zip(&s.amounts[m])
                    .filter(|(_, a)| **a > 0)
                    .map(|(p, a)| format!("{p} {}", format::money(*a, currency, locale)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                Some(format!(
                    "{}: {} ({})",
                    format::month_of(month, locale),
                    format::money(s.total(m), currency, locale),
                    parts
                ))
            })
        })
    };

    let legend = move || {
        series.with_value(|s| {
            s.products
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    // A class, not a style attribute: the CSP forbids inline styles.
                    let class = format!("swatch swatch-{}", i % PALETTE.len());
                    view! { <li><span class=class aria-hidden="true"></span>{p.clone()}</li> }
                })
                .collect_view()
        })
    };

    let table = move || {
        let locale = i18n.get_locale();
        series.with_value(|s| {
            s.months
                .iter()
                .enumerate()
                .rev()
                .map(|(m, month)| {
                    let cells = s
                        .amounts[m]
                        .iter()
                        .map(|a| view! { <td class="num">{format::money(*a, currency, locale)}</td> })
                        .collect_view();
                    view! {
                        <tr>
                            <th scope="row">{format::month_of(*month, locale)}</th>
                            {cells}
                            <td class="num">{format::money(s.total(m), currency, locale)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let table_head = move || {
        series.with_value(|s| {
            s.products
                .iter()
                .map(|p| view! { <th scope="col" class="num">{p.clone()}</th> })
                .collect_view()
        })
    };

    view! {
        <section class="card section" aria-labelledby="mrr-heading">
            <h2 id="mrr-heading">{tr!(i18n, mrr_history)}</h2>
            <Show
                when=move || !empty
                fallback=move || view! { <p class="empty-state">{tr!(i18n, no_mrr_history)}</p> }
            >
                <div class="chart-wrap">
                    <canvas
                        node_ref=canvas
                        width="900"
                        height="300"
                        class="chart"
                        data-testid="mrr-chart"
                        role="img"
                        aria-label=tr!(i18n, mrr_chart_label)
                        on:mousemove=on_move
                        on:mouseleave=move |_| hovered.set(None)
                    ></canvas>
                </div>
                <ul class="legend">{legend}</ul>
                <p class="chart-hover" aria-live="polite" data-testid="mrr-hover">{hover_text}</p>
                <details class="chart-table">
                    <summary>{tr!(i18n, mrr_table)}</summary>
                    <div class="table-wrap">
                        <table class="data-table" data-testid="mrr-table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(i18n, col_month)}</th>
                                    {table_head}
                                    <th scope="col" class="num">{tr!(i18n, col_total)}</th>
                                </tr>
                            </thead>
                            <tbody>{table}</tbody>
                        </table>
                    </div>
                </details>
            </Show>
        </section>
    }
}

/// Latest signal values with unit and date, and each signal's recent values.
#[component]
fn SignalsSection(
    account_id: i64,
    latest: Vec<SignalValue>,
    definitions: LocalResource<Vec<SignalDefinition>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let history = LocalResource::new(move || crate::api::account_signals(account_id));
    let latest = StoredValue::new(latest);
    let rows = move || {
        let locale = i18n.get_locale();
        let defs = definitions.get().unwrap_or_default();
        let mut by_key: BTreeMap<String, Vec<SignalValue>> = BTreeMap::new();
        if let Some(Ok(values)) = history.get() {
            for v in values {
                by_key.entry(v.key.clone()).or_default().push(v);
            }
        }
        latest.with_value(|latest| {
            latest
                .iter()
                .map(|v| {
                    let def = defs.iter().find(|d| d.key == v.key);
                    let label = def.map_or_else(|| v.key.clone(), |d| d.label.clone());
                    let unit = def.map(|d| d.unit.clone()).unwrap_or_default();
                    let mut past = by_key.remove(&v.key).unwrap_or_default();
                    past.sort_by_key(|p| p.observed_on);
                    let recent = past
                        .iter()
                        .rev()
                        .take(3)
                        .rev()
                        .map(|p| format!("{} {}", format::date(p.observed_on, locale), format::trim_number(p.value)))
                        .collect::<Vec<_>>();
                    let spark = sparkline(&past.iter().map(|p| p.value).collect::<Vec<_>>());
                    view! {
                        <tr>
                            <th scope="row">{label}<span class="muted small block">{v.key.clone()}</span></th>
                            <td class="num">{format::trim_number(v.value)} " " <span class="muted">{unit}</span></td>
                            <td class="nowrap">{format::date(v.observed_on, locale)}</td>
                            <td>
                                <span class="sparkline" aria-hidden="true">{spark}</span>
                                <span class="small muted block">{recent.join(" · ")}</span>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let empty = latest.with_value(Vec::is_empty);
    view! {
        <section class="card section" aria-labelledby="signals-heading" data-testid="signals">
            <h2 id="signals-heading">{tr!(i18n, signals_title)}</h2>
            <Show when=move || !empty fallback=move || view! { <p class="empty-state">{tr!(i18n, no_signals)}</p> }>
                <div class="table-wrap">
                    <table class="data-table">
                        <thead>
                            <tr>
                                <th scope="col">{tr!(i18n, col_signal)}</th>
                                <th scope="col" class="num">{tr!(i18n, col_value)}</th>
                                <th scope="col">{tr!(i18n, col_observed)}</th>
                                <th scope="col">{tr!(i18n, col_recent)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// The `mailto:` link of an e-mail address, its local part and domain
/// percent-encoded (RFC 6068): a stored address with `?`, `&`, `%`, `,` or
/// `#` cannot add headers, a body or recipients to the mail it opens.
pub fn mailto_href(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => format!(
            "mailto:{}@{}",
            crate::api::encode(local),
            crate::api::encode(domain)
        ),
        None => format!("mailto:{}", crate::api::encode(email)),
    }
}

/// A text sparkline (▁▂▃▄▅▆▇█) of the values, oldest first.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if max > min {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "0..=7"
                )]
                let i = ((v - min) / (max - min) * 7.0).round() as usize;
                BARS[i.min(7)]
            } else {
                BARS[3]
            }
        })
        .collect()
}

/// The contact form's words for a field the shared rules rejected.
fn contact_field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "name" => td_string!(locale, error_required_text).to_string(),
        "email" => td_string!(locale, error_email).to_string(),
        _ => td_string!(locale, error_text).to_string(),
    }
}

/// Contacts: the list (champion marked) and, for editors, add and remove.
#[component]
fn ContactsSection(
    account_id: i64,
    contacts: Vec<Contact>,
    editable: Signal<bool>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let champion = RwSignal::new(false);
    let errors = FormErrors::new(contact_field_message);
    let opt = |s: String| {
        let t = s.trim().to_owned();
        (!t.is_empty()).then_some(t)
    };
    let add = Action::new_local(move |input: &ContactInput| {
        let input = input.clone();
        async move { crate::api::add_contact(account_id, &input).await }
    });
    Effect::new(move |_| {
        if let Some(result) = add.value().get() {
            if errors.take(result).is_some() {
                reload();
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut wrong = Vec::new();
        let address = read_optional("email", &email.get_untracked(), Email::parse, &mut wrong);
        let input = ContactInput {
            name: name.get_untracked().trim().to_owned(),
            email: address,
            title: opt(title.get_untracked()),
            phone: opt(phone.get_untracked()),
            is_champion: champion.get_untracked(),
        };
        if errors.validate_with(&input, wrong) {
            add.dispatch(input);
        }
    };
    let remove = move |contact_id: i64| {
        spawn_local(async move {
            match crate::api::remove_contact(account_id, contact_id).await {
                Ok(()) => reload(),
                Err(err) => errors.fail(err),
            }
        });
    };
    let empty = contacts.is_empty();
    let rows = contacts
        .into_iter()
        .map(|c| {
            let cid = c.id;
            let champion_mark = c.is_champion.then(|| view! {
                <span class="pill pill-champion"><span aria-hidden="true">"★"</span> " " {tr!(i18n, champion_badge)}</span>
            });
            let name_for_label = c.name.clone();
            view! {
                <tr>
                    <th scope="row">{c.name.clone()} " " {champion_mark}</th>
                    <td>{c.title.clone().unwrap_or_default()}</td>
                    <td>{c.email.clone().map(|e| view! { <a href=mailto_href(&e)>{e.clone()}</a> })}</td>
                    <td>{c.phone.clone().unwrap_or_default()}</td>
                    <td>
                        <Show when=move || editable.get()>
                            <button type="button" class="button button-quiet"
                                aria-label=t_string!(i18n, remove_contact_named, name = name_for_label.clone()).to_string()
                                on:click=move |_| remove(cid)>
                                {tr!(i18n, remove)}
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card section" aria-labelledby="contacts-heading" data-testid="contacts">
            <h2 id="contacts-heading">{tr!(i18n, contacts_title)}</h2>
            <FormAlert errors=errors />
            {if empty {
                view! { <p class="empty-state">{tr!(i18n, no_contacts)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(i18n, field_name)}</th>
                                    <th scope="col">{tr!(i18n, field_title)}</th>
                                    <th scope="col">{tr!(i18n, email)}</th>
                                    <th scope="col">{tr!(i18n, field_phone)}</th>
                                    <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Show when=move || editable.get()>
                <h3>{tr!(i18n, add_contact)}</h3>
                <form class="form form-inline" on:submit=on_submit novalidate=true>
                    <TextField errors field="name" id="contact-name" kind="text"
                        label=tr_signal!(i18n, field_name)
                        value=name set=move |v| name.set(v) />
                    <TextField errors field="title" id="contact-title" kind="text"
                        label=tr_signal!(i18n, field_title)
                        value=title set=move |v| title.set(v) />
                    <TextField errors field="email" id="contact-email" kind="email"
                        label=tr_signal!(i18n, email)
                        value=email set=move |v| email.set(v) />
                    <TextField errors field="phone" id="contact-phone" kind="tel"
                        label=tr_signal!(i18n, field_phone)
                        value=phone set=move |v| phone.set(v) />
                    <label class="check">
                        <input type="checkbox" prop:checked=champion on:change=move |ev| champion.set(event_target_checked(&ev)) />
                        {tr!(i18n, make_champion)}
                    </label>
                    <button class="button" type="submit" disabled=move || add.pending().get()>{tr!(i18n, add_contact)}</button>
                </form>
            </Show>
        </section>
    }
}

/// How much of the score a measure costs the account: the points its curve
/// did not give, times its share of the weight (`share × (100 − points)`).
/// `None` for a measure skipped for want of a value.
pub fn points_lost(c: &Contribution) -> Option<f64> {
    c.points.map(|p| c.share * (100.0 - p))
}

/// The measures of an explanation, biggest drag first; skipped measures
/// (no value) last, in model order.
pub fn by_drag(explanation: &Explanation) -> Vec<&Contribution> {
    let mut measures: Vec<&Contribution> = explanation.measures.iter().collect();
    measures.sort_by(|a, b| match (points_lost(a), points_lost(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    measures
}

/// The account's health: the published score and band, the trend of its
/// snapshots (chart with hover, PNG/CSV and a table) and the per-measure
/// breakdown that explains the score, biggest drags first. Every role that
/// may open the account sees it.
#[component]
fn HealthSection(
    account_id: i64,
    definitions: LocalResource<Vec<SignalDefinition>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let score = LocalResource::new(move || crate::api::account_score(account_id));
    let body = move || {
        score.get().map(|result| match result {
            Ok(score) => health_view(i18n, score, definitions).into_any(),
            // The account exists (its page loaded): 404 means no published model.
            Err(err) if err.status() == Some(404) => {
                view! { <p class="empty-state" data-testid="health-no-model">{tr!(i18n, health.no_model)}</p> }
                    .into_any()
            }
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
        })
    };
    view! {
        <section class="card section" aria-labelledby="health-heading" data-testid="account-health">
            <h2 id="health-heading">{tr!(i18n, health.score_title)}</h2>
            {move || body().unwrap_or_else(|| view! {
                <p class="loading" role="status">{tr!(i18n, loading)}</p>
            }.into_any())}
        </section>
    }
}

fn health_view(
    i18n: I18nContext<Locale>,
    score: AccountScore,
    definitions: LocalResource<Vec<SignalDefinition>>,
) -> impl IntoView {
    let version = score.model_version;
    let headline = match (score.breakdown.score, score.breakdown.band) {
        (Some(value), Some(band)) => view! {
            <p class="health-headline" data-testid="health-current" data-band=band.as_str()>
                <span class="kpi-value">{format!("{value:.0}")}</span>
                " "
                <BandPill band />
                " "
                <span class="muted small">{move || t_string!(i18n, health.model_version, version = version).to_string()}</span>
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="empty-state" data-testid="health-current">{tr!(i18n, health.not_scored)}</p>
        }
        .into_any(),
    };
    let trend = StoredValue::new(score.trend);
    let breakdown = StoredValue::new(score.breakdown);
    let has_trend = trend.with_value(|t| !t.is_empty());
    let rows = move || {
        let locale = i18n.get_locale();
        let defs = definitions.get().unwrap_or_default();
        breakdown.with_value(|b| {
            by_drag(b)
                .into_iter()
                .map(|c| measure_row(i18n, locale, &defs, c))
                .collect_view()
        })
    };
    let total = breakdown.with_value(|b| b.score);
    view! {
        {headline}
        <Show when=move || has_trend fallback=move || view! { <p class="muted">{tr!(i18n, health.no_trend)}</p> }>
            <ChartCard spec=trend_spec(i18n, trend) />
        </Show>
        <h3>{tr!(i18n, health.breakdown_title)}</h3>
        <p class="muted">{tr!(i18n, health.breakdown_lead)}</p>
        <div class="table-wrap">
            <table class="data-table" data-testid="health-breakdown">
                <thead>
                    <tr>
                        <th scope="col">{tr!(i18n, health.col_measure)}</th>
                        <th scope="col" class="num">{tr!(i18n, health.col_value)}</th>
                        <th scope="col" class="num">{tr!(i18n, health.col_points)}</th>
                        <th scope="col" class="num">{tr!(i18n, health.col_weight)}</th>
                        <th scope="col" class="num">{tr!(i18n, health.col_contribution)}</th>
                        <th scope="col" class="num">{tr!(i18n, health.col_drag)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row" colspan="4">{tr!(i18n, health.total)}</th>
                        <td class="num" data-testid="health-total">{total.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".to_owned())}</td>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

fn measure_row(
    i18n: I18nContext<Locale>,
    locale: Locale,
    defs: &[SignalDefinition],
    c: &Contribution,
) -> impl IntoView {
    let def = defs.iter().find(|d| d.key == c.signal);
    let name = def.map_or_else(|| c.signal.clone(), |d| signal_label(locale, d));
    let trend = c.trend.map(|t| match t.kind {
        TrendKind::Absolute => t_string!(i18n, health.trend_absolute, days = t.days).to_string(),
        TrendKind::Relative => t_string!(i18n, health.trend_relative, days = t.days).to_string(),
    });
    let unit = match (c.trend.map(|t| t.kind), def) {
        (Some(TrendKind::Relative), _) => "%".to_owned(),
        (_, Some(d)) => d.unit.clone(),
        (_, None) => String::new(),
    };
    let value = c.value.map_or_else(
        || t_string!(i18n, health.missing_value).to_string(),
        |v| {
            format!("{} {unit}", format::trim_number(v))
                .trim_end()
                .to_owned()
        },
    );
    let skipped = c.points.is_none();
    let points = c.points.map_or_else(
        || t_string!(i18n, health.skipped).to_string(),
        |p| format!("{p:.0}"),
    );
    let lost = points_lost(c).map_or_else(String::new, |l| format!("−{l:.1}"));
    view! {
        <tr data-signal=c.signal.clone() class:muted=skipped>
            <th scope="row">{name}{trend.map(|t| view! { <span class="muted small block">{t}</span> })}</th>
            <td class="num">{value}</td>
            <td class="num">{points}</td>
            <td class="num">{format!("{} ({:.0} %)", format::trim_number(c.weight), c.share * 100.0)}</td>
            <td class="num">{format!("{:.1}", c.contribution)}</td>
            <td class="num" data-testid="points-lost">{lost}</td>
        </tr>
    }
}

/// The score trend chart: one point per snapshot.
fn trend_spec(i18n: I18nContext<Locale>, trend: StoredValue<Vec<ScorePoint>>) -> ChartSpec {
    let labels = move || {
        let locale = i18n.get_locale_untracked();
        trend.with_value(|t| {
            t.iter()
                .map(|p| format::date(p.scored_on, locale))
                .collect::<Vec<_>>()
        })
    };
    let band = move |p: &ScorePoint| {
        p.band
            .map(|b| band_label(i18n.get_locale_untracked(), b))
            .unwrap_or_default()
    };
    let score_text = |p: &ScorePoint| {
        p.score
            .map(|s| format!("{s:.1}"))
            .unwrap_or_else(|| "—".to_owned())
    };
    let rows = move || {
        trend.with_value(|t| {
            t.iter()
                .map(|p| {
                    vec![
                        p.scored_on.to_string(),
                        score_text(p),
                        band(p),
                        p.model_version.map(|v| format!("v{v}")).unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>()
        })
    };
    let header = move || {
        vec![
            t_string!(i18n, health.col_date).to_string(),
            t_string!(i18n, health.col_score).to_string(),
            t_string!(i18n, health.col_band).to_string(),
            t_string!(i18n, health.col_version).to_string(),
        ]
    };
    ChartSpec {
        id: "score-trend",
        title: tr_signal!(i18n, health.trend_title),
        height: 240,
        draw: Arc::new(move |area: &Area, hit: Option<Hit>| {
            let highlight = match hit {
                Some(Hit::Slot(i)) => Some(i),
                _ => None,
            };
            let line = Line {
                name: t_string!(i18n, health.col_score).to_string(),
                values: trend.with_value(|t| t.iter().map(|p| p.score).collect()),
            };
            draw_lines(area, &labels(), &[line], &|v| format!("{v:.0}"), highlight)
                .ok()
                .map(HitMap::Slots)
        }),
        hover: Arc::new(move |hit: Hit| {
            let Hit::Slot(i) = hit else { return None };
            let locale = i18n.get_locale_untracked();
            trend.with_value(|t| {
                let p = t.get(i)?;
                Some(format!(
                    "{}: {} {}",
                    format::date(p.scored_on, locale),
                    score_text(p),
                    band(p)
                ))
            })
        }),
        table: Arc::new(move || {
            let locale = i18n.get_locale_untracked();
            let mut rows = rows();
            trend.with_value(|t| {
                for (row, p) in rows.iter_mut().zip(t) {
                    row[0] = format::date(p.scored_on, locale);
                }
            });
            rows.reverse();
            (header(), rows)
        }),
        csv: Arc::new(move || csv(&header(), &rows())),
    }
}
