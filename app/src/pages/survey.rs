//! One survey (`/surveys/:id`): its answers with filters kept in the URL
//! (period, segment, owner, score group, channel), the NPS or CSAT summary
//! with counts and margin of error (computed on the server by
//! `kizuna_shared::metrics`), the CSV export, and (`?tab=links`) personal
//! links: issuing them for chosen accounts and contacts, copying them,
//! their status, withdrawing them.

use crate::api::ApiError;
use crate::components::account_picker::AccountPicker;
use crate::components::form::ErrorAlert;
use crate::components::labels::{
    channel_label, group_label, language_label, link_status_label, survey_kind_label,
    survey_state_label, tier_label, ScoreBadge,
};
use crate::components::pager::page_in_url;
use crate::components::pager::{PagePosition, Pager};
use crate::components::texts::show;
use crate::format;
use crate::i18n::*;
use crate::session::{can_survey, use_session};
use kizuna_shared::api::{
    Account, Contact, IssueLinks, IssuedLink, LinkQuery, LinkTarget, ResponseQuery, ScoreStats,
    SurveySummary,
};
use kizuna_shared::domain::{AnswerChannel, Language, LinkStatus, ScoreGroup, SurveyKind, Tier};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;

/// The survey page.
#[component]
pub fn SurveyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let survey = LocalResource::new(move || {
        let id = id();
        crate::api::survey(id)
    });
    let links_tab = move || query.with(|q| q.get("tab").as_deref() == Some("links"));
    move || match survey.get() {
        None => view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any(),
        Some(Err(err)) => view! {
            <p class="breadcrumb"><a href="/surveys">"← " {tr!(i18n, surveys_title)}</a></p>
            <ErrorAlert error=err.clone() />
        }
        .into_any(),
        Some(Ok(s)) => {
            let base = format!("/surveys/{}", s.id);
            let locale = i18n.get_locale();
            let sid = s.id;
            let kind = s.kind;
            view! {
                <p class="breadcrumb"><a href="/surveys">"← " {tr!(i18n, surveys_title)}</a></p>
                <div class="page-head">
                    <div>
                        <h1 data-testid="survey-name">{s.name.clone()}</h1>
                        <p class="lead">
                            {survey_kind_label(i18n, s.kind)} " · " {survey_state_label(i18n, s.state)}
                            " · " {show(&s.question, locale)}
                        </p>
                    </div>
                    <div class="page-actions">
                        <Show when=can_survey>
                            <a class="button" href=format!("/surveys/record?survey={sid}")>{tr!(i18n, record_answer)}</a>
                        </Show>
                    </div>
                </div>
                <nav class="tabs" aria-label=tr!(i18n, survey_sections)>
                    <a href=base.clone() aria-current=move || (!links_tab()).then_some("page")>{tr!(i18n, tab_answers)}</a>
                    <a href=format!("{base}?tab=links") aria-current=move || links_tab().then_some("page")>{tr!(i18n, tab_links)}</a>
                </nav>
                {move || if links_tab() {
                    view! { <LinksTab survey=sid /> }.into_any()
                } else {
                    view! { <AnswersTab survey=sid kind=kind /> }.into_any()
                }}
            }
            .into_any()
        }
    }
}

/// The answer list's query (filters and page) from the URL; a value that
/// does not parse is left out.
fn api_query(q: &leptos_router::params::ParamsMap) -> ResponseQuery {
    fn get<T: std::str::FromStr>(q: &leptos_router::params::ParamsMap, key: &str) -> Option<T> {
        q.get(key)
            .filter(|v| !v.is_empty())
            .and_then(|v| v.parse().ok())
    }
    ResponseQuery {
        page: get(q, "page"),
        per_page: Some(50),
        from: get(q, "from"),
        to: get(q, "to"),
        tier: get(q, "tier"),
        owner: get(q, "owner"),
        group: get(q, "group"),
        channel: get(q, "channel"),
        account: get(q, "account"),
    }
}

