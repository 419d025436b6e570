//! The public survey answer page at `/s/{token}`: server-rendered HTML
//! (maud, which escapes every value), one small stylesheet and one small
//! script served from the binary. It never loads the staff app, works on a
//! 360 px phone, needs no session, and shows clear pages for unknown,
//! expired, revoked, closed and already answered links.
//!
//! The script sends the answer to `POST /api/public/surveys/{token}` with
//! the CSRF header every write needs, and shows the messages the page
//! already carries (hidden) in its language, so no text lives in the script
//! and the CSP needs no inline script or style.

use std::sync::LazyLock;

use kizuna_shared::api::PublicSurvey;
use kizuna_shared::domain::{Language, SurveyKind};
use maud::{html, Markup, DOCTYPE};
use sha2::{Digest, Sha256};

/// The page's stylesheet.
pub const CSS: &str = include_str!("../assets/survey.css");

/// The page's script.
pub const JS: &str = include_str!("../assets/survey.js");

/// A short hash of an asset, put in its URL so a new build is fetched anew
/// while browsers may cache each version for long.
fn version(content: &str) -> String {
    hex::encode(&Sha256::digest(content.as_bytes())[..6])
}

static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/s/assets/survey.css?v={}", version(CSS)));
static JS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/s/assets/survey.js?v={}", version(JS)));

/// Every text of the page in one language.
struct Texts {
    title: &'static str,
    nps_low: &'static str,
    nps_high: &'static str,
    csat_labels: [&'static str; 5],
    score_legend_nps: &'static str,
    score_legend_csat: &'static str,
    comment_default: &'static str,
    optional: &'static str,
    send: &'static str,
    sending: &'static str,
    pick_score: &'static str,
    thanks_title: &'static str,
    thanks_body: &'static str,
    answered_title: &'static str,
    answered_body: &'static str,
    expired_title: &'static str,
    expired_body: &'static str,
    revoked_title: &'static str,
    revoked_body: &'static str,
    closed_title: &'static str,
    closed_body: &'static str,
    unknown_title: &'static str,
    unknown_body: &'static str,
    limited_title: &'static str,
    limited_body: &'static str,
    failed: &'static str,
    invalid: &'static str,
    no_script: &'static str,
    other_language: &'static str,
    expires: &'static str,
}

const EN: Texts = Texts {
    title: "Survey",
    nps_low: "0 = not at all likely",
    nps_high: "10 = extremely likely",
    csat_labels: [
        "Very dissatisfied",
        "Dissatisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
    ],
    score_legend_nps: "Your score from 0 to 10",
    score_legend_csat: "Your score from 1 to 5",
    comment_default: "Tell us why",
    optional: "(optional)",
    send: "Send my answer",
    sending: "Sending…",
    pick_score: "Please choose a score.",
    thanks_title: "Thank you!",
    thanks_body: "Your answer has been sent. It helps us serve you better.",
    answered_title: "Already answered",
    answered_body: "This survey link has already been answered. Thank you for your time.",
    expired_title: "This link has expired",
    expired_body: "The survey link is past its expiry date. If you would still like to answer, ask your contact for a new link.",
    revoked_title: "This link is no longer valid",
    revoked_body: "The survey link was withdrawn. If you would still like to answer, ask your contact for a new link.",
    closed_title: "This survey is closed",
    closed_body: "The survey no longer takes answers. Thank you for your interest.",
    unknown_title: "Link not found",
    unknown_body: "This survey link is not valid. Check that you opened the whole address from your message.",
    limited_title: "Too many requests",
    limited_body: "Please wait a minute and try again.",
    failed: "Your answer could not be sent. Check your connection and try again.",
    invalid: "Please check your answer: the score must be on the scale and the comment at most 2,000 characters.",
    no_script: "Sending your answer needs JavaScript. Please turn it on and reload this page.",
    other_language: "日本語で回答する",
    expires: "This link works until",
};

const JA: Texts = Texts {
    title: "アンケート",
    nps_low: "0 = まったく思わない",
    nps_high: "10 = 非常にそう思う",
    csat_labels: ["とても不満", "不満", "どちらでもない", "満足", "とても満足"],
    score_legend_nps: "0〜10の点数を選んでください",
    score_legend_csat: "1〜5の点数を選んでください",
    comment_default: "その理由を教えてください",
    optional: "（任意）",
    send: "回答を送信する",
    sending: "送信中…",
    pick_score: "点数を選んでください。",
    thanks_title: "ご回答ありがとうございました",
    thanks_body: "回答を送信しました。今後のサービス向上に役立てます。",
    answered_title: "回答済みです",
    answered_body: "このアンケートのリンクはすでに回答済みです。ご協力ありがとうございました。",
    expired_title: "リンクの有効期限が切れています",
    expired_body: "このアンケートのリンクは有効期限を過ぎています。回答をご希望の場合は、担当者に新しいリンクをご依頼ください。",
    revoked_title: "このリンクは無効になりました",
    revoked_body: "このアンケートのリンクは取り消されました。回答をご希望の場合は、担当者に新しいリンクをご依頼ください。",
    closed_title: "このアンケートは終了しました",
    closed_body: "このアンケートの回答受付は終了しました。ご関心をお寄せいただきありがとうございます。",
    unknown_title: "リンクが見つかりません",
    unknown_body: "このアンケートのリンクは正しくありません。メッセージに記載のアドレスをすべて開いたかご確認ください。",
    limited_title: "アクセスが集中しています",
    limited_body: "1分ほど待ってから、もう一度お試しください。",
    failed: "回答を送信できませんでした。通信環境をご確認のうえ、もう一度お試しください。",
    invalid: "回答をご確認ください。点数は目盛りの範囲で、コメントは2,000文字以内でご入力ください。",
    no_script: "回答の送信にはJavaScriptが必要です。有効にしてからページを再読み込みしてください。",
    other_language: "Answer in English",
    expires: "このリンクの有効期限：",
};

fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::En => &EN,
        Language::Ja => &JA,
    }
}

/// The page frame: head with the stylesheet and script, and `body` inside
/// `<main>`.
fn frame(lang: Language, title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="color-scheme" content="light";
                title { (title) }
                link rel="stylesheet" href=(CSS_URL.as_str());
                script src=(JS_URL.as_str()) defer {}
            }
            body {
                main class="card" id="main" { (body) }
            }
        }
    }
    .into_string()
}

/// Why a link cannot be answered, as the page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Already answered.
    Answered,
    /// Past its expiry.
    Expired,
    /// Withdrawn.
    Revoked,
    /// The survey no longer takes answers.
    Closed,
    /// No such link.
    Unknown,
    /// Over the rate limit.
    Limited,
}

/// A page that only tells something (`notice`), in `lang`.
pub fn notice_page(lang: Language, notice: Notice) -> String {
    let t = texts(lang);
    let (title, body, icon) = match notice {
        Notice::Answered => (t.answered_title, t.answered_body, "✓"),
        Notice::Expired => (t.expired_title, t.expired_body, "⌛"),
        Notice::Revoked => (t.revoked_title, t.revoked_body, "✕"),
        Notice::Closed => (t.closed_title, t.closed_body, "■"),
        Notice::Unknown => (t.unknown_title, t.unknown_body, "?"),
        Notice::Limited => (t.limited_title, t.limited_body, "…"),
    };
    frame(
        lang,
        title,
        html! {
            div class="notice" data-state=(format!("{notice:?}").to_lowercase()) {
                p class="notice-icon" aria-hidden="true" { (icon) }
                h1 { (title) }
                p { (body) }
            }
        },
    )
}