#[component]
fn AnswersTab(survey: i64, kind: SurveyKind) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = StoredValue::new_local(use_navigate());
    let filters = Memo::new(move |_| query.with(api_query));
    let answers = LocalResource::new(move || {
        let q = filters.get();
        async move { crate::api::survey_responses(survey, &q).await }
    });
    let summary = LocalResource::new(move || {
        let q = filters.get();
        async move { crate::api::survey_summary(survey, &q).await }
    });
    let owners = LocalResource::new(crate::api::owners);
    let value = move |key: &'static str| move || query.with(|q| q.get(key).unwrap_or_default());
    let set = move |key: &'static str, value: String| {
        let mut q = query.get_untracked();
        q.remove("page");
        if value.is_empty() {
            q.remove(key);
        } else {
            q.insert(key, value);
        }
        let qs = q.to_query_string();
        navigate.with_value(|navigate| {
            navigate(
                &format!("/surveys/{survey}{qs}"),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    };
    let go_page = Callback::new(move |page: u32| set("page", page.to_string()));
    let select = move |key: &'static str, label: String, options: Vec<(String, String)>| {
        let id = format!("filter-{key}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id prop:value=value(key) on:change=move |ev| set(key, event_target_value(&ev))>
                    <option value="">{tr!(i18n, all)}</option>
                    {options.into_iter().map(|(v, l)| {
                        let selected = query.with_untracked(|q| q.get(key)) == Some(v.clone());
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let export = move || crate::api::survey_responses_export_url(survey, &query.with(api_query));
    let date_input = move |key: &'static str, label: String| {
        let id = format!("filter-{key}");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="date" prop:value=value(key) on:change=move |ev| set(key, event_target_value(&ev)) />
            </div>
        }
    };
    let table = move || {
        answers.get().map(|r| match r {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(page) if page.items.is_empty() => view! {
                <p class="empty-state" data-testid="answers-empty">{tr!(i18n, no_answers)}</p>
            }
            .into_any(),
            Ok(page) => {
                let locale = i18n.get_locale();
                let at = PagePosition::of(&page);
                let rows = page.items.into_iter().map(|r| {
                    let via = match (r.channel, r.entered_by) {
                        (AnswerChannel::Call, Some(u)) => t_string!(i18n, entered_by, name = u.name).to_string(),
                        (channel, _) => channel_label(i18n, channel),
                    };
                    view! {
                        <tr>
                            <td class="nowrap">{format::date(r.answered_on, locale)}</td>
                            <th scope="row"><a href=format!("/accounts/{}", r.account.id)>{r.account.name.clone()}</a>
                                <span class="muted small block">{tier_label(i18n, r.account.tier)}</span></th>
                            <td>{r.contact.map(|c| c.name).unwrap_or_default()}</td>
                            <td><ScoreBadge kind=r.kind score=r.score /></td>
                            <td class="comment">{r.comment.clone().unwrap_or_default()}</td>
                            <td><span class=format!("pill pill-channel-{}", r.channel.as_str())>{via}</span></td>
                            <td>{r.owner.map(|o| o.name).unwrap_or_default()}</td>
                            <td>{r.task_id.map(|_| view! { <a href=format!("/tasks?account={}", r.account.id)>{tr!(i18n, follow_up_task)}</a> })}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="answers-table">
                            <thead><tr>
                                <th scope="col">{tr!(i18n, col_date)}</th>
                                <th scope="col">{tr!(i18n, col_account)}</th>
                                <th scope="col">{tr!(i18n, col_contact)}</th>
                                <th scope="col">{tr!(i18n, col_score)}</th>
                                <th scope="col">{tr!(i18n, col_comment)}</th>
                                <th scope="col">{tr!(i18n, col_channel)}</th>
                                <th scope="col">{tr!(i18n, col_owner)}</th>
                                <th scope="col">{tr!(i18n, col_task)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <Pager at go=go_page count_testid="answers-count" />
                }
                .into_any()
            }
        })
    };
    let tiers: Vec<(String, String)> = Tier::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), tier_label(i18n, *t)))
        .collect();
    let groups: Vec<(String, String)> = [
        ScoreGroup::Positive,
        ScoreGroup::Neutral,
        ScoreGroup::Negative,
    ]
    .iter()
    .map(|g| (g.as_str().to_owned(), group_label(i18n, kind, *g)))
    .collect();
    let channels: Vec<(String, String)> = AnswerChannel::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), channel_label(i18n, *c)))
        .collect();
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            {date_input("from", t_string!(i18n, filter_from_day).to_string())}
            {date_input("to", t_string!(i18n, filter_to_day).to_string())}
            {select("tier", t_string!(i18n, filter_tier).to_string(), tiers)}
            {move || {
                let options = owners.get().and_then(Result::ok).map(|p| p.items.into_iter().map(|u| (u.id.to_string(), u.name)).collect()).unwrap_or_default();
                select("owner", t_string!(i18n, filter_owner).to_string(), options)
            }}
            {select("group", t_string!(i18n, filter_group).to_string(), groups)}
            {select("channel", t_string!(i18n, filter_channel).to_string(), channels)}
            <a class="button" href=export download="answers.csv" data-testid="export-answers">
                <span aria-hidden="true">"⤓ "</span>{tr!(i18n, export_csv)}
            </a>
        </form>
        {move || summary.get().map(|r| match r {
            Ok(s) => view! { <SummaryCard summary=s /> }.into_any(),
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
        })}
        <section class="card section" aria-live="polite">
            <h2>{tr!(i18n, answers_title)}</h2>
            {move || table().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}

/// Formats a score (NPS or CSAT %) with its margin of error.
fn score_text(kind: SurveyKind, s: &ScoreStats) -> String {
    match (s.score, s.moe95) {
        (Some(score), Some(moe)) => match kind {
            SurveyKind::Nps => format!("{score:+.0} ±{moe:.0}"),
            SurveyKind::Csat => format!("{score:.0}% ±{moe:.0}"),
        },
        _ => "—".to_owned(),
    }
}

#[component]
fn SummaryCard(summary: SurveySummary) -> impl IntoView {
    let i18n = use_i18n();
    let kind = summary.kind;
    let o = summary.overall;
    let breakdown = move |label: String, stats: ScoreStats| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="num">{score_text(kind, &stats)}</td>
                <td class="num">{stats.responses}</td>
                <td class="num">{stats.positive}</td>
                <td class="num">{stats.neutral}</td>
                <td class="num">{stats.negative}</td>
            </tr>
        }
    };
    let rows = move || {
        let locale = i18n.get_locale();
        let mut rows = Vec::new();
        for c in &summary.by_channel {
            rows.push(breakdown(channel_label(i18n, c.channel), c.stats).into_any());
        }
        for t in &summary.by_tier {
            rows.push(breakdown(tier_label(i18n, t.tier), t.stats).into_any());
        }
        for m in &summary.by_month {
            rows.push(breakdown(format::month(m.month, locale), m.stats).into_any());
        }
        rows
    };
    let score_name = match kind {
        SurveyKind::Nps => t_string!(i18n, kind_nps).to_string(),
        SurveyKind::Csat => t_string!(i18n, csat_score).to_string(),
    };
    let score_head = score_name.clone();
    view! {
        <section class="card summary" aria-labelledby="summary-heading" data-testid="survey-summary">
            <h2 id="summary-heading">{tr!(i18n, summary_title)}</h2>
            <dl class="counts">
                <div><dt>{score_name}</dt><dd data-testid="summary-score">{score_text(kind, &o)}</dd></div>
                <div><dt>{tr!(i18n, col_answers)}</dt><dd>{o.responses}</dd></div>
                <div><dt>{move || group_label(i18n, kind, ScoreGroup::Positive)}</dt><dd>{o.positive}</dd></div>
                <div><dt>{move || group_label(i18n, kind, ScoreGroup::Neutral)}</dt><dd>{o.neutral}</dd></div>
                <div><dt>{move || group_label(i18n, kind, ScoreGroup::Negative)}</dt><dd>{o.negative}</dd></div>
            </dl>
            <p class="small muted">{tr!(i18n, moe_note)}</p>
            <details>
                <summary>{tr!(i18n, breakdown)}</summary>
                <div class="table-wrap">
                    <table class="data-table">
                        <thead><tr>
                            <th scope="col"><span class="visually-hidden">{tr!(i18n, breakdown)}</span></th>
                            <th scope="col" class="num">{score_head}</th>
                            <th scope="col" class="num">{tr!(i18n, col_answers)}</th>
                            <th scope="col" class="num">{move || group_label(i18n, kind, ScoreGroup::Positive)}</th>
                            <th scope="col" class="num">{move || group_label(i18n, kind, ScoreGroup::Neutral)}</th>
                            <th scope="col" class="num">{move || group_label(i18n, kind, ScoreGroup::Negative)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

/// An account chosen for a link, with its contacts to pick from.
#[derive(Clone)]
struct Target {
    account: Account,
    contact: RwSignal<Option<i64>>,
    contacts: LocalResource<Vec<Contact>>,
}

#[component]
fn LinksTab(survey: i64) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let status = RwSignal::new(String::new());
    let (page, go_page) = page_in_url();
    let reload = RwSignal::new(0_u32);
    let links = LocalResource::new(move || {
        let (status, page) = (status.get(), page.get());
        reload.track();
        let query = LinkQuery {
            page: Some(page),
            status: status.parse().ok(),
            ..LinkQuery::default()
        };
        async move { crate::api::survey_links(survey, &query).await }
    });
    let targets = RwSignal::new(Vec::<Target>::new());
    let days = RwSignal::new(14_u16);
    let language = RwSignal::new(String::new());
    let issued = RwSignal::new(Vec::<IssuedLink>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let own = Signal::derive(move || {
        // Account managers pick any account; everyone else their own.
        (!session.can_manage())
            .then(|| session.user.with(|u| u.as_ref().map(|u| u.id)))
            .flatten()
    });
    // A target's signals belong to the tab, not to the picker's result row
    // that was clicked (the row is disposed as soon as the search clears).
    let owner = Owner::current().expect("the links tab has an owner");
    let pick = Callback::new(move |account: Account| {
        if targets.with_untracked(|t| t.iter().any(|x| x.account.id == account.id)) {
            return;
        }
        let id = account.id;
        let (contact, contacts) = owner.with(|| {
            (
                RwSignal::new(None),
                LocalResource::new(move || async move {
                    crate::api::account_contacts(id).await.unwrap_or_default()
                }),
            )
        });
        targets.update(|t| {
            t.push(Target {
                account,
                contact,
                contacts,
            })
        });
    });
    let issue = Action::new_local(move |request: &IssueLinks| {
        let request = request.clone();
        async move { crate::api::issue_links(survey, &request).await }
    });
    Effect::new(move |_| match issue.value().get() {
        Some(Ok(new)) => {
            issued.set(new);
            targets.set(Vec::new());
            reload.update(|n| *n += 1);
        }
        Some(Err(err)) => failure.set(Some(err)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let chosen: Vec<LinkTarget> = targets.with_untracked(|t| {
            t.iter()
                .map(|t| LinkTarget {
                    account_id: t.account.id,
                    contact_id: t.contact.get_untracked(),
                })
                .collect()
        });
        if chosen.is_empty() {
            return;
        }
        issue.dispatch(IssueLinks {
            targets: chosen,
            expires_in_days: Some(days.get_untracked()),
            language: language.get_untracked().parse::<Language>().ok(),
        });
    };
    let origin = StoredValue::new(
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default(),
    );
    let revoke = move |id: i64| {
        leptos::task::spawn_local(async move {
            match crate::api::revoke_link(survey, id).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(err) => failure.set(Some(err)),
            }
        });
    };
    let list = move || {
        links.get().map(|r| match r {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(p) if p.items.is_empty() => view! { <p class="empty-state">{tr!(i18n, no_links)}</p> }.into_any(),
            Ok(p) => {
                let locale = i18n.get_locale();
                let at = PagePosition::of(&p);
                let rows = p.items.into_iter().map(|l| {
                    let can_revoke = l.status == LinkStatus::Open && can_survey();
                    let when = l.used_at.unwrap_or(l.expires_at);
                    view! {
                        <tr>
                            <th scope="row">{l.account.name.clone()}</th>
                            <td>{l.contact.map(|c| c.name).unwrap_or_default()}</td>
                            <td>{language_label(i18n, l.language)}</td>
                            <td><span class=format!("pill pill-link-{}", l.status.as_str())>{link_status_label(i18n, l.status)}</span></td>
                            <td class="nowrap">{format::date(when.date_naive(), locale)}</td>
                            <td>{can_revoke.then(|| view! {
                                <button type="button" class="button button-quiet" on:click=move |_| revoke(l.id)>{tr!(i18n, revoke)}</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap"><table class="data-table" data-testid="links-table">
                        <thead><tr>
                            <th scope="col">{tr!(i18n, col_account)}</th>
                            <th scope="col">{tr!(i18n, col_contact)}</th>
                            <th scope="col">{tr!(i18n, language)}</th>
                            <th scope="col">{tr!(i18n, col_status)}</th>
                            <th scope="col">{tr!(i18n, col_until)}</th>
                            <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                    <Pager at go=go_page count_testid="links-count" />
                }
                .into_any()
            }
        })
    };
    view! {
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        <Show when=can_survey>
            <section class="card" aria-labelledby="issue-heading">
                <h2 id="issue-heading">{tr!(i18n, issue_links)}</h2>
                <p class="small muted">{tr!(i18n, issue_links_hint)}</p>
                <form class="form" on:submit=submit>
                    <AccountPicker id="link-account" on_pick=pick owner=own />
                    <ul class="targets">
                        <For each=move || targets.get() key=|t| t.account.id let:t>
                            {
                                let id = t.account.id;
                                let select_id = format!("contact-{id}");
                                view! {
                                    <li class="target">
                                        <span class="target-name">{t.account.name.clone()}</span>
                                        <label class="visually-hidden" for=select_id.clone()>{tr!(i18n, col_contact)}</label>
                                        <select id=select_id on:change=move |ev| t.contact.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{tr!(i18n, no_contact)}</option>
                                            {move || t.contacts.get().unwrap_or_default().into_iter().map(|c| view! {
                                                <option value=c.id.to_string()>{c.name}</option>
                                            }).collect_view()}
                                        </select>
                                        <button type="button" class="button button-quiet"
                                            on:click=move |_| targets.update(|ts| ts.retain(|x| x.account.id != id))>{tr!(i18n, remove)}</button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                    <div class="form-grid">
                        <div class="field">
                            <label for="link-days">{tr!(i18n, field_valid_days)}</label>
                            <input id="link-days" type="number" min="1" max="90" prop:value=move || days.get().to_string()
                                on:input=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(14).clamp(1, 90)) />
                        </div>
                        <div class="field">
                            <label for="link-language">{tr!(i18n, language)}</label>
                            <select id="link-language" on:change=move |ev| language.set(event_target_value(&ev))>
                                <option value="">{tr!(i18n, accounts_language)}</option>
                                <option value="ja">{tr!(i18n, language_ja)}</option>
                                <option value="en">{tr!(i18n, language_en)}</option>
                            </select>
                        </div>
                    </div>
                    <div class="form-actions">
                        <button class="button button-primary" type="submit"
                            disabled=move || targets.with(Vec::is_empty) || issue.pending().get()>
                            {move || t_string!(i18n, issue_n_links, n = targets.with(Vec::len)).to_string()}
                        </button>
                    </div>
                </form>
                <Show when=move || !issued.with(Vec::is_empty)>
                    <div class="alert alert-success" role="status">
                        <p>{tr!(i18n, links_issued)}</p>
                        <ul class="issued">
                            {move || issued.get().into_iter().map(|l| {
                                let url = format!("{}{}", origin.get_value(), l.path);
                                let copy_url = url.clone();
                                let label = t_string!(i18n, copy_link_for, name = l.link.account.name.clone()).to_string();
                                let button_label = t_string!(i18n, copy_link_button, name = l.link.account.name.clone()).to_string();
                                view! {
                                    <li>
                                        <span class="target-name">{l.link.account.name.clone()}</span>
                                        <input type="text" readonly=true value=url.clone() aria-label=label class="link-url" />
                                        <button type="button" class="button" aria-label=button_label
                                            on:click=move |_| copy(&copy_url)>{tr!(i18n, copy_link)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                </Show>
            </section>
        </Show>
        <section class="card section">
            <div class="section-head">
                <h2>{tr!(i18n, links_title)}</h2>
                <div class="field">
                    <label for="link-status">{tr!(i18n, col_status)}</label>
                    <select id="link-status" on:change=move |ev| { status.set(event_target_value(&ev)); go_page.run(1); }>
                        <option value="">{tr!(i18n, all)}</option>
                        {LinkStatus::ALL.iter().map(|s| view! {
                            <option value=s.as_str()>{move || link_status_label(i18n, *s)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            {move || list().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}

/// Copies `text` to the clipboard (a refusal is harmless: the link is
/// also shown in a field to copy by hand).
fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}