/// The answer page of an open link: the question, the score scale, the
/// follow-up question and comment box, and the hidden messages the script
/// shows.
pub fn answer_page(token: &str, survey: &PublicSurvey, expires_label: &str) -> String {
    let lang = survey.language;
    let t = texts(lang);
    let api = format!("/api/public/surveys/{token}");
    let scores: Vec<u8> = (survey.min_score..=survey.max_score).collect();
    let (legend, class) = match survey.kind {
        SurveyKind::Nps => (t.score_legend_nps, "scale scale-nps"),
        SurveyKind::Csat => (t.score_legend_csat, "scale scale-csat"),
    };
    let csat_label = |s: u8| -> &'static str {
        t.csat_labels
            .get(usize::from(s.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let other = lang.other();
    frame(
        lang,
        t.title,
        html! {
            // No `action`: the script sends the answer as JSON; without
            // it, the `noscript` message explains.
            form id="answer" class="answer" novalidate data-api=(api) data-sending=(t.sending) {
                h1 id="question" { (survey.question) }
                fieldset class="score" aria-describedby="scale-ends" {
                    legend class="visually-hidden" { (legend) }
                    div class=(class) {
                        @for s in &scores {
                            label class="choice" {
                                input type="radio" name="score" value=(s) required;
                                span class="choice-number" { (s) }
                                @if survey.kind == SurveyKind::Csat {
                                    span class="choice-label" { (csat_label(*s)) }
                                }
                            }
                        }
                    }
                    @if survey.kind == SurveyKind::Nps {
                        p class="scale-ends" id="scale-ends" {
                            span { (t.nps_low) } span { (t.nps_high) }
                        }
                    } @else {
                        p class="visually-hidden" id="scale-ends" {
                            (t.csat_labels[0]) " … " (t.csat_labels[4])
                        }
                    }
                }
                label class="comment-label" for="comment" {
                    (survey.follow_up.as_deref().unwrap_or(t.comment_default))
                    " " span class="muted" { (t.optional) }
                }
                textarea id="comment" name="comment" rows="4" maxlength="2000" {}
                p class="message message-error" id="msg-pick" role="alert" hidden { (t.pick_score) }
                p class="message message-error" id="msg-failed" role="alert" hidden { (t.failed) }
                p class="message message-error" id="msg-invalid" role="alert" hidden { (t.invalid) }
                p class="message message-error" id="msg-limited" role="alert" hidden { (t.limited_body) }
                button type="submit" class="send" { (t.send) }
                noscript { p class="message message-error" { (t.no_script) } }
                p class="small muted" { (t.expires) " " (expires_label) }
            }
            div class="notice" id="done-thanks" hidden tabindex="-1" {
                p class="notice-icon" aria-hidden="true" { "✓" }
                h2 { (t.thanks_title) }
                p { (t.thanks_body) }
            }
            div class="notice" id="done-answered" hidden tabindex="-1" {
                p class="notice-icon" aria-hidden="true" { "✓" }
                h2 { (t.answered_title) }
                p { (t.answered_body) }
            }
            div class="notice" id="done-gone" hidden tabindex="-1" {
                p class="notice-icon" aria-hidden="true" { "⌛" }
                h2 { (t.expired_title) }
                p { (t.expired_body) }
            }
            p class="language" {
                a href=(format!("?lang={}", other.as_str())) lang=(other.as_str()) hreflang=(other.as_str()) {
                    (t.other_language)
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(question: &str) -> PublicSurvey {
        PublicSurvey {
            kind: SurveyKind::Nps,
            language: Language::En,
            question: question.into(),
            follow_up: None,
            min_score: 0,
            max_score: 10,
            expires_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn values_are_escaped() {
        let page = answer_page(
            "tok",
            &survey("<script>alert(1)</script> & \"q\""),
            "2026-05-01",
        );
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
        assert_eq!(page.matches("type=\"radio\"").count(), 11);
    }

    #[test]
    fn pages_have_no_inline_script_or_style() {
        for page in [
            answer_page("tok", &survey("Q"), "x"),
            notice_page(Language::Ja, Notice::Expired),
        ] {
            assert!(!page.contains("<script>"), "{page}");
            assert!(!page.contains("style="), "{page}");
            assert!(!page.contains("<style"), "{page}");
        }
        assert!(notice_page(Language::Ja, Notice::Answered).contains("lang=\"ja\""));
    }
}
